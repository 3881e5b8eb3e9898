// What bin/run.js guesses from the command line before oclif is loaded (cli-early.ts): only the plain forms; a guess
// that differs from what oclif then parses is ended by the run (session.ts takeEarly), never used.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {earlyArgs} from '../../src/cli-early.ts'

test('apply, delete and plan with -f/--file: the files in order, and whether the run changes the host', () => {
  assert.deepEqual(earlyArgs(['apply', '-f', 'a.yaml', '--file', 'b.json', '--file=c.yaml', '--prune']), {files: ['a.yaml', 'b.json', 'c.yaml'], acting: true})
  assert.deepEqual(earlyArgs(['delete', '-f', 'a.yaml', '--json']), {files: ['a.yaml'], acting: true})
  assert.deepEqual(earlyArgs(['plan', '-f', 'a.yaml']), {files: ['a.yaml'], acting: false})
  assert.deepEqual(earlyArgs(['apply', '--dry-run', '-f', 'a.yaml']), {files: ['a.yaml'], acting: false})
})

test('anything else: no early start', () => {
  for (const argv of [[], ['dump', 'all'], ['apply'], ['apply', '-f'], ['apply', '-f', 'a', '--help'], ['apply', '--', '-f', 'a'], ['interface', 'add', '-f', 'x']]) {
    assert.equal(earlyArgs(argv), undefined, argv.join(' '))
  }
})
