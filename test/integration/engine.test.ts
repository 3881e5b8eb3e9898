// Engine integration tests: the real CLI (bin/run.js) against the real kernel, each test in its own playground
// (private netns + mountns, tmpfs /run). Kernel state is asserted with raw `ip -json`, never with lnx's own dump.
// Revert, signals and collisions: engine-revert.test.ts.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {
  SEED, tmpFile, withPg, apply, settle, link, links, addrs, peerOf, netnsList, routes, neighs, veth, pair, KEY, ipj,
} from './engine-helpers.ts'
import {assertForeignUnchanged, foreignPicture} from '../helpers/foreign.ts'

// ---------------------------------------------------------------------------------------------------------------
// The seed example, verbatim

test('seed: veth pair across ns1/ns2 applied, tap pending (exit 3) until VPP creates it, then adopted into ns2', async () => {
  await withPg(async (pg) => {
    let r = await pg.lnxJson(['apply', '-f', SEED])
    assert.equal(r.code, 3, r.stderr)
    assert.equal(r.json.result, 'pending')
    assert.deepEqual(r.json.pending.map((p: any) => p.key), [KEY.iface('tap1')])
    assert.match(r.json.pending[0].reason, /tap-host/)
    assert.equal(r.json.summary.pending, 1)
    assert.equal(r.json.summary.create, r.json.changes.filter((c: any) => c.action === 'create').length)
    // The JSON contract of a change.
    for (const c of r.json.changes) {
      assert.ok(['create', 'update', 'delete'].includes(c.action), JSON.stringify(c))
      assert.ok(['namespace', 'interface', 'address', 'route', 'arp'].includes(c.kind), JSON.stringify(c))
      assert.equal(typeof c.key, 'string')
      assert.equal(typeof c.namespace, 'string')
      assert.equal(typeof c.detail, 'string')
      assert.ok(Array.isArray(c.commands) && c.commands.every((x: unknown) => typeof x === 'string'))
    }
    assert.ok(r.json.changes.some((c: any) => c.kind === 'namespace' && c.key === 'linux/namespace/NSID/ns1'))
    assert.deepEqual(await netnsList(pg), ['ns1', 'ns2'])

    const v1 = await link(pg, 'ns1', 'veth1')
    assert.ok(v1, 'veth1 in ns1')
    assert.equal(v1.linkinfo?.info_kind, 'veth')
    assert.equal(v1.address, 'd2:74:8c:12:67:d2')
    assert.equal(v1.mtu, 1500)
    assert.equal(v1.group, '76')
    assert.equal(v1.ifalias, '/vnf-agent/vpp1/veth1/veth2')
    assert.ok(v1.flags.includes('UP'))
    assert.deepEqual(await addrs(pg, 'ns1', 'veth1'), ['10.0.2.2/24', '192.168.22.1/24'])
    const v2 = await link(pg, 'ns2', 'veth2')
    assert.ok(v2, 'veth2 in ns2')
    assert.equal(v2.address, '92:c7:42:67:ab:cd')
    assert.equal(v2.group, '76')
    assert.equal(v2.ifalias, '/vnf-agent/vpp1/veth2/veth1')
    assert.ok(v2.flags.includes('UP'))
    assert.deepEqual(await addrs(pg, 'ns2', 'veth2'), ['192.168.22.5/24'])
    assert.deepEqual(await peerOf(pg, 'ns1', 'veth1'), {ns: 'ns2', name: 'veth2'})

    const rt = (await routes(pg, 'ns1')).filter((x: any) => x.protocol === '76')
    assert.equal(rt.length, 1, JSON.stringify(rt))
    assert.equal(rt[0].dst, '10.0.2.0/24')
    assert.equal(rt[0].dev, 'veth1')
    assert.equal(rt[0].metric, 100)
    const arp = (await neighs(pg, 'ns1')).filter((n: any) => n.dst === '130.0.0.1')
    assert.equal(arp.length, 1)
    assert.equal(arp[0].dev, 'veth1')
    assert.equal(arp[0].lladdr, '46:06:18:db:05:3a')
    assert.deepEqual(arp[0].state, ['PERMANENT'])
    assert.equal(arp[0].protocol, '76')
    assert.equal(await link(pg, 'ns2', 'tap-host'), undefined)

    // Play VPP: it creates the tap in the default namespace.
    await pg.sh('ip tuntap add dev tap-host mode tap')
    r = await pg.lnxJson(['apply', '-f', SEED])
    assert.equal(r.code, 0, r.stderr + r.stdout)
    assert.equal(r.json.result, 'applied')
    assert.deepEqual(r.json.pending, [])
    assert.ok(r.json.changes.some((c: any) => c.key === KEY.iface('tap1') && c.action === 'create'))
    assert.equal(await link(pg, '', 'tap-host'), undefined, 'the tap left the default namespace')
    const tap = await link(pg, 'ns2', 'tap-host')
    assert.ok(tap, 'tap-host in ns2')
    assert.equal(tap.linkinfo?.info_data?.type, 'tap')
    assert.equal(tap.ifalias, '/vnf-agent/vpp1/tap1/tap-host/tap-host')
    assert.equal(tap.address, 'bc:fe:e9:5e:07:04')
    assert.equal(tap.mtu, 1500)
    assert.ok(tap.flags.includes('UP'))
    assert.deepEqual(await addrs(pg, 'ns2', 'tap-host'), ['172.52.45.127/24'])

    const ping = await pg.run('ip', ['netns', 'exec', 'ns1', 'ping', '-c1', '-W2', '192.168.22.5'])
    assert.equal(ping.code, 0, ping.stdout + ping.stderr)
  })
})

// ---------------------------------------------------------------------------------------------------------------
// Idempotency

test('idempotent: a second apply changes nothing; plan --exit-code 0; dump --managed round-trips to an empty plan', async () => {
  await withPg(async (pg) => {
    await pg.sh('ip tuntap add dev tap-host mode tap')
    const r1 = await pg.lnxJson(['apply', '-f', SEED])
    assert.equal(r1.code, 0, r1.stderr + r1.stdout)
    assert.ok(r1.json.changes.length > 0)
    await settle(pg)
    const before = await pg.snapshot()

    const r2 = await pg.lnxJson(['apply', '-f', SEED])
    assert.equal(r2.code, 0, r2.stderr)
    assert.equal(r2.json.result, 'applied')
    assert.deepEqual(r2.json.changes, [])
    assert.deepEqual({...r2.json.summary, unchanged: 0}, {create: 0, update: 0, delete: 0, pending: 0, unchanged: 0})
    assert.ok(r2.json.summary.unchanged > 0)
    assert.equal(await pg.snapshot(), before)

    const p = await pg.lnxJson(['plan', '-f', SEED])
    assert.equal(p.code, 0)
    assert.deepEqual(p.json.changes, [])
    assert.equal(p.json.result, undefined, 'plan has no result field')
    assert.equal((await pg.lnx(['plan', '-f', SEED, '--exit-code'])).code, 0)

    const d = await pg.lnx(['dump', 'all', '--managed', '-o', 'yaml'])
    assert.equal(d.code, 0, d.stderr)
    assert.match(d.stdout, /veth1/)
    assert.match(d.stdout, /tap1/)
    const f = tmpFile('dump.yaml', d.stdout)
    const again = await pg.lnx(['plan', '-f', f, '--exit-code'])
    assert.equal(again.code, 0, again.stdout + again.stderr)
    const pj = await pg.lnxJson(['plan', '-f', f])
    assert.deepEqual(pj.json.changes, [])
    assert.equal(await pg.snapshot(), before)
  })
})

// ---------------------------------------------------------------------------------------------------------------
// Pending

test('pending: a veth whose peer is undefined creates nothing (exit 3); defining the peer creates both', async () => {
  await withPg(async (pg) => {
    const lone = {interfaces: [veth('veth1', 'veth2', 'ns1', {ip_addresses: ['10.0.0.1/24']})]}
    const r = await apply(pg, lone)
    assert.equal(r.code, 3, r.stderr + r.stdout)
    assert.equal(r.json.result, 'pending')
    assert.deepEqual(r.json.changes, [])
    const p = r.json.pending.find((x: any) => x.key === KEY.iface('veth1'))
    assert.ok(p, JSON.stringify(r.json.pending))
    assert.match(p.reason, /veth2/)
    assert.deepEqual(await netnsList(pg), [], 'no namespace created')
    assert.deepEqual((await links(pg, '')).map((l: any) => l.ifname), ['lo'], 'no link created')

    const both = {interfaces: [...lone.interfaces, veth('veth2', 'veth1', 'ns2', {ip_addresses: ['10.0.0.2/24']})]}
    const r2 = await apply(pg, both)
    assert.equal(r2.code, 0, r2.stderr + r2.stdout)
    assert.deepEqual(r2.json.pending, [])
    assert.deepEqual(await peerOf(pg, 'ns1', 'veth1'), {ns: 'ns2', name: 'veth2'})
    assert.deepEqual(await addrs(pg, 'ns1', 'veth1'), ['10.0.0.1/24'])
    assert.deepEqual(await addrs(pg, 'ns2', 'veth2'), ['10.0.0.2/24'])
  })
})

test('pending: a route whose gateway is unreachable waits; an address added in the same plan makes it apply', async () => {
  await withPg(async (pg) => {
    const route = {outgoing_interface: 'veth1', dst_network: '10.9.0.0/24', gw_addr: '10.2.0.1', metric: 10}
    const cfg = (extra: string[]) => ({
      interfaces: pair({ips1: ['10.1.0.1/24', ...extra], ips2: ['10.1.0.2/24']}),
      routes: [route],
    })
    const r = await apply(pg, cfg([]))
    assert.equal(r.code, 3, r.stderr + r.stdout)
    assert.equal(r.json.result, 'pending')
    const p = r.json.pending.find((x: any) => x.key === KEY.route('10.9.0.0/24', 'veth1'))
    assert.ok(p, JSON.stringify(r.json.pending))
    assert.match(p.reason, /10\.2\.0\.1/)
    assert.ok(await link(pg, 'ns1', 'veth1'), 'the rest of the config was applied')
    assert.equal((await routes(pg, 'ns1')).filter((x: any) => x.dst === '10.9.0.0/24').length, 0)

    const r2 = await apply(pg, cfg(['10.2.0.5/24']))
    assert.equal(r2.code, 0, r2.stderr + r2.stdout)
    assert.deepEqual(r2.json.pending, [])
    assert.ok(r2.json.changes.some((c: any) => c.kind === 'address' && c.action === 'create' && c.key.includes('10.2.0.5/24')))
    assert.ok(r2.json.changes.some((c: any) => c.kind === 'route' && c.action === 'create'))
    const rt = (await routes(pg, 'ns1')).filter((x: any) => x.dst === '10.9.0.0/24')
    assert.equal(rt.length, 1)
    assert.equal(rt[0].gateway, '10.2.0.1')
    assert.equal(rt[0].dev, 'veth1')
    assert.equal(rt[0].protocol, '76')
    assert.equal(rt[0].metric, 10)
  })
})

// ---------------------------------------------------------------------------------------------------------------
// Updates

test('update in place: MTU, MAC, addresses (secondary kept when its primary goes), route metric; ifindex unchanged', async () => {
  await withPg(async (pg) => {
    const r1 = await apply(pg, updCfg({mtu: 1500, mac: '02:00:00:00:00:01', ips: ['10.0.0.1/24', '10.0.0.2/24', '10.5.0.1/24'], metric: 100}))
    assert.equal(r1.code, 0, r1.stderr + r1.stdout)
    const before1 = await link(pg, 'ns1', 'veth1')
    const before2 = await link(pg, 'ns2', 'veth2')
    const sec = (await ipj(pg, 'ns1', 'addr', 'show', 'dev', 'veth1'))[0].addr_info.find((a: any) => a.local === '10.0.0.2')
    assert.equal(sec?.secondary, true, 'precondition: 10.0.0.2 is a secondary of 10.0.0.1')

    const next = updCfg({mtu: 9000, mac: '02:00:00:00:00:aa', ips: ['10.0.0.2/24', '10.5.0.1/24', '10.6.0.1/24'], metric: 200})
    const r2 = await apply(pg, next)
    assert.equal(r2.code, 0, r2.stderr + r2.stdout)
    assert.equal(r2.json.result, 'applied')
    assert.ok(!r2.json.changes.some((c: any) => c.kind === 'interface' && c.action !== 'update'), 'no re-creation')
    const after1 = await link(pg, 'ns1', 'veth1')
    assert.equal(after1.ifindex, before1.ifindex)
    assert.equal((await link(pg, 'ns2', 'veth2')).ifindex, before2.ifindex)
    assert.equal(after1.mtu, 9000)
    assert.equal(after1.address, '02:00:00:00:00:aa')
    assert.ok(after1.flags.includes('UP'))
    assert.deepEqual(await addrs(pg, 'ns1', 'veth1'), ['10.0.0.2/24', '10.5.0.1/24', '10.6.0.1/24'])
    const rt = (await routes(pg, 'ns1')).filter((x: any) => x.protocol === '76')
    assert.deepEqual(rt.map((x: any) => [x.dst, x.gateway, x.metric]), [['10.20.0.0/16', '10.0.0.9', 200]])

    const p = await pg.lnx(['plan', '-f', '-', '--exit-code'], {input: JSON.stringify(next)})
    assert.equal(p.code, 0, p.stdout)
  })
})

test('update: a route metric change while every old IPv4 address of the link is replaced (the kernel flushes its routes)', async () => {
  await withPg(async (pg) => {
    const r1 = await apply(pg, updCfg({mtu: 1500, mac: '02:00:00:00:00:01', ips: ['10.0.0.1/24', '10.0.0.2/24', '10.5.0.1/24'], metric: 100}))
    assert.equal(r1.code, 0, r1.stderr + r1.stdout)
    const idx = (await link(pg, 'ns1', 'veth1')).ifindex
    // 10.0.0.1 goes (taking its secondary 10.0.0.2 with it), 10.5.0.1 goes: for a moment veth1 has no IPv4
    // address, and the kernel drops every IPv4 route of the link, the metric-100 route included.
    const r2 = await apply(pg, updCfg({mtu: 1500, mac: '02:00:00:00:00:01', ips: ['10.0.0.2/24', '10.6.0.1/24'], metric: 200}))
    assert.equal(r2.code, 0, r2.stderr + r2.stdout)
    assert.equal((await link(pg, 'ns1', 'veth1')).ifindex, idx)
    assert.deepEqual(await addrs(pg, 'ns1', 'veth1'), ['10.0.0.2/24', '10.6.0.1/24'])
    const rt = (await routes(pg, 'ns1')).filter((x: any) => x.protocol === '76')
    assert.deepEqual(rt.map((x: any) => [x.dst, x.gateway, x.metric]), [['10.20.0.0/16', '10.0.0.9', 200]])
  })
})

const updCfg = (o: {mtu: number; mac: string; ips: string[]; metric: number}) => ({
  interfaces: [
    veth('veth1', 'veth2', 'ns1', {mtu: o.mtu, phys_address: o.mac, ip_addresses: o.ips}),
    veth('veth2', 'veth1', 'ns2', {ip_addresses: ['10.0.0.3/24']}),
  ],
  routes: [{outgoing_interface: 'veth1', dst_network: '10.20.0.0/16', gw_addr: '10.0.0.9', metric: o.metric}],
})

test('a namespace change re-creates the veth end in the new namespace, still paired', async () => {
  await withPg(async (pg) => {
    const r1 = await apply(pg, {interfaces: pair({ips1: ['10.0.0.1/24'], ips2: ['10.0.0.2/24']})})
    assert.equal(r1.code, 0, r1.stderr + r1.stdout)
    const r2 = await apply(pg, {interfaces: pair({ns1: 'ns3', ips1: ['10.0.0.1/24'], ips2: ['10.0.0.2/24']})})
    assert.equal(r2.code, 0, r2.stderr + r2.stdout)
    const acts = r2.json.changes.filter((c: any) => c.key === KEY.iface('veth1')).map((c: any) => c.action)
    assert.ok(acts.includes('delete') && acts.includes('create'), JSON.stringify(acts))
    assert.equal(await link(pg, 'ns1', 'veth1'), undefined, 'veth1 left ns1')
    const v1 = await link(pg, 'ns3', 'veth1')
    assert.ok(v1, 'veth1 in ns3')
    assert.equal(v1.ifalias, '/vnf-agent/vpp1/veth1/veth2')
    assert.equal(v1.group, '76')
    assert.deepEqual(await addrs(pg, 'ns3', 'veth1'), ['10.0.0.1/24'])
    assert.deepEqual(await addrs(pg, 'ns2', 'veth2'), ['10.0.0.2/24'])
    assert.deepEqual(await peerOf(pg, 'ns3', 'veth1'), {ns: 'ns2', name: 'veth2'})
    const ping = await pg.run('ip', ['netns', 'exec', 'ns3', 'ping', '-c1', '-W2', '10.0.0.2'])
    assert.equal(ping.code, 0, ping.stdout + ping.stderr)
  })
})

// ---------------------------------------------------------------------------------------------------------------
// Ownership

test('ownership: apply --prune and delete -f leave foreign links, kernel/static routes and foreign neighbours untouched', async () => {
  await withPg(async (pg) => {
    const full = {
      interfaces: [
        ...pair({ips1: ['10.0.0.1/24'], ips2: ['10.0.0.2/24']}),
        veth('veth3', 'veth4', 'ns1', {ip_addresses: ['10.3.0.1/24']}),
        veth('veth4', 'veth3', 'ns2'),
      ],
      routes: [{outgoing_interface: 'veth1', dst_network: '10.8.0.0/24', gw_addr: '10.0.0.2', metric: 50}],
      arp_entries: [{interface: 'veth1', ip_address: '10.0.0.77', hw_address: '02:00:00:00:00:77'}],
    }
    const r1 = await apply(pg, full)
    assert.equal(r1.code, 0, r1.stderr + r1.stdout)
    await pg.sh(`ip -n ns1 link add name fv0 type veth peer name fv1
      ip -n ns1 link set dev fv0 up; ip -n ns1 link set dev fv1 up
      ip -n ns1 addr add 172.30.0.1/24 dev fv0
      ip -n ns1 route add 172.31.0.0/24 via 172.30.0.9 dev fv0 proto static
      ip -n ns1 neigh add 172.30.0.88 lladdr 02:00:00:00:00:88 dev fv0 nud permanent
      ip -n ns1 route add 10.44.0.0/24 via 10.0.0.2 dev veth1 proto static
      ip -n ns1 neigh add 10.0.0.88 lladdr 02:00:00:00:00:89 dev veth1 nud permanent
      ip link add name hostv type veth peer name hostp
      ip link set dev hostv up; ip link set dev hostp up
      ip addr add 192.0.2.1/24 dev hostv
      ip route add 198.51.100.0/24 via 192.0.2.9 dev hostv proto static
      ip neigh add 192.0.2.77 lladdr 02:00:00:00:00:99 dev hostv nud permanent`)
    await settle(pg)
    // Foreign objects as raw ip -json shows them (kernel routes of foreign links included).
    const view = async (devs: string[]) => ({
      links: (await ipj(pg, 'ns1', '-d', 'link', 'show')).filter((l: any) => devs.includes(l.ifname)).map(stable),
      addrs: (await ipj(pg, 'ns1', 'addr', 'show')).filter((l: any) => devs.includes(l.ifname)).map(stable),
      routes: (await ipj(pg, 'ns1', 'route', 'show', 'table', 'all')).filter((x: any) => devs.includes(x.dev) && x.protocol !== '76'),
      neigh: (await ipj(pg, 'ns1', 'neigh', 'show')).filter((n: any) => devs.includes(n.dev) && n.state?.includes('PERMANENT') && n.protocol !== '76'),
      host: {
        links: (await ipj(pg, '', '-d', 'addr', 'show')).map(stable),
        routes: await ipj(pg, '', 'route', 'show', 'table', 'all'),
        neigh: await ipj(pg, '', 'neigh', 'show', 'nud', 'permanent'),
      },
    })
    const before = await view(['fv0', 'fv1', 'veth1', 'lo'])
    const foreign = await foreignPicture(pg)

    const kept = {interfaces: pair({ips1: ['10.0.0.1/24'], ips2: ['10.0.0.2/24']})}
    const pr = await apply(pg, kept, ['--prune'])
    assert.equal(pr.code, 0, pr.stderr + pr.stdout)
    // What lnx owns and the config no longer has is gone…
    assert.equal(await link(pg, 'ns1', 'veth3'), undefined)
    assert.equal(await link(pg, 'ns2', 'veth4'), undefined)
    assert.deepEqual((await routes(pg, 'ns1')).filter((x: any) => x.protocol === '76'), [])
    assert.deepEqual((await neighs(pg, 'ns1')).filter((x: any) => x.protocol === '76'), [])
    assert.ok(await link(pg, 'ns1', 'veth1'))
    // …everything else is byte-identical.
    assert.deepEqual(await view(['fv0', 'fv1', 'veth1', 'lo']), before)
    await assertForeignUnchanged(pg, foreign, 'after --prune: ')

    const beforeDel = await view(['fv0', 'fv1', 'lo'])
    const del = await pg.lnxJson(['delete', '-f', '-'], {input: JSON.stringify(kept)})
    assert.equal(del.code, 0, del.stderr + del.stdout)
    assert.equal(await link(pg, 'ns1', 'veth1'), undefined)
    assert.equal(await link(pg, 'ns2', 'veth2'), undefined)
    assert.deepEqual(await view(['fv0', 'fv1', 'lo']), beforeDel)
    await assertForeignUnchanged(pg, foreign, 'after delete: ')
  })
})

/** Drops what changes by itself (counters, timers, carrier-derived state). */
function stable(l: any) {
  const {operstate: _o, ...rest} = l
  if (rest.addr_info) rest.addr_info = rest.addr_info.map(({valid_life_time: _v, preferred_life_time: _p, tentative: _t, ...a}: any) => a)
  return rest
}

// ---------------------------------------------------------------------------------------------------------------
// Delete

test('delete -f: veth pair, route and ARP removed; the tap reverted to the default namespace, not destroyed; --namespaces', async () => {
  await withPg(async (pg) => {
    await pg.sh('ip tuntap add dev tap-host mode tap')
    const r = await pg.lnxJson(['apply', '-f', SEED])
    assert.equal(r.code, 0, r.stderr + r.stdout)

    const d = await pg.lnxJson(['delete', '-f', SEED])
    assert.equal(d.code, 0, d.stderr + d.stdout)
    assert.equal(d.json.result, 'applied')
    assert.ok(d.json.changes.every((c: any) => c.action === 'delete'), JSON.stringify(d.json.changes))
    assert.ok(d.json.changes.some((c: any) => c.key === KEY.route('10.0.2.0/24', 'veth1')))
    assert.ok(d.json.changes.some((c: any) => c.key === KEY.arp('veth1', '130.0.0.1')))
    assert.equal(await link(pg, 'ns1', 'veth1'), undefined)
    assert.equal(await link(pg, 'ns2', 'veth2'), undefined)
    assert.equal(await link(pg, 'ns2', 'tap-host'), undefined)
    assert.deepEqual((await routes(pg, 'ns1')).filter((x: any) => x.protocol === '76'), [])
    assert.deepEqual((await neighs(pg, 'ns1')).filter((x: any) => x.protocol === '76'), [])
    const tap = await link(pg, '', 'tap-host')
    assert.ok(tap, 'tap-host back in the default namespace')
    assert.equal(tap.linkinfo?.info_data?.type, 'tap')
    assert.equal(tap.ifalias, 'unconfigured')
    assert.deepEqual(await addrs(pg, '', 'tap-host'), [])
    assert.equal(tap.address, 'bc:fe:e9:5e:07:04', 'the same device lnx configured, not a new one')
    assert.ok(!tap.flags.includes('UP'))
    assert.deepEqual(await netnsList(pg), ['ns1', 'ns2'], 'namespaces kept without --namespaces')

    const dn = await pg.lnxJson(['delete', '-f', SEED, '--namespaces'])
    assert.equal(dn.code, 0, dn.stderr + dn.stdout)
    assert.deepEqual(await netnsList(pg), [])
    assert.ok(await link(pg, '', 'tap-host'), 'the tap survives the namespace deletion')
  })
})

test('delete -f removes exactly the items of the file: route and ARP only; --namespaces keeps a namespace with foreign links', async () => {
  await withPg(async (pg) => {
    const r = await pg.lnxJson(['apply', '-f', SEED])
    assert.equal(r.code, 3, r.stderr + r.stdout)
    const l3only = {
      arp_entries: [{interface: 'veth1', ip_address: '130.0.0.1', hw_address: '46:06:18:DB:05:3A'}],
      routes: [{outgoing_interface: 'veth1', dst_network: '10.0.2.0/24', metric: 100}],
    }
    const d = await pg.lnxJson(['delete', '-f', '-'], {input: JSON.stringify(l3only)})
    assert.equal(d.code, 0, d.stderr + d.stdout)
    assert.deepEqual((await routes(pg, 'ns1')).filter((x: any) => x.protocol === '76'), [])
    assert.deepEqual((await neighs(pg, 'ns1')).filter((x: any) => x.dst === '130.0.0.1'), [])
    assert.ok(await link(pg, 'ns1', 'veth1'), 'the interface is not in the file: kept')
    assert.deepEqual(await addrs(pg, 'ns1', 'veth1'), ['10.0.2.2/24', '192.168.22.1/24'])

    await pg.sh('ip -n ns1 link add name fv0 type veth peer name fv1')
    const dn = await pg.lnxJson(['delete', '-f', SEED, '--namespaces'])
    assert.equal(dn.code, 0, dn.stderr + dn.stdout)
    assert.deepEqual(await netnsList(pg), ['ns1'], 'ns2 removed, ns1 kept (foreign fv0 inside)')
    assert.ok(await link(pg, 'ns1', 'fv0'))
    assert.equal(await link(pg, 'ns1', 'veth1'), undefined)
  })
})

// ---------------------------------------------------------------------------------------------------------------
// Bad input, plan exit codes

test('bad input: exit 2 with code INVALID, nothing changed', async () => {
  await withPg(async (pg) => {
    await pg.sh('ip netns add ns1')
    const before = await pg.snapshot()
    const cases: [string, string][] = [
      ['yaml syntax', 'interfaces: [ {name: veth1,'],
      ['unknown type', JSON.stringify({interfaces: [{name: 'x', type: 'BOGUS'}]})],
      ['peer naming another interface', JSON.stringify({interfaces: [veth('veth1', 'veth2', 'ns1'), veth('veth2', 'veth3', 'ns2'), veth('veth3', 'veth2', 'ns2')]})],
      ['bad address', JSON.stringify({interfaces: pair({ips1: ['10.0.0.300/24']})})],
      ['MTU above veth max', JSON.stringify({interfaces: [veth('veth1', 'veth2', 'ns1', {mtu: 70000}), veth('veth2', 'veth1', 'ns2')]})],
      ['vppConfig section', 'vppConfig:\n  interfaces: []\n'],
    ]
    for (const [what, input] of cases) {
      for (const cmd of ['apply', 'plan']) {
        const r = await pg.lnxJson([cmd, '-f', '-'], {input})
        assert.equal(r.code, 2, `${cmd} ${what}: ${r.stdout}${r.stderr}`)
        assert.equal(r.json.error?.code, 'INVALID', `${cmd} ${what}: ${r.stdout}`)
        assert.equal(typeof r.json.error.message, 'string')
      }
    }
    assert.equal(await pg.snapshot(), before)
  })
})

test('plan changes nothing; plan --exit-code exits 5 when there are changes', async () => {
  await withPg(async (pg) => {
    const before = await pg.snapshot()
    const r = await pg.lnxJson(['plan', '-f', SEED, '--exit-code'])
    assert.equal(r.code, 5, r.stderr)
    assert.ok(r.json.changes.length > 0)
    assert.equal(r.json.summary.create, r.json.changes.length)
    assert.equal(r.json.summary.pending, 1)
    const text = await pg.lnx(['plan', '-f', SEED, '--exit-code'])
    assert.equal(text.code, 5)
    assert.equal(await pg.snapshot(), before)
    assert.deepEqual(await netnsList(pg), [])
    const dry = await pg.lnxJson(['apply', '-f', SEED, '--dry-run'])
    assert.ok(dry.json.changes.length > 0)
    assert.equal(await pg.snapshot(), before)
  })
})
