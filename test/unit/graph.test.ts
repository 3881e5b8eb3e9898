// Golden tests of `lnx graph`'s pure parts: buildGraph (observation + config + plan → model) and the Mermaid and
// DOT renderers. Inputs: real `ip -d -j -batch -` dumps (test/fixtures/graph/{default,ns1,ns2}.jsonl, copies of
// the observe fixtures, see test/fixtures/observe/capture.sh), a hand-written dump with awkward names
// (odd.jsonl) and a config (desired.yaml). Any change of the output fails; regenerate with
//   UPDATE_GOLDEN=1 node --import tsx --test test/unit/graph.test.ts
// and review the diff.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {assemble, parseNamespace, type Observation} from '../../src/kernel/observe.ts'
import {namedHandle} from '../../src/kernel/namespaces.ts'
import type {NsHandle} from '../../src/kernel/run.ts'
import {loadDesired} from '../../src/config/index.ts'
import {buildGraph, escapeId, type BuildOptions, type GraphModel, type PlanView} from '../../src/engine/graph.ts'
import {toDot, toMermaid} from '../../src/render/graph.ts'

const FIX = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'graph')
const EXPECTED = join(FIX, 'expected')
const UPDATE = !!process.env.UPDATE_GOLDEN

const DEFAULT: NsHandle = {label: '', path: '/proc/1/ns/net', isDefault: true}
const SETS: Record<string, {file: string; handle: NsHandle; id: string}[]> = {
  host: [
    {file: 'default', handle: DEFAULT, id: '4:4026531840'},
    {file: 'ns1', handle: namedHandle('ns1'), id: '4:4026532001'},
    {file: 'ns2', handle: namedHandle('ns2'), id: '4:4026532002'},
  ],
  odd: [{file: 'odd', handle: namedHandle('odd-ns.1'), id: '4:4026532009'}],
}

const arrays = (file: string): any[][] =>
  readFileSync(join(FIX, `${file}.jsonl`), 'utf8').split('\n').filter((l) => l.trim().startsWith('[')).map((l) => JSON.parse(l))

function observation(set: keyof typeof SETS): Observation {
  return assemble(SETS[set].map((n) => parseNamespace(n.handle, n.id, arrays(n.file))))
}

/** What the planner says about desired.yaml on this host (hand-written: the renderers are under test, not plan). */
const PLAN: PlanView = {
  pending: [
    {key: 'config/linux/interfaces/v2/interface/tap2', reason: 'tap tap-x does not exist in the default namespace (VPP has not created it yet)'},
    {key: 'config/linux/interfaces/v2/interface/eth9', reason: 'link eth9 does not exist in the default namespace'},
    {key: 'config/linux/l3/v2/route/10.9.0.0/16/veth3', reason: 'interface veth3 has no address yet'},
  ],
  changes: [
    {action: 'create', kind: 'namespace', key: 'linux/namespace/NSID/ns3', detail: 'named namespace ns3, lo up'},
    {action: 'create', kind: 'interface', key: 'config/linux/interfaces/v2/interface/veth3', detail: 'veth pair v3 (ns3) ↔ v4 (ns1)'},
    {action: 'create', kind: 'interface', key: 'config/linux/interfaces/v2/interface/veth4', detail: 'veth end v4'},
    {action: 'update', kind: 'interface', key: 'config/linux/interfaces/v2/interface/veth1', detail: 'mtu 9000 → 1500'},
  ],
}

function golden(name: string, actual: string) {
  const file = join(EXPECTED, name)
  if (UPDATE) {
    mkdirSync(EXPECTED, {recursive: true})
    writeFileSync(file, actual)
    return
  }
  assert.equal(actual, readFileSync(file, 'utf8'), `differs from golden ${file} (UPDATE_GOLDEN=1 regenerates it; review the diff)`)
}

const ids = (m: GraphModel) => [
  ...m.clusters.map((c) => c.id),
  ...m.clusters.flatMap((c) => [...c.nodes.map((n) => n.id), ...(c.routesId ? [c.routesId] : [])]),
]

async function cases(): Promise<Record<string, {set: keyof typeof SETS; opts: BuildOptions}>> {
  const {desired} = await loadDesired([join(FIX, 'desired.yaml')])
  return {
    host: {set: 'host', opts: {label: 'vpp1'}},
    'routes-ns1-default': {set: 'host', opts: {label: 'vpp1', routes: true, namespaces: ['ns1', 'default']}},
    'managed-pending': {set: 'host', opts: {label: 'vpp1', managed: true, routes: true, desired, plan: PLAN}},
    'pending-without-plan': {set: 'host', opts: {label: 'vpp1', desired}},
    'label-vpp2': {set: 'host', opts: {label: 'vpp2', managed: true}},
    odd: {set: 'odd', opts: {label: 'vpp1', routes: true}},
  }
}

for (const [name, c] of Object.entries(await cases())) {
  test(`golden: ${name} (mermaid and dot)`, () => {
    const m = buildGraph(observation(c.set), c.opts)
    golden(`${name}.mmd`, toMermaid(m))
    golden(`${name}.dot`, toDot(m))
    // Ids: safe identifiers, unique; edges join drawn nodes.
    const all = ids(m)
    for (const id of all) assert.match(id, /^[A-Za-z][A-Za-z0-9_]*$/, id)
    assert.equal(new Set(all).size, all.length, 'ids are unique')
    for (const e of m.edges) assert.ok(all.includes(e.from) && all.includes(e.to), `edge ${e.from} -- ${e.to}`)
  })
}

test('every observed link is a node, named in both outputs; veth pairs are edges across namespaces', () => {
  const obs = observation('host')
  const m = buildGraph(obs, {label: 'vpp1'})
  const mmd = toMermaid(m)
  const dot = toDot(m)
  for (const ns of obs.namespaces) {
    for (const l of ns.links) {
      assert.ok(m.clusters.find((c) => c.namespace === ns.handle.label)!.nodes.some((n) => n.name === l.name), l.name)
      assert.ok(mmd.includes(`"${l.name}<br/>`), `mermaid names ${l.name}`)
      assert.ok(dot.includes(`label="${l.name}\\n`), `dot names ${l.name}`)
    }
  }
  const edge = (a: string, b: string) => m.edges.some((e) => (e.from === a && e.to === b) || (e.from === b && e.to === a))
  assert.ok(edge('if_nns1__v1', 'if_nns2__v2'), 'v1 ↔ v2 across ns1/ns2')
  assert.ok(edge('if_d__hv0', 'if_nns1__hv0p'), 'hv0 ↔ hv0p across default/ns1')
  assert.ok(edge('if_nns2__left0', 'if_nns2__left1'), 'same-namespace pair')
  assert.equal(m.edges.length, 4, 'one edge per pair')
  const node = (id: string) => m.clusters.flatMap((c) => c.nodes).find((n) => n.id === id)!
  assert.equal(node('if_nns1__v1').owner, 'owned')
  assert.equal(node('if_d__hv0').owner, 'foreign')
  assert.equal(node('if_nns2__left0').owner, 'leftover')
  assert.equal(node('if_nns2__o1').owner, 'other')
  assert.equal(node('if_d__tap_2dhost').tap, true)
  assert.equal(node('if_d__tun0').tap, false)
  assert.match(mmd, /if_d__tap_2dhost\{\{"/, 'taps are hexagons in mermaid')
  assert.match(dot, /if_d__tap_2dhost \[shape=hexagon/, 'taps are hexagons in dot')
})

test('pending: missing interfaces dashed in their namespace (a new one for ns3), with reasons and a dashed pair', async () => {
  const m = buildGraph(observation('host'), (await cases())['managed-pending'].opts)
  const ns3 = m.clusters.find((c) => c.namespace === 'ns3')!
  assert.ok(ns3.pending)
  const pend = m.clusters.flatMap((c) => c.nodes).filter((n) => n.owner === 'pending')
  assert.deepEqual(pend.map((n) => n.logical).sort(), ['eth9', 'tap2', 'veth3', 'veth4'])
  assert.match(pend.find((n) => n.logical === 'tap2')!.note!, /VPP has not created it/)
  assert.ok(m.edges.some((e) => e.pending && [e.from, e.to].sort().join() === 'pend_nns1__veth4,pend_nns3__veth3'))
  assert.deepEqual(m.pendingItems.map((p) => p.key), ['config/linux/l3/v2/route/10.9.0.0/16/veth3'])
  assert.ok(!m.clusters.flatMap((c) => c.nodes).some((n) => n.owner === 'foreign'), '--managed leaves foreign links out')
  assert.match(toMermaid(m), /class [^\n]*pend_nns3__veth3[^\n]* pending/)
  assert.match(toDot(m), /pend_nns3__veth3 \[label="v3[^\n]*style="rounded,dashed"/)
})

test('-n filter: unknown namespaces are an error naming the known ones', () => {
  assert.throws(() => buildGraph(observation('host'), {label: 'vpp1', namespaces: ['nope']}), /no namespace "nope".*known: default, ns1, ns2/)
})

test('escapeId: injective, safe, never "__" inside a fragment', () => {
  const names = ['a-b', 'a_b', 'a.b', 'a_2db', 'x@y', 'ü1', 'u1', '', '_', '__', 'a b', 'ns1', 'Ns1']
  const out = names.map(escapeId)
  assert.equal(new Set(out).size, names.length)
  for (const o of out) {
    assert.match(o, /^[A-Za-z0-9_]*$/)
    assert.ok(!o.includes('__'), o)
  }
  assert.equal(escapeId('tap-host'), 'tap_2dhost')
})

test('escaping: quotes, angle brackets, # and backslashes cannot break out of labels', () => {
  const m = buildGraph(observation('odd'), {label: 'vpp1'})
  const mmd = toMermaid(m)
  const dot = toDot(m)
  // Mermaid: inside "…" no raw " < > # (entity codes instead); DOT: " and \ escaped.
  for (const line of mmd.split('\n').filter((l) => l.includes('["') || l.includes('{{"'))) {
    const inner = line.slice(line.indexOf('"') + 1, line.lastIndexOf('"'))
    assert.ok(!/["<>`]/.test(inner.replace(/<br\/>/g, '')), line)
  }
  assert.ok(mmd.includes('label lab#34;x: na#60;me#62;#35;1'), mmd)
  assert.ok(dot.includes('label lab\\"x: na<me>#1'), dot)
  assert.ok(dot.includes('ü1\\\\n'), 'a backslash in a name is doubled in DOT')
})

const hasDot = spawnSync('dot', ['-V']).status === 0
test('the DOT outputs are valid Graphviz input', {skip: hasDot ? false : 'Graphviz not installed'}, async () => {
  for (const [name, c] of Object.entries(await cases())) {
    const r = spawnSync('dot', ['-Tsvg'], {input: toDot(buildGraph(observation(c.set), c.opts)), encoding: 'utf8'})
    assert.equal(r.status, 0, `${name}: ${r.stderr}`)
    assert.ok(!r.stderr.includes('syntax error'), `${name}: ${r.stderr}`)
    assert.match(r.stdout.trim(), /<\/svg>$/)
  }
})
