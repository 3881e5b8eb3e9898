// src/index.ts lists every command (oclif "explicit" discovery and the bundle depend on it), and the command and
// flag set is a contract: a snapshot of it fails when a command or flag appears or disappears unnoticed.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join, relative} from 'node:path'
import {ROOT} from '../helpers/playground.ts'

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)]))
}

test('src/index.ts exports every command under src/commands', () => {
  const files = walk(join(ROOT, 'src/commands')).map((f) => relative(join(ROOT, 'src/commands'), f).replace(/\.ts$/, '').replace(/\//g, ':')).sort()
  const index = readFileSync(join(ROOT, 'src/index.ts'), 'utf8')
  const ids = [...index.matchAll(/^ {2}'([a-z:-]+)': /gm)].map((m) => m[1]).sort()
  assert.deepEqual(ids, files)
})

test('the command and flag set of docs/DESIGN.md is there', () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8'))
  const flags = (id: string) => Object.keys(manifest.commands[id]?.flags ?? {}).sort()
  const has = (id: string, ...names: string[]) => {
    assert.ok(manifest.commands[id], `missing command ${id}`)
    for (const n of names) assert.ok(flags(id).includes(n), `${id} lacks --${n}`)
  }
  has('apply', 'file', 'dry-run', 'prune', 'allow-empty', 'wait', 'no-rollback', 'try', 'json', 'lock-timeout')
  has('plan', 'file', 'prune', 'allow-empty', 'exit-code', 'json')
  has('confirm', 'json', 'lock-timeout')
  has('rollback', 'json', 'lock-timeout')
  has('delete', 'file', 'dry-run', 'namespaces', 'json')
  has('validate', 'file', 'json')
  has('dump', 'namespace', 'managed', 'output', 'json')
  has('schema', 'json')
  has('interface:add', 'type', 'peer', 'namespace', 'netns-pid', 'netns-path', 'microservice', 'peer-namespace', 'host-name', 'ip', 'mac', 'mtu', 'down', 'rx-checksum', 'tx-checksum', 'vpp-tap', 'dry-run', 'json')
  has('interface:set', 'mtu', 'mac', 'add-ip', 'del-ip', 'up', 'down', 'host-name', 'namespace')
  has('interface:delete')
  has('interface:show')
  has('route:add', 'dev', 'via', 'metric', 'scope')
  has('route:delete', 'dev')
  has('route:show')
  has('arp:add', 'dev')
  has('arp:delete', 'dev')
  has('arp:show')
  has('namespace:list')
  has('namespace:add')
  has('namespace:delete', 'force')
  has('agent', 'etcd', 'label', 'http', 'log-format', 'allow-empty')
  assert.equal(manifest.commands.apply.flags.file.char, 'f')
  assert.equal(manifest.commands.dump.flags.namespace.char, 'n')
  assert.equal(manifest.commands.dump.flags.output.char, 'o')
})

test('on a command with positional arguments, no repeatable flag swallows them (multipleNonGreedy)', async () => {
  const {COMMANDS} = await import('../../src/index.ts')
  const greedy: string[] = []
  for (const [id, cmd] of Object.entries<any>(COMMANDS)) {
    if (!Object.keys(cmd.args ?? {}).length) continue
    for (const [name, f] of Object.entries<any>({...cmd.baseFlags, ...cmd.flags})) {
      if (f.multiple && !f.multipleNonGreedy) greedy.push(`${id} --${name}`)
    }
  }
  assert.deepEqual(greedy, [])
})
