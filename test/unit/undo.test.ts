// The order and batching of undo lines (execute.ts undoStages): per namespace and phase, and barriers kept in place.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {undoStages} from '../../src/engine/execute.ts'
import {DEFAULT_HANDLE, namedHandle} from '../../src/kernel/namespaces.ts'
import type {Cmd, Phase} from '../../src/engine/contract.ts'
import type {NsHandle} from '../../src/kernel/run.ts'

const cmd = (ns: NsHandle, phase: Phase, line: string, undo: Cmd[] = []): Cmd => ({ns, phase, line, key: 'k', undo})
const lines = (stages: ReturnType<typeof undoStages>) => stages.map((st) => [...st.values()].map((cs) => cs.map((c) => `${c.ns.label || 'default'}: ${c.line}`)))

test('100 pairs over 10 namespaces: the undo of a whole apply takes a few stages, not one process per pair', () => {
  const applied: Cmd[] = []
  const ns = (i: number) => namedHandle(`r${i % 10}`)
  for (let i = 0; i < 10; i++) applied.push(cmd(DEFAULT_HANDLE, 'namespaces', `netns add r${i}`, [cmd(DEFAULT_HANDLE, 'cleanup', `netns del r${i}`)]))
  for (let i = 0; i < 100; i++) {
    applied.push(cmd(DEFAULT_HANDLE, 'links', `link add name a${i} netns /run/netns/r${i % 10} type veth peer name b${i} netns /run/netns/r${(i + 1) % 10}`,
      [cmd(ns(i), 'teardown', `link del dev a${i}`)]))
  }
  for (let i = 0; i < 100; i++) {
    applied.push(cmd(ns(i), 'configure', `link set dev a${i} up`, [cmd(ns(i), 'configure', `link set dev a${i} down`)]))
    applied.push(cmd(ns(i), 'l3', `addr add 10.0.${i}.1/24 dev a${i}`, [cmd(ns(i), 'l3', `addr del 10.0.${i}.1/24 dev a${i}`)]))
  }
  const stages = undoStages(applied)
  const procs = stages.reduce((n, st) => n + st.size, 0)
  assert.ok(procs <= 31, `${procs} batches`)
  const flat = lines(stages).flat(2)
  assert.equal(flat.length, 310)
  // Addresses go before links go down, links before their namespaces.
  const at = (re: RegExp) => flat.findIndex((l) => re.test(l))
  assert.ok(at(/addr del 10.0.5.1/) < at(/link set dev a5 down/))
  assert.ok(at(/link set dev a5 down/) < at(/link del dev a5/))
  assert.ok(flat.findLastIndex((l) => /link del/.test(l)) < at(/netns del/))
})

test('a tap moved back out of a namespace before that namespace is deleted; lines on it after the move', () => {
  const h = namedHandle('ns2')
  const applied = [
    cmd(DEFAULT_HANDLE, 'namespaces', 'netns add ns2', [cmd(DEFAULT_HANDLE, 'cleanup', 'netns del ns2')]),
    cmd(DEFAULT_HANDLE, 'links', 'link set dev tap0 netns /run/netns/ns2 name tap1', [cmd(h, 'teardown', 'link set dev tap1 netns /proc/1/ns/net name tap0')]),
    cmd(h, 'configure', 'link set dev tap1 alias x', [cmd(h, 'configure', 'link set dev tap1 alias ""')]),
  ]
  assert.deepEqual(lines(undoStages(applied)), [
    [['ns2: link set dev tap1 alias ""']],
    [['ns2: link set dev tap1 netns /proc/1/ns/net name tap0']],
    [['default: netns del ns2']],
  ])
})

test('a deleted tap: moved back into its namespace first, then its address and state restored there', () => {
  const h = namedHandle('ns2')
  const applied = [
    cmd(h, 'teardown', 'addr del 10.0.0.1/24 dev tap1', [cmd(h, 'teardown', 'addr replace 10.0.0.1/24 dev tap1')]),
    cmd(h, 'teardown', 'link set dev tap1 down', [cmd(h, 'teardown', 'link set dev tap1 up')]),
    cmd(h, 'teardown', 'link set dev tap1 netns /proc/1/ns/net name tap0', [cmd(DEFAULT_HANDLE, 'teardown', 'link set dev tap0 netns /run/netns/ns2 name tap1')]),
  ]
  assert.deepEqual(lines(undoStages(applied)), [
    [['default: link set dev tap0 netns /run/netns/ns2 name tap1']],
    [['ns2: link set dev tap1 up', 'ns2: addr replace 10.0.0.1/24 dev tap1']],
  ])
})

test('re-created veths (undo of a group delete): all pairs made in one batch, then configured per namespace', () => {
  const [a, b] = [namedHandle('ns1'), namedHandle('ns2')]
  const recreate = (i: number) => [
    cmd(DEFAULT_HANDLE, 'links', `link add name x${i} netns /run/netns/ns1 type veth peer name y${i} netns /run/netns/ns2`),
    cmd(a, 'configure', `link set dev x${i} up`),
    cmd(b, 'configure', `link set dev y${i} up`),
    cmd(a, 'l3', `addr replace 10.${i}.0.1/24 dev x${i}`),
  ]
  const applied = [
    cmd(a, 'unlink', 'link set dev x1 group 100001', [cmd(a, 'configure', 'link set dev x1 group 76')]),
    cmd(a, 'unlink', 'link set dev x2 group 100001', [cmd(a, 'configure', 'link set dev x2 group 76')]),
    {...cmd(a, 'unlink', 'link del group 100001', [...recreate(1), ...recreate(2)]), late: true},
  ]
  const st = lines(undoStages(applied))
  assert.equal(st.length, 3)
  assert.deepEqual(st[0], [['default: link add name x1 netns /run/netns/ns1 type veth peer name y1 netns /run/netns/ns2', 'default: link add name x2 netns /run/netns/ns1 type veth peer name y2 netns /run/netns/ns2']])
  assert.deepEqual(st[1].map((b) => b.length).sort(), [2, 4])
  assert.deepEqual(st[2], [['ns1: addr replace 10.1.0.1/24 dev x1', 'ns1: addr replace 10.2.0.1/24 dev x2']])
})
