// `lnx agent --grpc` against a real etcd and the real kernel of a test playground, driven by a client that knows
// nothing of lnx's server code: test/helpers/grpc-client.mjs loads the repository's .proto files with
// @grpc/proto-loader (package, service and field numbers are the vpp-agent's). Kernel state is read with raw
// `ip -json`. Update / full_resync / Get / Dump / Delete, Notify (down, up, resume with next_idx), etcd's items
// untouched by a gRPC full resync, vpp_config refused (real VPP message bytes), invalid values, a failed
// transaction reverted, wait_done.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import protobuf from 'protobufjs'
import {join} from 'node:path'
import {ROOT, withPlayground, type Playground} from '../helpers/playground.ts'
import {GrpcClient} from '../helpers/grpc.ts'
import {addrs, link, neighs, routes, settle, settledSnapshot} from './engine-helpers.ts'
import {etcdctl, startAgent, startEtcd, stop, until} from './agent-helpers.ts'

const GRPC = '127.0.0.1:9111'
const P = '/vnf-agent/vpp1/config/linux'

const veth = (name: string, peer: string, o: Record<string, unknown> = {}) => ({name, type: 'VETH', enabled: true, veth: {peerIfName: peer}, ...o})
const update = (linuxConfig: unknown, o: Record<string, unknown> = {}) => ({update: {linuxConfig}, ...o})

/** The gRPC server answers: it starts once the agent has read etcd (its HTTP comes up first). */
async function connected(c: GrpcClient, agentErr: () => string): Promise<void> {
  let last
  const end = Date.now() + 60_000
  while (Date.now() < end) {
    last = await c.call('Get', {}, 2000)
    if (last.ok) return
    await new Promise((res) => setTimeout(res, 100))
  }
  throw new Error(`gRPC server not reachable: ${JSON.stringify(last)}\n${agentErr()}`)
}

const TLS = join(ROOT, 'test', 'fixtures', 'tls')

async function withAgent(fn: (pg: Playground, c: GrpcClient, etcd: string, agentErr: () => string) => Promise<void>, o: {env?: Record<string, string>; tls?: boolean} = {}) {
  await withPlayground(async (pg) => {
    const etcd = await startEtcd(pg)
    const tls = o.tls ? ['--grpc-tls-cert', join(TLS, 'cert.pem'), '--grpc-tls-key', join(TLS, 'key.pem')] : []
    const agent = await startAgent(pg, {etcd: etcd.endpoint, args: ['--grpc', GRPC, ...tls], env: o.env})
    const c = GrpcClient.start(pg, GRPC, o.tls ? join(TLS, 'cert.pem') : undefined)
    try {
      await connected(c, agent.err)
      await fn(pg, c, etcd.endpoint, agent.err)
    } finally {
      await c.close()
      await stop(agent)
      await stop(etcd)
    }
  })
}

// What a client compiled from the vpp-agent's own protos sends in vpp_config: a real ligato.vpp.interfaces.Interface
// (a few of its fields, with the vpp-agent's numbers), inside a ConfigData whose field 10 is that message type.
const VPP_AGENT = `
syntax = "proto3";
package ligato.vpp;
message Interface { string name = 1; enum Type { UNDEFINED_TYPE = 0; SUB_INTERFACE = 1; SOFTWARE_LOOPBACK = 2; DPDK = 3; MEMIF = 4; TAP = 5; }
  Type type = 2; bool enabled = 3; repeated string ip_addresses = 5; }
message ConfigData { repeated Interface interfaces = 10; }
`

function vppUpdateBytes(): Uint8Array {
  const root = new protobuf.Root()
  root.resolvePath = (_o, t) => join(ROOT, 'proto', t)
  // Our Linux protos next to the real VPP message: the same bytes a vpp-agent client puts on the wire.
  root.loadSync('ligato/linux/linux.proto', {keepCase: true})
  protobuf.parse(VPP_AGENT, root, {keepCase: true})
  protobuf.parse(`syntax = "proto3"; package ligato.configurator;
    message Config { ligato.vpp.ConfigData vpp_config = 1; ligato.linux.ConfigData linux_config = 2; }
    message UpdateRequest { Config update = 1; bool full_resync = 2; bool wait_done = 3; }`, root, {keepCase: true})
  root.resolveAll()
  const U = root.lookupType('ligato.configurator.UpdateRequest')
  return U.encode(U.fromObject({update: {
    vpp_config: {interfaces: [{name: 'memif1', type: 'MEMIF', enabled: true, ip_addresses: ['10.10.0.1/24']}]},
    linux_config: {interfaces: [{name: 'x1', type: 'VETH', enabled: true, veth: {peer_if_name: 'x2'}}, {name: 'x2', type: 'VETH', veth: {peer_if_name: 'x1'}}]},
  }})).finish()
}

test('agent --grpc: Update, Get, Dump, Notify (down, up, resume), full resync beside etcd, Delete, refusals', {timeout: 240_000}, async () => {
  await withAgent(async (pg, c, etcd, agentErr) => {
    // --- Update: a veth pair across namespaces, a route and an ARP entry.
    const first = {
      interfaces: [veth('veth1', 'veth2', {namespace: {type: 'NSID', reference: 'ns1'}, ipAddresses: ['192.168.22.1/24'], physAddress: 'D2:74:8C:12:67:D2'}), veth('veth2', 'veth1')],
      routes: [{outgoingInterface: 'veth1', dstNetwork: '10.9.0.0/16', gwAddr: '192.168.22.9', metric: 100}],
      arpEntries: [{interface: 'veth1', ipAddress: '192.168.22.9', hwAddress: '02:00:00:00:00:09'}],
    }
    const u = await c.call('Update', update(first))
    assert.equal(u.ok, true, JSON.stringify(u) + agentErr())
    assert.match(u.header?.seqnum ?? '', /^\d+$/, 'seqnum response header, as the vpp-agent sends it')
    const v1 = await link(pg, 'ns1', 'veth1')
    assert.equal(v1?.ifalias, '/vnf-agent/vpp1/veth1/veth2')
    assert.equal(v1.address, 'd2:74:8c:12:67:d2')
    assert.deepEqual(await addrs(pg, 'ns1', 'veth1'), ['192.168.22.1/24'])
    assert.ok(await link(pg, '', 'veth2'))
    assert.ok((await routes(pg, 'ns1')).some((r: any) => r.dst === '10.9.0.0/16' && r.gateway === '192.168.22.9' && r.metric === 100))
    assert.ok((await neighs(pg, 'ns1')).some((n: any) => n.dst === '192.168.22.9' && n.lladdr === '02:00:00:00:00:09' && n.state.includes('PERMANENT')))

    // --- Get: what came through gRPC, in the vpp-agent's Config layout.
    const g = await c.call('Get')
    assert.equal(g.ok, true)
    assert.deepEqual(Object.keys(g.response.config).sort(), ['linuxConfig', 'netallocConfig', 'vppConfig'])
    const lc = g.response.config.linuxConfig
    assert.deepEqual(lc.interfaces.map((i: any) => i.name).sort(), ['veth1', 'veth2'])
    assert.deepEqual(lc.interfaces.find((i: any) => i.name === 'veth1').ipAddresses, ['192.168.22.1/24'])
    assert.deepEqual(lc.routes, [{outgoingInterface: 'veth1', dstNetwork: '10.9.0.0/16', gwAddr: '192.168.22.9', metric: 100}])
    assert.deepEqual(lc.arpEntries, [{interface: 'veth1', ipAddress: '192.168.22.9', hwAddress: '02:00:00:00:00:09'}])

    // --- Dump: the kernel's state in the vpp-agent's shape (host names, every route on owned links, scope unset).
    const d = await c.call('Dump')
    assert.equal(d.ok, true)
    const dl = d.response.dump.linuxConfig
    const dv1 = dl.interfaces.find((i: any) => i.name === 'veth1')
    assert.deepEqual({...dv1, link: undefined}, {name: 'veth1', type: 'VETH', namespace: {type: 'NSID', reference: 'ns1'}, hostIfName: 'veth1', enabled: true,
      ipAddresses: ['192.168.22.1/24'], physAddress: 'd2:74:8c:12:67:d2', mtu: 1500, veth: {peerIfName: 'veth2'}, link: undefined})
    assert.ok(dl.routes.some((r: any) => r.outgoingInterface === 'veth1' && r.dstNetwork === '192.168.22.0/24' && !r.scope), 'the connected route too, as the vpp-agent dumps it')
    assert.ok(dl.routes.some((r: any) => r.dstNetwork === '10.9.0.0/16' && r.gwAddr === '192.168.22.9' && r.metric === 100))
    assert.ok(dl.arpEntries.some((a: any) => a.interface === 'veth1' && a.ipAddress === '192.168.22.9' && a.hwAddress === '02:00:00:00:00:09'))

    // --- Notify: veth2 goes down and up (through gRPC); the stream shows both; a client resumes after the DOWN.
    const s = c.notify({idx: 0})
    const down = await c.call('Update', update({interfaces: [veth('veth2', 'veth1', {enabled: false})]}))
    assert.equal(down.ok, true, JSON.stringify(down))
    assert.equal((await link(pg, '', 'veth2')).flags.includes('UP'), false)
    const evDown = await s.until((e) => e.notification.linuxNotification.interface.state.internalName === 'veth2' && e.notification.linuxNotification.interface.state.adminStatus === 'DOWN', 'veth2 DOWN')
    assert.deepEqual({type: evDown.notification.linuxNotification.interface.type, name: evDown.notification.linuxNotification.interface.state.name, t: evDown.notification.linuxNotification.interface.state.type},
      {type: 'UPDOWN', name: '/vnf-agent/vpp1/veth2/veth1', t: 'VETH'})
    assert.equal(evDown.notification.linuxNotification.interface.state.ifIndex, (await link(pg, '', 'veth2')).ifindex)
    const up = await c.call('Update', update({interfaces: [veth('veth2', 'veth1')]}))
    assert.equal(up.ok, true)
    const evUp = await s.until((e) => e.nextIdx > evDown.nextIdx && e.notification.linuxNotification.interface.state.internalName === 'veth2' &&
      e.notification.linuxNotification.interface.state.adminStatus === 'UP' && e.notification.linuxNotification.interface.state.operStatus === 'UP', 'veth2 UP')
    const idxs = s.events.map((e) => e.nextIdx)
    assert.deepEqual(idxs, [...idxs].sort((a, b) => a - b), 'next_idx increases')
    s.cancel()
    const resumed = c.notify({idx: evDown.nextIdx})
    await resumed.until((e) => e.nextIdx === evUp.nextIdx, 'the UP event again')
    assert.equal(resumed.events[0].nextIdx, evDown.nextIdx + 1, 'resuming with next_idx starts right after the last one seen')
    assert.ok(!resumed.events.some((e) => e.nextIdx <= evDown.nextIdx))
    resumed.cancel()
    // Down behind the agent's back: the stream shows it, then the agent's repair (drift) bringing it up again.
    const s2 = c.notify({idx: evUp.nextIdx})
    await pg.sh('ip link set dev veth2 down')
    const evDrift = await s2.until((e) => e.notification.linuxNotification.interface.state.internalName === 'veth2' && e.notification.linuxNotification.interface.state.adminStatus === 'DOWN', 'veth2 DOWN (ip link)')
    await s2.until((e) => e.nextIdx > evDrift.nextIdx && e.notification.linuxNotification.interface.state.internalName === 'veth2' && e.notification.linuxNotification.interface.state.adminStatus === 'UP', 'veth2 UP (repaired)')
    s2.cancel()
    // A filter: only veth1's notifications.
    const only1 = c.notify({idx: 0, filters: [{linuxNotification: {interface: {state: {internalName: 'veth1'}}}}]})
    await only1.until((e) => e.notification.linuxNotification.interface.state.internalName === 'veth1', 'a veth1 event')
    assert.ok(only1.events.every((e) => e.notification.linuxNotification.interface.state.internalName === 'veth1'))
    only1.cancel()

    // --- etcd's items beside gRPC's: a gRPC full resync replaces gRPC's items only.
    for (const [n, p] of [['e1', 'e2'], ['e2', 'e1']]) {
      const r = await etcdctl(pg, etcd, ['put', `${P}/interfaces/v2/interface/${n}`, JSON.stringify({name: n, type: 'VETH', enabled: true, veth: {peer_if_name: p}})])
      assert.equal(r.code, 0, r.stderr)
    }
    assert.ok(await until(async () => !!(await link(pg, '', 'e1')) && !!(await link(pg, '', 'e2')), 10000), agentErr())
    const rs = await c.call('Update', update({interfaces: [veth('g1', 'g2'), veth('g2', 'g1')]}, {fullResync: true}))
    assert.equal(rs.ok, true, JSON.stringify(rs))
    assert.ok(await link(pg, '', 'g1'))
    assert.equal(await link(pg, 'ns1', 'veth1'), undefined, 'gRPC\'s earlier items are gone')
    assert.equal(await link(pg, '', 'veth2'), undefined)
    assert.ok(!(await routes(pg, 'ns1')).some((r: any) => r.dst === '10.9.0.0/16'))
    assert.equal((await link(pg, '', 'e1'))?.ifalias, '/vnf-agent/vpp1/e1/e2', 'etcd\'s items stay')
    assert.ok(await link(pg, '', 'e2'))
    assert.deepEqual((await c.call('Get')).response.config.linuxConfig.interfaces.map((i: any) => i.name).sort(), ['g1', 'g2'], 'Get: gRPC\'s items only')
    // A key another source owns is not gRPC's to change.
    const taken = await c.call('Update', update({interfaces: [veth('e1', 'e2', {mtu: 1400})]}))
    assert.equal(taken.code, 'FAILED_PRECONDITION', JSON.stringify(taken))
    assert.match(taken.details!, /e1.*etcd/)
    assert.equal((await link(pg, '', 'e1')).mtu, 1500)

    // --- Delete by key (the name is enough).
    const del = await c.call('Delete', {delete: {linuxConfig: {interfaces: [{name: 'g1'}, {name: 'g2'}]}}})
    assert.equal(del.ok, true, JSON.stringify(del))
    assert.equal(await link(pg, '', 'g1'), undefined)
    assert.equal(await link(pg, '', 'g2'), undefined)
    assert.ok(await link(pg, '', 'e1'), 'etcd\'s items stay')
    assert.deepEqual((await c.call('Get')).response.config.linuxConfig, {})

    // --- The README's example client (examples/grpc-client.mjs) does the same.
    const ex = (...args: string[]) => pg.run(process.execPath, [join(ROOT, 'examples', 'grpc-client.mjs'), ...args], {env: {LNX_GRPC: GRPC}})
    const exUp = await ex('update', join(ROOT, 'examples', 'grpc.yaml'))
    assert.equal(exUp.code, 0, exUp.stderr)
    assert.deepEqual(await addrs(pg, 'ns3', 'gveth1'), ['10.30.0.1/24'])
    assert.ok((await routes(pg, 'ns3')).some((r: any) => r.dst === '10.31.0.0/16' && r.gateway === '10.30.0.2'))
    const exGet = await ex('get')
    assert.equal(exGet.code, 0, exGet.stderr)
    assert.deepEqual(JSON.parse(exGet.stdout).config.linux_config.interfaces.map((i: any) => i.name).sort(), ['gveth1', 'gveth2'])
    const exDump = await ex('dump')
    assert.ok(JSON.parse(exDump.stdout).dump.linux_config.interfaces.some((i: any) => i.name === 'gveth1' && i.namespace?.reference === 'ns3'))
    const exDel = await ex('delete', join(ROOT, 'examples', 'grpc.yaml'))
    assert.equal(exDel.code, 0, exDel.stderr)
    assert.equal(await link(pg, 'ns3', 'gveth1'), undefined)
    assert.equal(await link(pg, '', 'gveth2'), undefined)

    // --- Refusals change nothing (compared once the kernel's IPv6 autoconfiguration of e1/e2 has settled).
    await settle(pg)
    const before = await pg.snapshot()
    const vpp = await c.raw('Update', vppUpdateBytes())
    assert.equal(vpp.code, 'INVALID_ARGUMENT', JSON.stringify(vpp))
    assert.match(vpp.details!, /vpp_config.*lnx configures Linux only/)
    const netalloc = await c.call('Update', {update: {netallocConfig: {ipAddresses: [{networkName: 'n1', interfaceName: 'x1', address: '10.0.0.1/24'}]}}})
    assert.equal(netalloc.code, 'INVALID_ARGUMENT')
    assert.match(netalloc.details!, /netalloc_config.*Linux only/)
    const bad = await c.call('Update', update({interfaces: [veth('x1', 'x2', {ipAddresses: ['10.0.0.300/24']}), veth('x2', 'x1')]}))
    assert.equal(bad.code, 'INVALID_ARGUMENT')
    assert.match(bad.details!, /config\/linux\/interfaces\/v2\/interface\/x1: ip_addresses\[0\]: "10\.0\.0\.300\/24"/)
    const nokey = await c.call('Delete', {delete: {linuxConfig: {routes: [{outgoingInterface: 'x1'}]}}})
    assert.equal(nokey.code, 'INVALID_ARGUMENT')
    assert.equal(await settledSnapshot(pg, before), before, 'nothing changed')
    assert.deepEqual((await c.call('Get')).response.config.linuxConfig, {})
  })
})

test('agent --grpc: wait_done answers once the pending item is done, or at the deadline; TLS; a failed transaction is reverted', {timeout: 240_000}, async () => {
  await withAgent(async (pg, c, _etcd, agentErr) => {
    // A TAP_TO_VPP waits for the tap VPP creates: wait_done holds the answer until it exists and is configured.
    const tap = {interfaces: [{name: 'tap1', type: 'TAP_TO_VPP', hostIfName: 'tap-host', enabled: true, ipAddresses: ['172.52.45.127/24'], tap: {vppTapIfName: 'tap-host'}}]}
    let answered = false
    const waiting = c.call('Update', update(tap, {waitDone: true}), 30_000).then((r) => {
      answered = true
      return r
    })
    // The item is pending now (the agent says why); the call has not been answered.
    assert.ok(await until(async () => (await c.call('Get')).response.config.linuxConfig.interfaces?.length === 1, 5000))
    await new Promise((r) => setTimeout(r, 500))
    assert.equal(answered, false, 'no answer while tap1 is pending')
    await pg.sh('ip tuntap add dev tap-host mode tap')
    const r = await waiting
    assert.equal(r.ok, true, JSON.stringify(r) + agentErr())
    assert.deepEqual(await addrs(pg, '', 'tap-host'), ['172.52.45.127/24'], 'answered after the tap was configured')
    // Without the tap ever appearing, the deadline ends the wait.
    const tap2 = {interfaces: [{name: 'tap2', type: 'TAP_TO_VPP', tap: {vppTapIfName: 'tap-never'}}]}
    const late = await c.call('Update', update(tap2, {waitDone: true}), 1500)
    assert.equal(late.code, 'DEADLINE_EXCEEDED', JSON.stringify(late))
  })
  // Over TLS (--grpc-tls-cert/--grpc-tls-key): a plaintext client gets nowhere. A kernel refusal in the middle of a
  // transaction (LNX_TEST_FAULT: the 3rd ip line fails) → FAILED_PRECONDITION, everything the transaction did
  // reverted, and the items are not kept as gRPC's desired state.
  await withAgent(async (pg, c) => {
    const plain = GrpcClient.start(pg, GRPC)
    const refused = await plain.call('Get', {}, 3000)
    await plain.close()
    assert.equal(refused.ok, false, 'a plaintext client cannot talk to the TLS server')
    const before = await pg.snapshot()
    const r = await c.call('Update', update({interfaces: [veth('f1', 'f2', {ipAddresses: ['10.5.0.1/24']}), veth('f2', 'f1')]}))
    assert.equal(r.code, 'FAILED_PRECONDITION', JSON.stringify(r))
    assert.match(r.details!, /reverted|fail/i)
    assert.equal(await settledSnapshot(pg, before), before, 'the kernel is back where it was')
    assert.deepEqual((await c.call('Get')).response.config.linuxConfig, {})
  }, {env: {LNX_TEST_FAULT: '3'}, tls: true})
})
