// Routes and ARP entries as dependents of what the same run does to their link: a route equal to the connected
// route of an address the run adds, a gateway an address change puts off-link, a veth pair re-created with both
// ends' dependents, a link taken down. Real CLI, real kernel (one playground per test), checked with raw `ip -json`.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {withPg, apply, addrs, routes, neighs, veth, pair, KEY} from './engine-helpers.ts'
import type {Playground} from '../helpers/playground.ts'

const ownedRoutes = async (pg: Playground, ns: string) => (await routes(pg, ns)).filter((r: any) => r.protocol === '76').map((r: any) => `${r.dst}${r.gateway ? ` via ${r.gateway}` : ''} dev ${r.dev}`).sort()
const ownedNeighs = async (pg: Playground, ns: string) => (await neighs(pg, ns)).filter((n: any) => n.protocol === '76').map((n: any) => `${n.dst} ${n.lladdr} dev ${n.dev}`).sort()
const routes6 = async (pg: Playground, ns: string) => pg.ipJson(ns, '-6', 'route', 'show')

test('a route equal to the connected route of an address the same run adds is satisfied: fresh host (IPv4, IPv6 prefix route), re-created link', async () => {
  await withPg(async (pg) => {
    const cfg = (ns?: string) => ({
      interfaces: [
        veth('v1', 'v2', ns, {ip_addresses: ['10.70.0.1/24', '2001:db8:70::1/64']}),
        veth('v2', 'v1', 'ns2'),
      ],
      routes: [
        {outgoing_interface: 'v1', dst_network: '10.70.0.0/24'},
        {outgoing_interface: 'v1', dst_network: '2001:db8:70::/64', metric: 256},
      ],
    })
    let r = await apply(pg, cfg())
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.equal(r.json.result, 'applied')
    assert.ok(!r.json.changes.some((c: any) => c.kind === 'route'), JSON.stringify(r.json.changes))
    assert.equal(r.json.summary.unchanged, 2)
    // The kernel's own connected routes are the items: no second (lnx) route beside them.
    const v4 = (await routes(pg, '')).filter((x: any) => x.dst === '10.70.0.0/24')
    assert.deepEqual(v4.map((x: any) => [x.dev, x.protocol, x.metric ?? 0]), [['v1', 'kernel', 0]])
    const v6 = (await routes6(pg, '')).filter((x: any) => x.dst === '2001:db8:70::/64')
    assert.deepEqual(v6.map((x: any) => [x.dev, x.protocol, x.metric]), [['v1', 'kernel', 256]])
    r = await apply(pg, cfg())
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.deepEqual(r.json.changes, [])

    // Re-created (another namespace): its addresses come back, and with them the connected routes.
    r = await apply(pg, cfg('ns1'))
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.equal(r.json.result, 'applied')
    assert.ok(!r.json.changes.some((c: any) => c.kind === 'route' && c.action !== 'delete'), JSON.stringify(r.json.changes))
    assert.deepEqual((await routes(pg, 'ns1')).filter((x: any) => x.dst === '10.70.0.0/24').map((x: any) => [x.dev, x.protocol]), [['v1', 'kernel']])
    assert.deepEqual(await addrs(pg, 'ns1', 'v1'), ['10.70.0.1/24', '2001:db8:70::1/64'])
  })
})

test('a route (metric 0) to the subnet of an address the same run adds on another link of the namespace: a collision before anything runs, as when the address exists', async () => {
  await withPg(async (pg) => {
    const cfg = {
      interfaces: [
        veth('v1', 'v2', undefined, {ip_addresses: ['10.72.0.1/24']}),
        veth('v2', 'v1', 'ns2'),
        veth('v3', 'v4', undefined, {ip_addresses: ['10.73.0.1/24']}),
        veth('v4', 'v3', 'ns4'),
      ],
      routes: [{outgoing_interface: 'v3', dst_network: '10.72.0.0/24', gw_addr: '10.73.0.9'}],
    }
    const before = await pg.snapshot()
    const r = await apply(pg, cfg)
    assert.equal(r.code, 2, r.stdout + r.stderr)
    assert.equal(r.json.error.code, 'COLLISION')
    assert.match(r.stdout + r.stderr, /connected route of 10\.72\.0\.1\/24 on v1/)
    assert.equal(await pg.snapshot(), before, 'nothing changed')
    // At another metric it is a route of its own beside the connected one: applied.
    const ok = await apply(pg, {...cfg, routes: [{...cfg.routes[0], metric: 100}]})
    assert.equal(ok.code, 0, ok.stdout + ok.stderr)
    assert.deepEqual(await ownedRoutes(pg, ''), ['10.72.0.0/24 via 10.73.0.9 dev v3'])
  })
})

test('a route equal to the connected route of an address the same run deletes: added by lnx after the deletion; a failed run restores the address', async () => {
  await withPg(async (pg) => {
    const cfg = (ip: string) => ({
      interfaces: [veth('v1', 'v2', undefined, {ip_addresses: [ip]}), veth('v2', 'v1', 'ns2')],
      routes: [{outgoing_interface: 'v1', dst_network: '10.70.0.0/24'}],
    })
    let r = await apply(pg, cfg('10.70.0.1/24'))
    assert.equal(r.code, 0, r.stdout + r.stderr)
    const v4 = async () => (await routes(pg, '')).filter((x: any) => x.dst === '10.70.0.0/24').map((x: any) => [x.dev, x.protocol])
    assert.deepEqual(await v4(), [['v1', 'kernel']])
    // The third line (the route add, after the address add and delete) fails: the address and its route come back.
    r = await apply(pg, cfg('10.71.0.1/24'), [], {LNX_TEST_FAULT: '3'})
    assert.equal(r.code, 1, r.stdout + r.stderr)
    assert.equal(r.json.result, 'reverted')
    assert.deepEqual(await addrs(pg, '', 'v1'), ['10.70.0.1/24'])
    assert.deepEqual(await v4(), [['v1', 'kernel']])
    r = await apply(pg, cfg('10.71.0.1/24'))
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.ok(r.json.changes.some((c: any) => c.key === KEY.route('10.70.0.0/24', 'v1') && c.action === 'create'), JSON.stringify(r.json.changes))
    assert.deepEqual(await addrs(pg, '', 'v1'), ['10.71.0.1/24'])
    assert.deepEqual(await v4(), [['v1', '76']])
  })
})

test('an address change that puts a route gateway off-link: the route is pending, the addresses change (apply and interface set)', async () => {
  await withPg(async (pg) => {
    const cfg = (ip: string) => ({
      interfaces: pair({ips1: [ip]}),
      routes: [{outgoing_interface: 'veth1', dst_network: '10.9.0.0/16', gw_addr: '192.168.22.5'}],
    })
    let r = await apply(pg, cfg('192.168.22.1/24'))
    assert.equal(r.code, 0, r.stdout + r.stderr)
    r = await apply(pg, cfg('192.168.23.1/24'))
    assert.equal(r.code, 3, r.stdout + r.stderr)
    assert.equal(r.json.result, 'pending')
    assert.deepEqual(r.json.pending.map((p: any) => p.key), [KEY.route('10.9.0.0/16', 'veth1')])
    assert.match(r.json.pending[0].reason, /gateway not inside any subnet of veth1/)
    assert.ok(!r.json.changes.some((c: any) => c.kind === 'route'), JSON.stringify(r.json.changes))
    assert.deepEqual(await addrs(pg, 'ns1', 'veth1'), ['192.168.23.1/24'])
    // Back in the gateway's subnet: the route is what it was, nothing pending.
    r = await apply(pg, cfg('192.168.22.1/24'))
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.deepEqual(await ownedRoutes(pg, 'ns1'), ['10.9.0.0/16 via 192.168.22.5 dev veth1'])

    // The imperative path: the same address change, one verb.
    r = await pg.lnxJson(['interface', 'set', 'veth1', '--del-ip', '192.168.22.1/24', '--add-ip', '192.168.23.1/24'])
    assert.equal(r.code, 3, r.stdout + r.stderr)
    assert.equal(r.json.result, 'pending')
    assert.deepEqual(r.json.pending.map((p: any) => p.key), [KEY.route('10.9.0.0/16', 'veth1')])
    assert.deepEqual(await addrs(pg, 'ns1', 'veth1'), ['192.168.23.1/24'])
    // lnx keeps no state: the route it left in place is what a later verb finds (and satisfies again).
    r = await pg.lnxJson(['interface', 'set', 'veth1', '--add-ip', '192.168.22.1/24'])
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.deepEqual(r.json.pending, [])
    assert.deepEqual(await ownedRoutes(pg, 'ns1'), ['10.9.0.0/16 via 192.168.22.5 dev veth1'])
  })
})

test('interface set --namespace re-creates the pair with the routes and ARP entries of both ends', async () => {
  await withPg(async (pg) => {
    const ok = async (args: string[]) => {
      const r = await pg.lnxJson(args)
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stdout}${r.stderr}`)
      return r
    }
    await ok(['interface', 'add', 'veth1', '--type', 'veth', '--peer', 'veth2', '--namespace', 'ns1', '--peer-namespace', 'ns2', '--ip', '192.168.22.1/24'])
    await ok(['interface', 'set', 'veth2', '--add-ip', '192.168.22.5/24'])
    await ok(['arp', 'add', '192.168.22.77', '02:00:00:00:00:77', '--dev', 'veth2'])
    await ok(['route', 'add', '10.8.0.0/16', '--dev', 'veth2', '--via', '192.168.22.1'])
    await ok(['arp', 'add', '192.168.22.78', '02:00:00:00:00:78', '--dev', 'veth1'])
    await ok(['route', 'add', '10.7.0.0/16', '--dev', 'veth1', '--via', '192.168.22.5'])
    const r = await ok(['interface', 'set', 'veth1', '--namespace', 'ns3'])
    assert.equal(r.json.result, 'applied')
    for (const k of [KEY.route('10.8.0.0/16', 'veth2'), KEY.arp('veth2', '192.168.22.77'), KEY.route('10.7.0.0/16', 'veth1'), KEY.arp('veth1', '192.168.22.78')]) {
      assert.ok(r.json.changes.some((c: any) => c.key === k && c.action === 'create'), `${k} re-created: ${JSON.stringify(r.json.changes)}`)
    }
    assert.deepEqual(await ownedRoutes(pg, 'ns2'), ['10.8.0.0/16 via 192.168.22.1 dev veth2'])
    assert.deepEqual(await ownedNeighs(pg, 'ns2'), ['192.168.22.77 02:00:00:00:00:77 dev veth2'])
    assert.deepEqual(await ownedRoutes(pg, 'ns3'), ['10.7.0.0/16 via 192.168.22.5 dev veth1'])
    assert.deepEqual(await ownedNeighs(pg, 'ns3'), ['192.168.22.78 02:00:00:00:00:78 dev veth1'])
    assert.deepEqual(await addrs(pg, 'ns2', 'veth2'), ['192.168.22.5/24'])
  })
})

test('interface set --down deletes the owned routes and ARP entries the kernel flushes, says how to restore them; a failed run re-adds them', async () => {
  await withPg(async (pg) => {
    const ok = async (args: string[]) => {
      const r = await pg.lnxJson(args)
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stdout}${r.stderr}`)
      return r
    }
    await ok(['interface', 'add', 'veth1', '--type', 'veth', '--peer', 'veth2', '--namespace', 'ns1', '--peer-namespace', 'ns2', '--ip', '192.168.22.1/24'])
    await ok(['route', 'add', '10.9.0.0/16', '--dev', 'veth1', '--via', '192.168.22.5', '--metric', '20'])
    await ok(['arp', 'add', '--dev', 'veth1', '192.168.22.9', '02:00:00:00:00:09'])
    const before = {routes: await ownedRoutes(pg, 'ns1'), neighs: await ownedNeighs(pg, 'ns1')}
    assert.equal(before.routes.length, 1)
    assert.equal(before.neighs.length, 1)

    // The third ip line (the link going down, after the two deletions) fails: the revert re-adds both.
    let r = await pg.lnxJson(['interface', 'set', 'veth1', '--down'], {env: {LNX_TEST_FAULT: '3'}})
    assert.equal(r.code, 1, r.stdout + r.stderr)
    assert.equal(r.json.result, 'reverted')
    assert.deepEqual({routes: await ownedRoutes(pg, 'ns1'), neighs: await ownedNeighs(pg, 'ns1')}, before)

    r = await ok(['interface', 'set', 'veth1', '--down'])
    assert.equal(r.json.result, 'applied')
    assert.deepEqual(r.json.pending, [], 'nothing pending that no later run could apply')
    const del = r.json.changes.filter((c: any) => c.action === 'delete').map((c: any) => [c.key, c.detail])
    assert.deepEqual(del.map((d: any) => d[0]).sort(), [KEY.arp('veth1', '192.168.22.9'), KEY.route('10.9.0.0/16', 'veth1')])
    for (const [, detail] of del) assert.match(detail, /veth1 goes down, and the kernel flushes it with the link/)
    assert.ok(del.some((d: any) => d[1].includes('lnx route add 10.9.0.0/16 --dev veth1 --via 192.168.22.5 --metric 20')), JSON.stringify(del))
    assert.ok(del.some((d: any) => d[1].includes('lnx arp add 192.168.22.9 02:00:00:00:00:09 --dev veth1')), JSON.stringify(del))
    assert.ok((r.json.warnings ?? []).some((w: string) => /veth1 goes down: .*re-add them: lnx route add 10\.9\.0\.0\/16/.test(w)), JSON.stringify(r.json.warnings))
    assert.deepEqual(await ownedRoutes(pg, 'ns1'), [])
    assert.deepEqual(await ownedNeighs(pg, 'ns1'), [])

    // Up again, the commands the plan gave bring them back.
    await ok(['interface', 'set', 'veth1', '--up'])
    await ok(['route', 'add', '10.9.0.0/16', '--dev', 'veth1', '--via', '192.168.22.5', '--metric', '20'])
    await ok(['arp', 'add', '192.168.22.9', '02:00:00:00:00:09', '--dev', 'veth1'])
    assert.deepEqual({routes: await ownedRoutes(pg, 'ns1'), neighs: await ownedNeighs(pg, 'ns1')}, before)

    // Declarative apply keeps the config's own items pending while the link is down (the config re-adds them).
    r = await apply(pg, {
      interfaces: [veth('veth1', 'veth2', 'ns1', {enabled: false, ip_addresses: ['192.168.22.1/24']}), veth('veth2', 'veth1', 'ns2')],
      routes: [{outgoing_interface: 'veth1', dst_network: '10.9.0.0/16', gw_addr: '192.168.22.5', metric: 20}],
      arp_entries: [{interface: 'veth1', ip_address: '192.168.22.9', hw_address: '02:00:00:00:00:09'}],
    })
    assert.equal(r.code, 3, r.stdout + r.stderr)
    assert.deepEqual(r.json.pending.map((p: any) => p.key).sort(), [KEY.arp('veth1', '192.168.22.9'), KEY.route('10.9.0.0/16', 'veth1')])
    assert.ok(!r.json.changes.some((c: any) => c.action === 'delete'), JSON.stringify(r.json.changes))
  })
})
