// Golden tests of kernel observation on REAL `ip -d -j -batch -` output (test/fixtures/observe/*.jsonl, captured by
// test/fixtures/observe/capture.sh, which documents the topology). parseNamespace → resolvePeers → ownedConfig.
// Regenerate the expected files with: UPDATE_GOLDEN=1 node --import tsx --test test/unit/observe.test.ts
// (then review the diff: a regenerated golden file encodes whatever src/ does, bugs included).
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {assemble, parseNamespace, resolvePeers, type Observation, type OLink, type ObservedNs} from '../../src/kernel/observe.ts'
import {ownedConfig, type OwnedConfig} from '../../src/engine/owned-config.ts'
import {namedHandle} from '../../src/kernel/namespaces.ts'
import type {NsHandle} from '../../src/kernel/run.ts'

const FIX = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'observe')
const EXPECTED = join(FIX, 'expected')
const UPDATE = !!process.env.UPDATE_GOLDEN

// A stable default handle (the real DEFAULT_HANDLE holds lnx's own pid in its path).
const DEFAULT: NsHandle = {label: '', path: '/proc/1/ns/net', isDefault: true}
const NAMESPACES: {file: string; handle: NsHandle; id: string}[] = [
  {file: 'default', handle: DEFAULT, id: '4:4026531840'},
  {file: 'ns1', handle: namedHandle('ns1'), id: '4:4026532001'},
  {file: 'ns2', handle: namedHandle('ns2'), id: '4:4026532002'},
]

const arrays = (file: string): any[][] =>
  readFileSync(join(FIX, `${file}.jsonl`), 'utf8').split('\n').filter((l) => l.trim().startsWith('[')).map((l) => JSON.parse(l))

/** A fresh Observation as observe() builds it (default first, then named), peers resolved. */
function observation(only?: string[]): Observation {
  return assemble(NAMESPACES.filter((n) => !only || only.includes(n.file)).map((n) => parseNamespace(n.handle, n.id, arrays(n.file))))
}

const nsOf = (obs: Observation, label: string) => obs.byLabel.get(label)!
const link = (obs: Observation, label: string, name: string): OLink => {
  const l = nsOf(obs, label).links.find((x) => x.name === name)
  assert.ok(l, `link ${name} in ${label || 'default'}`)
  return l
}
const ref = (l: OLink) => `${l.name}@${l.ns.handle.label || 'default'}`

/** ObservedNs without its cycles (ns back-pointers, peer objects) and raw route objects. */
function serialNs(ns: ObservedNs) {
  return {
    label: ns.handle.label,
    id: ns.id,
    links: ns.links.map(({ns: _ns, peer, linkIndex, linkNetnsid, ...l}) => ({
      ...l,
      // Cross-namespace peers are located by (link_netnsid, link_index); same-namespace ones by name: only the
      // former are part of the golden shape, so that how a same-namespace peer is found stays src's choice.
      ...(linkNetnsid !== undefined ? {linkIndex, linkNetnsid} : {}),
      peer: peer ? ref(peer) : undefined,
    })),
    routes: ns.routes.map(({ns: _ns, raw: _raw, ...r}) => r),
    neighs: ns.neighs.map(({ns: _ns, ...n}) => n),
    nsids: Object.fromEntries([...ns.nsids].map(([k, v]) => [k, v ?? null])),
  }
}

function serialState(st: OwnedConfig) {
  const {owned, ...doc} = st
  return {
    ...doc,
    owned: Object.fromEntries([...owned].map(([k, o]) => [k, {host: o.link.name, namespace: o.link.ns.handle.label, type: o.type,
      peerName: o.peerName, vppTap: o.vppTap, origHost: o.origHost}])),
  }
}

function golden(name: string, actual: unknown) {
  const file = join(EXPECTED, name)
  const got = JSON.parse(JSON.stringify(actual))
  if (UPDATE) {
    mkdirSync(EXPECTED, {recursive: true})
    writeFileSync(file, JSON.stringify(got, null, 2) + '\n')
    return
  }
  const want = JSON.parse(readFileSync(file, 'utf8'))
  assert.deepEqual(got, want, `differs from golden ${file} (UPDATE_GOLDEN=1 regenerates it; review the diff)`)
}

test('fixtures: every namespace dump holds the four arrays lnx reads', () => {
  for (const n of NAMESPACES) {
    const a = arrays(n.file)
    assert.equal(a.length, 4, n.file)
    assert.ok(a[0].length >= 3 && a[0].every((l: any) => typeof l.ifindex === 'number'), `${n.file}: links`)
    assert.ok(a[1].some((r: any) => r.protocol === 'kernel'), `${n.file}: kernel routes present`)
  }
})

for (const n of NAMESPACES) {
  test(`golden: parseNamespace + resolvePeers of ${n.file}`, () => {
    golden(`parsed-${n.file}.json`, serialNs(nsOf(observation(), n.handle.label)))
  })
}

test('golden: ownedConfig(obs, "vpp1")', () => {
  golden('current-vpp1.json', serialState(ownedConfig(observation(), 'vpp1')))
})

test('parse: links, kinds, flags, marks', () => {
  const obs = observation()
  const v1 = link(obs, 'ns1', 'v1')
  assert.equal(v1.kind, 'veth')
  assert.equal(v1.group, '76')
  assert.equal(v1.alias, '/vnf-agent/vpp1/veth1/veth2')
  assert.equal(v1.mac, '02:00:00:00:01:01')
  assert.equal(v1.mtu, 9000)
  assert.equal(v1.maxMtu, 65535)
  assert.equal(v1.up, true)
  assert.equal(link(obs, 'ns2', 'left0').group, '76')
  assert.equal(link(obs, 'ns2', 'left0').alias, undefined)
  assert.equal(link(obs, 'ns1', 'hv0p').group, 'default')
  assert.equal(link(obs, 'ns1', 'lo').kind, 'loopback')
  assert.equal(link(obs, 'ns1', 'lo').up, false)
  assert.equal(link(obs, 'ns2', 'lo').up, true)
})

test('parse: a tap is kind "tap" although ip -json says info_kind "tun"; a tun stays "tun"', () => {
  const raw = arrays('default')[0]
  const rawTap = raw.find((l: any) => l.ifname === 'tap-host')
  assert.equal(rawTap.linkinfo.info_kind, 'tun')
  assert.equal(rawTap.linkinfo.info_data.type, 'tap')
  const obs = observation()
  assert.equal(link(obs, '', 'tap-host').kind, 'tap')
  assert.equal(link(obs, '', 'tap-free').kind, 'tap')
  assert.equal(link(obs, '', 'tun0').kind, 'tun')
})

test('parse: addresses (secondary flag, kernel IPv6 link-local marked auto)', () => {
  const obs = observation()
  const v1 = link(obs, 'ns1', 'v1')
  const by = Object.fromEntries(v1.addresses.map((a) => [a.cidr, a]))
  assert.deepEqual(Object.keys(by).sort(), ['10.0.0.1/24', '10.0.0.5/24', '2001:db8::1/64', 'fe80::ff:fe00:101/64'])
  assert.equal(by['10.0.0.1/24'].secondary, false)
  assert.equal(by['10.0.0.5/24'].secondary, true)
  assert.equal(by['10.0.0.1/24'].family, 4)
  assert.equal(by['2001:db8::1/64'].family, 6)
  assert.equal(by['2001:db8::1/64'].auto, false)
  assert.equal(by['fe80::ff:fe00:101/64'].auto, true)
  assert.equal(by['10.0.0.1/24'].auto, false)
})

test('parse: routes (default dst, gateway, metric, protocol, table, scope)', () => {
  const obs = observation()
  const r = (label: string, dst: string, table = 'main') => {
    const x = nsOf(obs, label).routes.find((y) => y.dst === dst && y.table === table && y.type === 'unicast')
    assert.ok(x, `route ${dst} table ${table} in ${label || 'default'}`)
    return x
  }
  const def = r('ns2', '0.0.0.0/0')
  assert.deepEqual([def.family, def.gw, def.dev, def.protocol, def.metric, def.scope], [4, '10.0.0.1', 'v2', '76', 0, 'global'])
  const gwm = r('ns1', '192.168.10.0/24')
  assert.deepEqual([gwm.gw, gwm.metric, gwm.protocol], ['10.0.0.2', 100, '76'])
  const lnk = r('ns1', '192.168.20.0/24')
  assert.deepEqual([lnk.gw, lnk.scope, lnk.protocol], [undefined, 'link', '76'])
  const v6 = r('ns1', '2001:db8:10::/64')
  assert.deepEqual([v6.family, v6.gw, v6.metric], [6, '2001:db8::2', 1024])
  assert.equal(r('ns1', '192.168.40.0/24', '100').protocol, '76')
  assert.equal(r('ns1', '192.168.30.0/24').protocol, 'static')
  assert.equal(r('ns1', '10.0.0.0/24').protocol, 'kernel')
  // The local table (the kernel's own local/broadcast/multicast entries) is not part of the model.
  assert.ok(!nsOf(obs, 'ns1').routes.some((x) => x.table === 'local'))
  assert.ok(nsOf(obs, 'ns1').routes.some((x) => x.table === '100'), 'other tables are read')
})

test('parse: neighbours (protocol, permanent, MAC)', () => {
  const obs = observation()
  const n = (label: string, ip: string) => nsOf(obs, label).neighs.find((x) => x.ip === ip)!
  assert.deepEqual([n('ns1', '10.0.0.9').protocol, n('ns1', '10.0.0.9').permanent, n('ns1', '10.0.0.9').mac], ['76', true, '02:00:00:00:00:09'])
  assert.equal(n('ns1', '2001:db8::9').protocol, '76')
  assert.equal(n('ns1', '10.0.0.10').protocol, '0')
  assert.equal(n('', '172.16.0.3').dev, 'hv0')
})

test('resolvePeers: across named namespaces (by netns list-id)', () => {
  const obs = observation()
  const v1 = link(obs, 'ns1', 'v1')
  const v2 = link(obs, 'ns2', 'v2')
  // ifindexes collide between namespaces: ns1's hv0p and ns2's v2 are both ifindex 2 — the nsid decides.
  assert.equal(v1.linkIndex, 2)
  assert.equal(v1.peer, v2)
  assert.equal(v2.peer, v1)
  assert.ok(!v1.peerUnknown)
})

test('resolvePeers: with the default (unnamed) namespace, from both sides', () => {
  const obs = observation()
  const hv0 = link(obs, '', 'hv0')
  const hv0p = link(obs, 'ns1', 'hv0p')
  // ns1 sees the default namespace as an nsid without a name.
  assert.equal(nsOf(obs, 'ns1').nsids.get(hv0p.linkNetnsid!), undefined)
  assert.equal(hv0.peer, hv0p)
  assert.equal(hv0p.peer, hv0)
})

test('resolvePeers: both ends in one namespace (ip -json gives "link": NAME, no link_index)', () => {
  const obs = observation()
  assert.equal(arrays('ns2')[0].find((l: any) => l.ifname === 'left1').link, 'left0')
  for (const [a, b] of [['left0', 'left1'], ['o1', 'o2']]) {
    assert.equal(link(obs, 'ns2', a).peer?.name, b, `${a} ↔ ${b}`)
    assert.equal(link(obs, 'ns2', b).peer?.name, a, `${b} ↔ ${a}`)
  }
})

test('resolvePeers: a peer in a namespace that was not read is unknown, not guessed', () => {
  const obs = observation(['default', 'ns1'])
  assert.equal(link(obs, 'ns1', 'v1').peer, undefined)
  assert.equal(link(obs, 'ns1', 'v1').peerUnknown, true)
  assert.equal(link(obs, 'ns1', 'hv0p').peer?.name, 'hv0')
  const noDefault = observation(['ns1', 'ns2'])
  assert.equal(link(noDefault, 'ns1', 'hv0p').peer, undefined)
  assert.equal(link(noDefault, 'ns1', 'hv0p').peerUnknown, true)
  assert.equal(link(noDefault, 'ns1', 'v1').peer?.name, 'v2')
})

test('ownedConfig: owned interfaces by logical name from the alias', () => {
  const st = ownedConfig(observation(), 'vpp1')
  assert.deepEqual(st.interfaces.map((i) => i.name).sort(), ['loop1', 'tap1', 'veth1', 'veth2'])
  const i = (name: string) => st.interfaces.find((x) => x.name === name)!
  assert.deepEqual(i('veth1'), {
    name: 'veth1', type: 'VETH', namespace: {type: 'NSID', reference: 'ns1'}, host_if_name: 'v1', enabled: true,
    ip_addresses: ['10.0.0.1/24', '10.0.0.5/24', '2001:db8::1/64'], phys_address: '02:00:00:00:01:01', mtu: 9000,
    veth: {peer_if_name: 'veth2'},
  })
  assert.deepEqual(i('veth2').namespace, {type: 'NSID', reference: 'ns2'})
  assert.equal(i('veth2').veth?.peer_if_name, 'veth1')
  assert.ok(!i('veth2').ip_addresses?.some((a) => a.startsWith('fe80:')), 'kernel link-local left out')
  assert.equal(i('tap1').type, 'TAP_TO_VPP')
  assert.equal(i('tap1').namespace, undefined)
  assert.equal(i('tap1').host_if_name, 'tap-host')
  assert.equal(i('tap1').tap?.vpp_tap_if_name, 'tap-host')
  assert.deepEqual(i('tap1').ip_addresses, ['192.168.50.1/24'])
  assert.equal(i('tap1').mtu, undefined, 'default MTU omitted')
  assert.equal(i('loop1').type, 'LOOPBACK')
  assert.equal(i('loop1').host_if_name, undefined)
  assert.equal(i('loop1').phys_address, undefined)
  assert.equal(st.owned.get('veth1')?.link.name, 'v1')
})

test('ownedConfig: owned routes and ARPs as items, the rest under foreign', () => {
  const st = ownedConfig(observation(), 'vpp1')
  const key = (r: any) => `${r.dst_network} ${r.outgoing_interface}`
  assert.deepEqual(st.routes.map(key).sort(), ['0.0.0.0/0 veth2', '192.168.10.0/24 veth1', '192.168.20.0/24 veth1', '2001:db8:10::/64 veth1'])
  const r10 = st.routes.find((r) => r.dst_network === '192.168.10.0/24')!
  assert.deepEqual(r10, {outgoing_interface: 'veth1', dst_network: '192.168.10.0/24', gw_addr: '10.0.0.2', metric: 100})
  assert.equal(st.routes.find((r) => r.dst_network === '2001:db8:10::/64')!.metric, undefined, 'IPv6 metric 1024 is the default')
  assert.equal(st.routes.find((r) => r.dst_network === '192.168.20.0/24')!.scope, undefined, 'link scope is implied without gw')
  const fr = st.foreign.routes as any[]
  assert.deepEqual(fr.map((r) => `${r.dst_network} ${r.protocol} ${r.table ?? 'main'}`).sort(),
    ['192.168.30.0/24 static main', '192.168.40.0/24 76 100', '198.51.100.0/24 76 main'])
  assert.ok(!fr.some((r) => r.protocol === 'kernel' || String(r.dst_network).startsWith('fe80:')))
  assert.deepEqual(st.arp_entries.map((a) => `${a.interface} ${a.ip_address} ${a.hw_address}`).sort(),
    ['veth1 10.0.0.9 02:00:00:00:00:09', 'veth1 2001:db8::9 02:00:00:00:00:19'])
  const fa = st.foreign.arp_entries as any[]
  assert.deepEqual(fa.find((a) => a.ip_address === '10.0.0.10'),
    {interface: 'v1', ip_address: '10.0.0.10', hw_address: '02:00:00:00:00:0a', namespace: {type: 'NSID', reference: 'ns1'}, protocol: '0'})
  assert.equal(fa.find((a) => a.ip_address === '172.16.0.3').namespace, undefined)
  assert.equal(fa.length, 2)
})

test('ownedConfig: foreign interfaces (peers across namespaces, leftovers, other labels)', () => {
  const st = ownedConfig(observation(), 'vpp1')
  const f = st.foreign.interfaces as any[]
  const by = (ns: string, name: string) => f.find((x) => x.name === name && (x.namespace?.reference ?? '') === ns)
  assert.ok(!f.some((x) => ['v1', 'v2', 'tap-host'].includes(x.name)), 'owned links are not foreign')
  assert.ok(!f.some((x) => x.name === 'lo' && x.namespace?.reference === 'ns2'), 'owned lo of ns2 is not foreign')
  assert.equal(by('', 'hv0').peer, 'hv0p@ns1')
  assert.equal(by('ns1', 'hv0p').peer, 'hv0@default')
  assert.deepEqual(by('', 'hv0').ip_addresses, ['172.16.0.1/30'])
  assert.equal(by('', 'tap-free').kind, 'tap')
  assert.equal(by('', 'tun0').kind, 'tun')
  assert.match(by('ns2', 'left0').note ?? '', /leftover/)
  assert.equal(by('ns2', 'o1').alias, '/vnf-agent/vpp2/other1/other2')
  assert.equal(by('ns2', 'left0').peer, 'left1', 'same-namespace peer')
  assert.equal(by('ns2', 'o2').peer, 'o1', 'same-namespace peer')
})

test('ownedConfig: ownership follows the label', () => {
  const st = ownedConfig(observation(), 'vpp2')
  assert.deepEqual(st.interfaces.map((i) => i.name).sort(), ['other1', 'other2'])
  assert.equal(st.interfaces.find((i) => i.name === 'other1')!.host_if_name, 'o1')
  // Routes and ARPs of lnx's protocol on links this label does not own are foreign.
  assert.equal(st.routes.length, 0)
  assert.equal(st.arp_entries.length, 0)
  assert.ok((st.foreign.interfaces as any[]).some((x) => x.name === 'v1'))
})
