// Reads appended to an execution's batches (observe.ts parseReadBack): each namespace is parsed as soon as its four
// arrays are in, and anything short of every namespace complete leaves nothing behind — the verification then reads
// the kernel again rather than trust a partial read-back.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {handleKey, parseReadBack, type ObservedNs} from '../../src/kernel/observe.ts'
import type {NsHandle} from '../../src/kernel/run.ts'

const FIX = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'observe')
const lines = (file: string) => readFileSync(join(FIX, `${file}.jsonl`), 'utf8').split('\n').filter((l) => l.startsWith('['))
// Real paths: the parser takes each namespace's id from it (a namespace replaced since is read again).
const a: NsHandle = {label: 'a', name: 'a', path: '/proc/self/ns/net', isDefault: false}
const b: NsHandle = {label: 'b', name: 'b', path: `/proc/${process.pid}/ns/net`, isDefault: false}

test('two namespaces, change lines print nothing: both parsed, in order, with their ids', () => {
  const into = new Map<string, ObservedNs>()
  const p = parseReadBack([a, b], into)
  for (const l of lines('ns1')) p.onLine(l)
  assert.ok(into.has(handleKey(a)), 'the first namespace is parsed before the second is read')
  assert.ok(!into.has(handleKey(b)))
  p.onLine('')
  for (const l of lines('ns2')) p.onLine(l)
  assert.equal(p.done(true), true)
  assert.deepEqual(into.get(handleKey(a))!.links.map((l) => l.name), JSON.parse(lines('ns1')[0]).map((l: any) => l.ifname))
  assert.match(into.get(handleKey(b))!.id, /^\d+:\d+$/)
})

test('a batch that failed, or stopped short, or printed more: nothing kept', () => {
  for (const [feed, ok] of [[[...lines('ns1'), ...lines('ns2')], false], [lines('ns1'), true], [[...lines('ns1'), ...lines('ns2'), '[]'], true], [['[{"ifindex":'], true]] as const) {
    const into = new Map<string, ObservedNs>()
    const p = parseReadBack([a, b], into)
    for (const l of feed) p.onLine(l)
    assert.equal(p.done(ok), false)
    assert.equal(into.size, 0)
  }
})
