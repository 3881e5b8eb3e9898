// What lnx must not touch, and what a failure must put back (issue 10: points 5, 6, 8, 9, 10, 13, 16). Kernel
// state is read with raw `ip -json`; foreign objects are pictured before and asserted unchanged after
// (test/helpers/foreign.ts), whole namespaces with pg.snapshot().
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {withPg, apply, link, addrs, netnsList, routes, neighs, veth, pair, settle, settledSnapshot, ipj} from './engine-helpers.ts'
import {assertForeignUnchanged, foreignPicture} from '../helpers/foreign.ts'
import type {Playground} from '../helpers/playground.ts'

/** The ip lines apply would run (dry run), tools aside: LNX_TEST_FAULT=k fails the kth. */
async function lineCount(pg: Playground, input: string): Promise<number> {
  const r = await pg.lnxJson(['apply', '-f', '-', '--dry-run'], {input})
  assert.ok(r.code === 0 || r.code === 3, r.stdout + r.stderr)
  return r.json.changes.reduce((s: number, c: any) => s + c.commands.filter((x: string) => !/^(nsenter \S+ (-- )?)?(sysctl|ethtool)\b/.test(x)).length, 0)
}

// ---------------------------------------------------------------------------------------------------------------
// Point 5: every exception in execution goes through the revert

test('an ip line the batch guard refuses mid-run (LNX_TEST_FAULT_KIND=unsafe) is reverted like a kernel refusal', async () => {
  await withPg(async (pg) => {
    const input = JSON.stringify({interfaces: [
      ...pair({ips1: ['10.0.0.1/24'], ips2: ['10.0.0.2/24']}),
      veth('veth3', 'veth4', 'ns3', {ip_addresses: ['10.3.0.1/24']}),
      veth('veth4', 'veth3', 'ns4', {ip_addresses: ['10.3.0.2/24']}),
    ]})
    const n = await lineCount(pg, input)
    const before = await pg.snapshot()
    // The last line (configure/l3 of one namespace, the others' batches of that step run) and one in the middle.
    for (const k of [n, Math.ceil(n / 2)]) {
      const r = await pg.lnxJson(['apply', '-f', '-'], {input, env: {LNX_TEST_FAULT: String(k), LNX_TEST_FAULT_KIND: 'unsafe'}})
      assert.equal(r.code, 1, r.stdout + r.stderr)
      assert.equal(r.json.result, 'reverted', `fault at ${k}/${n}: ${r.stdout}`)
      assert.match(r.json.error.message, /unsafe ip -batch line/)
      assert.equal(await settledSnapshot(pg, before), before, `fault at ${k}/${n}`)
      assert.deepEqual(await netnsList(pg), [])
    }
  })
})

test('an owned link renamed by hand to a name lnx cannot send → refused before anything runs, host unchanged', async () => {
  await withPg(async (pg) => {
    const cfg = {interfaces: pair({ips1: ['10.0.0.1/24'], ips2: ['10.0.0.2/24']})}
    assert.equal((await apply(pg, cfg)).code, 0)
    await pg.sh('ip -n ns1 link set dev veth1 down; ip -n ns1 link set dev veth1 name vé1; ip -n ns2 link set dev veth2 mtu 1400')
    await settle(pg)
    const before = await pg.snapshot()
    const r = await apply(pg, cfg)
    assert.equal(r.code, 1, r.stdout + r.stderr)
    assert.match(r.stdout + r.stderr, /cannot pass on safely/)
    assert.doesNotMatch(r.stdout + r.stderr, /this is a bug/)
    assert.equal(await pg.snapshot(), before)
  })
})

// ---------------------------------------------------------------------------------------------------------------
// Point 13: one namespace under two references

test('one namespace as NSID and as FD/PID with one host name twice → exit 2 before anything runs', async () => {
  await withPg(async (pg) => {
    await pg.sh('ip netns add ns1')
    const before = await pg.snapshot()
    const viaPath = {interfaces: [
      veth('a1', 'a2', 'ns1', {host_if_name: 'dup0'}), veth('a2', 'a1'),
      {...veth('b1', 'b2', undefined, {host_if_name: 'dup0'}), namespace: {type: 'FD', reference: '/run/netns/ns1'}}, veth('b2', 'b1'),
    ]}
    for (const cmd of ['validate', 'apply']) {
      const r = await pg.lnxJson([cmd, '-f', '-'], {input: JSON.stringify(viaPath)})
      assert.equal(r.code, 2, `${cmd}: ${r.stdout}${r.stderr}`)
      assert.match(r.stdout, /dup0/)
    }
    // The playground's own namespace as PID of its holder and as the default one: known at run time only.
    const viaPid = {interfaces: [
      veth('a1', 'a2', undefined, {host_if_name: 'dup1'}), veth('a2', 'a1', 'ns1'),
      {...veth('b1', 'b2', undefined, {host_if_name: 'dup1'}), namespace: {type: 'PID', reference: String(pg.pid)}}, veth('b2', 'b1', 'ns1'),
    ]}
    const r = await pg.lnxJson(['apply', '-f', '-'], {input: JSON.stringify(viaPid)})
    assert.equal(r.code, 2, r.stdout + r.stderr)
    assert.match(r.json.error.errors[0].message, /dup1.*same namespace/)
    assert.equal(await pg.snapshot(), before)
  })
})

// ---------------------------------------------------------------------------------------------------------------
// Point 6: a failed adoption leaves VPP's tap exactly as it was

test('TAP adoption: a fault at every step puts the tap back: namespace, name, state, addresses, routes, MTU, MAC, alias', async () => {
  await withPg(async (pg) => {
    await pg.sh(`ip tuntap add dev tap-host mode tap
      ip link set dev tap-host address 02:00:00:00:0b:01 mtu 1400 up
      ip addr add 10.77.0.1/24 dev tap-host
      ip route add 10.78.0.0/24 via 10.77.0.9 dev tap-host proto static
      ip neigh add 10.77.0.9 lladdr 02:00:00:00:0b:09 dev tap-host nud permanent`)
    const input = JSON.stringify({interfaces: [
      ...pair({ips1: ['192.168.22.1/24'], ips2: ['192.168.22.5/24']}),
      {name: 'tap1', type: 'TAP_TO_VPP', namespace: {type: 'NSID', reference: 'ns2'}, host_if_name: 'tap-in', enabled: true,
        ip_addresses: ['172.52.45.127/24'], phys_address: '02:00:00:00:0c:01', mtu: 1500, tap: {vpp_tap_if_name: 'tap-host'}},
    ]})
    const n = await lineCount(pg, input)
    await settle(pg)
    const before = await pg.snapshot()
    for (let k = 1; k <= n; k++) {
      const r = await pg.lnxJson(['apply', '-f', '-'], {input, env: {LNX_TEST_FAULT: String(k)}})
      assert.equal(r.code, 1, `fault at ${k}/${n}: ${r.stdout}${r.stderr}`)
      assert.equal(r.json.result, 'reverted', `fault at ${k}/${n}: ${r.stdout}`)
      assert.equal(await settledSnapshot(pg, before), before, `fault at ${k}/${n}`)
    }
    // The same tap adopted where it is (default namespace, not moved, kept up): a fault at the end keeps it up.
    const inPlace = JSON.stringify({interfaces: [{name: 'tap1', type: 'TAP_TO_VPP', host_if_name: 'tap-host', enabled: true,
      ip_addresses: ['10.77.0.1/24'], mtu: 1500, tap: {vpp_tap_if_name: 'tap-host'}}]})
    const m = await lineCount(pg, inPlace)
    const r = await pg.lnxJson(['apply', '-f', '-'], {input: inPlace, env: {LNX_TEST_FAULT: String(m)}})
    assert.equal(r.json.result, 'reverted', r.stdout + r.stderr)
    assert.equal(await settledSnapshot(pg, before), before)
    assert.ok((await link(pg, '', 'tap-host')).flags.includes('UP'))
  })
})

// ---------------------------------------------------------------------------------------------------------------
// Point 8: --prune removes only lnx's leftovers

test('--prune removes a real lnx leftover (veth pair in group 76 without alias) and leaves foreign links in the group alone', async () => {
  await withPg(async (pg) => {
    const cfg = {interfaces: pair({ips1: ['10.0.0.1/24'], ips2: ['10.0.0.2/24']})}
    assert.equal((await apply(pg, cfg)).code, 0)
    await pg.sh(`ip -n ns1 link add name br0 group 76 type bridge
      ip -n ns1 link add name fa group 76 type veth peer name fb
      ip -n ns1 link set dev fa up; ip -n ns1 link set dev fb up; ip -n ns1 addr add 172.30.0.1/24 dev fb
      ip -n ns1 route add 172.31.0.0/24 via 172.30.0.9 dev fb proto static
      ip -n ns2 link set dev lo group 76
      ip -n ns1 link add name la group 76 type veth peer name lb group 76`)
    await settle(pg)
    const before = await foreignPicture(pg)
    const r = await apply(pg, cfg, ['--prune'])
    assert.equal(r.code, 0, r.stdout + r.stderr)
    const deleted = r.json.changes.filter((c: any) => c.action === 'delete').map((c: any) => c.key)
    assert.equal(deleted.length, 1, JSON.stringify(deleted))
    assert.match(deleted[0], /^leftover\/ns1\/l[ab]$/)
    assert.equal(await link(pg, 'ns1', 'la'), undefined)
    assert.equal(await link(pg, 'ns1', 'lb'), undefined)
    await assertForeignUnchanged(pg, before)
    for (const l of ['br0', 'fa', 'fb']) assert.ok(await link(pg, 'ns1', l), l)
    const again = await pg.lnxJson(['plan', '-f', '-', '--prune'], {input: JSON.stringify(cfg)})
    assert.deepEqual(again.json.changes, [])
  })
})

// ---------------------------------------------------------------------------------------------------------------
// Point 9: delete --namespaces keeps a namespace holding anything foreign

test('delete --namespaces removes only namespaces with nothing foreign left and says what keeps the others', async () => {
  await withPg(async (pg) => {
    const cfg = {interfaces: [...pair(), veth('veth3', 'veth4', 'ns3'), veth('veth4', 'veth3', 'ns4'), veth('veth5', 'veth6', 'ns5'), veth('veth6', 'veth5')]}
    assert.equal((await apply(pg, cfg)).code, 0)
    await pg.sh(`ip -n ns1 addr add 10.60.0.1/32 dev lo
      ip -n ns2 route add blackhole 10.50.0.0/24
      ip -n ns3 rule add from 10.5.0.0/16 table 100
      ip -n ns4 route add 10.51.0.0/24 dev lo table 7 proto static`)
    const before = await foreignPicture(pg)
    const r = await pg.lnxJson(['delete', '-f', '-', '--namespaces'], {input: JSON.stringify(cfg)})
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.deepEqual(await netnsList(pg), ['ns1', 'ns2', 'ns3', 'ns4'])
    const w = (r.json.warnings ?? []).join('\n')
    assert.match(w, /ns1 kept: .*address 10\.60\.0\.1\/32 on lo/)
    assert.match(w, /ns2 kept: .*blackhole 10\.50\.0\.0\/24/)
    assert.match(w, /ns3 kept: .*from 10\.5\.0\.0\/16 lookup 100/)
    assert.match(w, /ns4 kept: .*10\.51\.0\.0\/24 dev lo table 7/)
    await assertForeignUnchanged(pg, before)
    for (const ns of ['ns1', 'ns2', 'ns3', 'ns4']) assert.deepEqual((await ipj(pg, ns, 'link', 'show')).map((l: any) => l.ifname), ['lo'])
  })
})

// ---------------------------------------------------------------------------------------------------------------
// Point 10: a MAC change flushes the link's permanent neighbours; foreign ones are put back, on apply and revert

test('MAC change on an owned link: foreign permanent neighbours are re-asserted on apply and on revert', async () => {
  await withPg(async (pg) => {
    const cfg = (mac: string) => ({
      interfaces: [veth('veth1', 'veth2', 'ns1', {ip_addresses: ['10.0.0.1/24', '2001:db8::1/64'], phys_address: mac}), veth('veth2', 'veth1', 'ns2', {ip_addresses: ['10.0.0.2/24']})],
      arp_entries: [{interface: 'veth1', ip_address: '10.0.0.50', hw_address: '02:00:00:00:00:50'}],
    })
    assert.equal((await apply(pg, cfg('02:00:00:00:01:01'))).code, 0)
    await pg.sh(`ip -n ns1 neigh add 10.0.0.88 lladdr 02:00:00:00:00:88 dev veth1 nud permanent
      ip -n ns1 neigh add 10.0.0.89 lladdr 02:00:00:00:00:89 dev veth1 nud permanent protocol static
      ip -n ns1 neigh add 2001:db8::88 lladdr 02:00:00:00:00:88 dev veth1 nud permanent
      ip -n ns1 route add 10.44.0.0/24 via 10.0.0.2 dev veth1 proto static`)
    await settle(pg)
    const before = await foreignPicture(pg)
    assert.equal(before.neighs.ns1.length, 3)
    let r = await apply(pg, cfg('02:00:00:00:01:02'))
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.equal((await link(pg, 'ns1', 'veth1')).address, '02:00:00:00:01:02')
    await assertForeignUnchanged(pg, before, 'after the MAC change: ')
    assert.ok((await neighs(pg, 'ns1')).some((n: any) => n.dst === '10.0.0.50' && n.protocol === '76'), 'lnx\'s own neighbour re-asserted')
    // Revert: a fault at the last line; the old MAC comes back, and so do the neighbours it flushed again.
    await settle(pg)
    const snap = await pg.snapshot()
    const input = JSON.stringify(cfg('02:00:00:00:01:03'))
    r = await pg.lnxJson(['apply', '-f', '-'], {input, env: {LNX_TEST_FAULT: String(await lineCount(pg, input))}})
    assert.equal(r.json.result, 'reverted', r.stdout + r.stderr)
    assert.equal(await settledSnapshot(pg, snap), snap)
    await assertForeignUnchanged(pg, before, 'after the revert: ')
  })
})

// ---------------------------------------------------------------------------------------------------------------
// Point 16: the first listed address of a subnet is its primary

test('primary address converges: [A, B] → [B, A] is a change, and the connected route\'s src follows', async () => {
  await withPg(async (pg) => {
    const cfg = (ips: string[]) => ({interfaces: pair({ips1: ips, ips2: ['10.0.0.9/24']}),
      routes: [{outgoing_interface: 'veth1', dst_network: '10.9.0.0/24', gw_addr: '10.0.0.9', metric: 10}]})
    const src = async () => (await routes(pg, 'ns1')).find((x: any) => x.dst === '10.0.0.0/24' && x.protocol === 'kernel')?.prefsrc
    for (const ips of [['10.0.0.1/24'], ['10.0.0.2/24'], ['10.0.0.1/24'], ['10.0.0.1/24', '10.0.0.2/24', '10.1.0.1/24'], ['10.0.0.2/24', '10.0.0.1/24', '10.1.0.1/24'], ['10.0.0.1/24', '10.0.0.2/24', '10.1.0.1/24']]) {
      const input = JSON.stringify(cfg(ips))
      const plan = await pg.lnxJson(['plan', '-f', '-'], {input})
      const r = await apply(pg, cfg(ips))
      assert.equal(r.code, 0, r.stdout + r.stderr)
      assert.equal(await src(), ips[0].split('/')[0], `src after ${ips.join(',')}`)
      assert.deepEqual(await addrs(pg, 'ns1', 'veth1'), [...ips].sort())
      assert.ok(plan.json.changes.length > 0, `plan before ${ips.join(',')} shows changes`)
      assert.ok((await routes(pg, 'ns1')).some((x: any) => x.dst === '10.9.0.0/24' && x.protocol === '76'), 'lnx\'s route survives the rebuild')
      assert.deepEqual((await pg.lnxJson(['plan', '-f', '-'], {input})).json.changes, [])
    }
  })
})

test('namespace "all": `lnx namespace delete all` would run `ip netns del all` (every namespace) → exit 2, nothing removed', async () => {
  await withPg(async (pg) => {
    await pg.sh('ip netns add all; ip netns add keep')
    for (const args of [['namespace', 'delete', 'all', '--force'], ['namespace', 'add', 'all']]) {
      const r = await pg.lnx(args)
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`)
      assert.match(r.stderr, /reserved/)
    }
    assert.deepEqual(await netnsList(pg), ['all', 'keep'])
  })
})
