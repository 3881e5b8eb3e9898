// Drift (issue 10, point 15): out-of-band edits of what lnx owns, each made with raw ip in one shared playground,
// then: `plan` names a change with "drift": true, `apply` repairs it, `plan` is clean again. The kinds are listed
// in DRIFT_KINDS (the README's Reliability table counts them).
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {withPg, apply, link, addrs, routes, neighs, veth, settle, KEY} from './engine-helpers.ts'
import type {Playground} from '../helpers/playground.ts'

const cfg = {
  interfaces: [
    veth('veth1', 'veth2', 'ns1', {ip_addresses: ['10.0.0.1/24', '2001:db8::1/64'], phys_address: '02:00:00:00:01:01', mtu: 1500}),
    veth('veth2', 'veth1', 'ns2', {ip_addresses: ['10.0.0.2/24', '10.0.0.3/24']}),
    veth('veth3', 'veth4', 'ns3', {ip_addresses: ['10.3.0.1/24']}),
    veth('veth4', 'veth3', undefined, {ip_addresses: ['10.3.0.2/24']}),
    {...veth('veth5', 'veth6', 'ns1'), enabled: false},
    veth('veth6', 'veth5', 'ns2'),
    {name: 'lo1', type: 'LOOPBACK', namespace: {type: 'NSID', reference: 'ns1'}, enabled: true, ip_addresses: ['10.255.0.1/32']},
  ],
  routes: [{outgoing_interface: 'veth1', dst_network: '10.9.0.0/24', gw_addr: '10.0.0.2', metric: 100}],
  arp_entries: [{interface: 'veth1', ip_address: '10.0.0.50', hw_address: '02:00:00:00:00:50'}],
}
const input = JSON.stringify(cfg)

const V1 = KEY.iface('veth1')
const ROUTE = KEY.route('10.9.0.0/24', 'veth1')
const ARP = KEY.arp('veth1', '10.0.0.50')
const addrKey = (i: string, a: string) => `linux/interface/${i}/address/static/${a}`

/** [what, raw ip edit, the key that must carry drift: true, a check of the repaired kernel state]. */
export const DRIFT_KINDS: [string, string, string, (pg: Playground) => Promise<void>][] = [
  ['address removed', 'ip -n ns1 addr del 2001:db8::1/64 dev veth1', addrKey('veth1', '2001:db8::1/64'),
    async (pg) => assert.deepEqual(await addrs(pg, 'ns1', 'veth1'), ['10.0.0.1/24', '2001:db8::1/64'])],
  ['address added by hand', 'ip -n ns1 addr add 10.0.0.77/24 dev veth1', addrKey('veth1', '10.0.0.77/24'),
    async (pg) => assert.deepEqual(await addrs(pg, 'ns1', 'veth1'), ['10.0.0.1/24', '2001:db8::1/64'])],
  ['primary address swapped', 'ip -n ns2 addr flush dev veth2; ip -n ns2 addr add 10.0.0.3/24 dev veth2; ip -n ns2 addr add 10.0.0.2/24 dev veth2', addrKey('veth2', '10.0.0.2/24'),
    async (pg) => assert.equal((await routes(pg, 'ns2')).find((r: any) => r.dst === '10.0.0.0/24')?.prefsrc, '10.0.0.2')],
  ['link down', 'ip -n ns1 link set dev veth1 down', V1, async (pg) => assert.ok((await link(pg, 'ns1', 'veth1')).flags.includes('UP'))],
  ['link up while disabled', 'ip -n ns1 link set dev veth5 up', KEY.iface('veth5'), async (pg) => assert.ok(!(await link(pg, 'ns1', 'veth5')).flags.includes('UP'))],
  ['MTU changed', 'ip -n ns1 link set dev veth1 mtu 1400', V1, async (pg) => assert.equal((await link(pg, 'ns1', 'veth1')).mtu, 1500)],
  ['MAC changed', 'ip -n ns1 link set dev veth1 address 02:00:00:00:09:09', V1, async (pg) => assert.equal((await link(pg, 'ns1', 'veth1')).address, '02:00:00:00:01:01')],
  ['alias changed', 'ip -n ns1 link set dev veth1 alias /vnf-agent/vpp1/veth1/bogus', V1,
    async (pg) => assert.equal((await link(pg, 'ns1', 'veth1')).ifalias, '/vnf-agent/vpp1/veth1/veth2')],
  ['alias cleared', 'ip -n ns1 link set dev veth1 alias ""', V1, async (pg) => assert.equal((await link(pg, 'ns1', 'veth1')).ifalias, '/vnf-agent/vpp1/veth1/veth2')],
  ['moved out of lnx\'s group', 'ip -n ns1 link set dev veth1 group default', V1, async (pg) => assert.equal((await link(pg, 'ns1', 'veth1')).group, '76')],
  ['link renamed', 'ip -n ns1 link set dev veth1 down; ip -n ns1 link set dev veth1 name vethX; ip -n ns1 link set dev vethX up', V1,
    async (pg) => assert.ok((await link(pg, 'ns1', 'veth1')).flags.includes('UP'))],
  ['moved to another namespace', 'ip -n ns3 link set dev veth3 netns ns1', KEY.iface('veth3'),
    async (pg) => assert.deepEqual(await addrs(pg, 'ns3', 'veth3'), ['10.3.0.1/24'])],
  ['peer moved to another namespace', 'ip link set dev veth4 netns ns2', KEY.iface('veth4'),
    async (pg) => assert.deepEqual(await addrs(pg, '', 'veth4'), ['10.3.0.2/24'])],
  ['route deleted', 'ip -n ns1 route del 10.9.0.0/24', ROUTE, async (pg) => assert.ok((await routes(pg, 'ns1')).some((r: any) => r.dst === '10.9.0.0/24' && r.protocol === '76'))],
  ['route metric changed', 'ip -n ns1 route del 10.9.0.0/24; ip -n ns1 route add 10.9.0.0/24 via 10.0.0.2 dev veth1 metric 200 proto 76', ROUTE,
    async (pg) => assert.deepEqual((await routes(pg, 'ns1')).filter((r: any) => r.dst === '10.9.0.0/24').map((r: any) => r.metric), [100])],
  ['route gateway changed', 'ip -n ns1 route replace 10.9.0.0/24 via 10.0.0.3 dev veth1 metric 100 proto 76', ROUTE,
    async (pg) => assert.equal((await routes(pg, 'ns1')).find((r: any) => r.dst === '10.9.0.0/24')?.gateway, '10.0.0.2')],
  ['neighbour deleted', 'ip -n ns1 neigh del 10.0.0.50 dev veth1', ARP, async (pg) => assert.ok((await neighs(pg, 'ns1')).some((n: any) => n.dst === '10.0.0.50'))],
  ['neighbour MAC changed', 'ip -n ns1 neigh replace 10.0.0.50 lladdr 02:00:00:00:00:51 dev veth1 nud permanent protocol 76', ARP,
    async (pg) => assert.equal((await neighs(pg, 'ns1')).find((n: any) => n.dst === '10.0.0.50')?.lladdr, '02:00:00:00:00:50')],
  ['neighbour no longer permanent', 'ip -n ns1 neigh change 10.0.0.50 lladdr 02:00:00:00:00:50 dev veth1 nud stale', ARP,
    async (pg) => assert.deepEqual((await neighs(pg, 'ns1')).find((n: any) => n.dst === '10.0.0.50')?.state, ['PERMANENT'])],
  ['lo down', 'ip -n ns1 link set dev lo down', KEY.iface('lo1'), async (pg) => assert.ok((await link(pg, 'ns1', 'lo')).flags.includes('UP'))],
  ['lo address removed', 'ip -n ns1 addr del 10.255.0.1/32 dev lo', addrKey('lo1', '10.255.0.1/32'),
    async (pg) => assert.ok((await addrs(pg, 'ns1', 'lo')).includes('10.255.0.1/32'))],
]

test(`drift: ${DRIFT_KINDS.length} kinds of out-of-band edit are each planned with drift: true, repaired by apply, and plan is clean after`, async () => {
  await withPg(async (pg) => {
    assert.equal((await apply(pg, cfg)).code, 0)
    assert.deepEqual((await pg.lnxJson(['plan', '-f', '-'], {input})).json.changes, [])
    for (const [what, edit, key, check] of DRIFT_KINDS) {
      await pg.sh(edit)
      const plan = await pg.lnxJson(['plan', '-f', '-'], {input})
      const hit = plan.json.changes.filter((c: any) => c.key === key)
      assert.ok(hit.length > 0, `${what}: no change for ${key}: ${JSON.stringify(plan.json.changes)}`)
      assert.ok(hit.every((c: any) => c.drift === true), `${what}: drift missing: ${JSON.stringify(hit)}`)
      const r = await apply(pg, cfg)
      assert.equal(r.code, 0, `${what}: ${r.stdout}${r.stderr}`)
      await check(pg)
      const again = await pg.lnxJson(['plan', '-f', '-'], {input})
      assert.deepEqual(again.json.changes, [], `${what}: plan after repair`)
    }
  })
})

test('drift without a mark left: a deleted veth pair is re-created (no drift flag: nothing in the kernel says it was there)', async () => {
  await withPg(async (pg) => {
    assert.equal((await apply(pg, cfg)).code, 0)
    await pg.sh('ip -n ns3 link del dev veth3')
    await settle(pg)
    const plan = await pg.lnxJson(['plan', '-f', '-'], {input})
    const c = plan.json.changes.find((x: any) => x.key === KEY.iface('veth3') && x.action === 'create')
    assert.ok(c, JSON.stringify(plan.json.changes))
    assert.equal(c.drift, undefined)
    assert.equal((await apply(pg, cfg)).code, 0)
    assert.deepEqual(await addrs(pg, 'ns3', 'veth3'), ['10.3.0.1/24'])
    assert.deepEqual((await pg.lnxJson(['plan', '-f', '-'], {input})).json.changes, [])
  })
})
