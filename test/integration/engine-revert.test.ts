// Engine failure paths against the real kernel: revert on a kernel refusal (LNX_TEST_FAULT) and on SIGTERM
// (LNX_TEST_PAUSE_AFTER), collisions with foreign objects, crash leftovers, and two applies at once (the lock).
// State is compared with pg.snapshot() (raw `ip -json` of every namespace) before and after.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {
  LNX, KEY, tmpFile, withPg, apply, link, addrs, netnsList, routes, veth, pair, settle, settledSnapshot, until,
} from './engine-helpers.ts'
import type {Playground} from '../helpers/playground.ts'
import {assertForeignUnchanged, foreignPicture} from '../helpers/foreign.ts'

/** The number of ip lines apply would run (from a dry run): LNX_TEST_FAULT=that fails the last one. */
async function lineCount(pg: Playground, input: string): Promise<number> {
  const r = await pg.lnxJson(['apply', '-f', '-', '--dry-run'], {input})
  assert.equal(r.code === 0 || r.code === 3, true, r.stdout + r.stderr)
  return r.json.changes.reduce((s: number, c: any) => s + c.commands.filter((x: string) => !/^(nsenter \S+ -- )?(sysctl|ethtool)\b/.test(x)).length, 0)
}

const base = {
  interfaces: pair({ips1: ['10.0.0.1/24', '10.1.0.1/24'], ips2: ['10.0.0.2/24']}),
  routes: [{outgoing_interface: 'veth1', dst_network: '10.9.0.0/24', gw_addr: '10.0.0.2', metric: 100}],
  arp_entries: [{interface: 'veth1', ip_address: '10.0.0.50', hw_address: '02:00:00:00:00:50'}],
}

// ---------------------------------------------------------------------------------------------------------------
// Revert

test('revert: a kernel refusal on the last line of a fresh apply → exit 1, "reverted", state byte-equal to before', async () => {
  await withPg(async (pg) => {
    const input = JSON.stringify(base)
    const n = await lineCount(pg, input)
    assert.ok(n > 8, `a real plan (${n} lines)`)
    const before = await pg.snapshot()
    const r = await pg.lnxJson(['apply', '-f', '-'], {input, env: {LNX_TEST_FAULT: String(n)}})
    assert.equal(r.code, 1, r.stdout + r.stderr)
    assert.equal(r.json.result, 'reverted')
    assert.equal(r.json.error?.code, 'KERNEL')
    assert.match(r.json.error.message, /Cannot find device/)
    assert.ok(r.json.changes.length > 0)
    assert.equal(await settledSnapshot(pg, before), before)
    assert.deepEqual(await netnsList(pg), [], 'namespaces created by the failed run are removed')
  })
})

test('revert: a failure after the tap was adopted moves it back to the default namespace unchanged', async () => {
  await withPg(async (pg) => {
    await pg.sh('ip tuntap add dev tap-host mode tap; ip link set dev tap-host address 02:00:00:00:0b:01 mtu 1400')
    const input = JSON.stringify({interfaces: [
      ...pair({ips1: ['192.168.22.1/24'], ips2: ['192.168.22.5/24']}),
      {name: 'tap1', type: 'TAP_TO_VPP', namespace: {type: 'NSID', reference: 'ns2'}, host_if_name: 'tap-host', enabled: true,
        ip_addresses: ['172.52.45.127/24'], phys_address: 'BC:FE:E9:5E:07:04', mtu: 1500, tap: {vpp_tap_if_name: 'tap-host'}},
    ]})
    const n = await lineCount(pg, input)
    const before = await pg.snapshot()
    const r = await pg.lnxJson(['apply', '-f', '-'], {input, env: {LNX_TEST_FAULT: String(n)}})
    assert.equal(r.code, 1, r.stdout + r.stderr)
    assert.equal(r.json.result, 'reverted')
    const tap = await link(pg, '', 'tap-host')
    assert.ok(tap, 'the tap is back in the default namespace (not destroyed with ns2)')
    assert.equal(tap.address, '02:00:00:00:0b:01')
    assert.equal(tap.mtu, 1400)
    assert.equal(tap.ifalias, undefined, 'no alias left behind')
    assert.equal(await settledSnapshot(pg, before), before)
  })
})

test('revert: SIGTERM while paused after the namespaces phase → exit 1, "reverted", state byte-equal to before', async () => {
  await withPg(async (pg) => {
    const file = tmpFile('sigterm.json', JSON.stringify(base))
    const before = await pg.snapshot()
    const child = spawn('nsenter', ['-t', String(pg.pid), '-n', '-m', '--', process.execPath, LNX, 'apply', '-f', file, '--json'], {
      env: {...process.env, NO_COLOR: '1', LNX_TEST_PAUSE_AFTER: 'namespaces', LNX_TEST_PAUSE_MS: '4000'},
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const closed = new Promise<number>((resolve) => child.on('close', (c, s) => resolve(c ?? (s ? 128 : -1))))
    // The namespaces phase is done once both ends exist.
    const mid = await until(async () => !!(await link(pg, 'ns1', 'veth1').catch(() => undefined)) && !!(await link(pg, 'ns2', 'veth2').catch(() => undefined)), 8000)
    assert.ok(mid, `apply reached the pause (stderr: ${stderr})`)
    const t0 = Date.now()
    child.kill('SIGTERM')
    const code = await closed
    assert.equal(code, 1, stdout + stderr)
    assert.ok(Date.now() - t0 < 10_000)
    const json = JSON.parse(stdout)
    assert.equal(json.result, 'reverted', stdout)
    assert.ok(json.error, 'the interruption is reported')
    assert.equal(await settledSnapshot(pg, before), before)
  })
})

test('revert: a failure in an apply that updates existing objects restores the old MTU, MAC and addresses', async () => {
  await withPg(async (pg) => {
    const r1 = await apply(pg, {interfaces: [
      veth('veth1', 'veth2', 'ns1', {mtu: 1500, phys_address: '02:00:00:00:00:01', ip_addresses: ['10.0.0.1/24']}),
      veth('veth2', 'veth1', 'ns2', {ip_addresses: ['10.0.0.2/24']}),
    ]})
    assert.equal(r1.code, 0, r1.stderr + r1.stdout)
    await settle(pg)
    const idx = (await link(pg, 'ns1', 'veth1')).ifindex
    const before = await pg.snapshot()
    const input = JSON.stringify({
      interfaces: [
        veth('veth1', 'veth2', 'ns1', {mtu: 9000, phys_address: '02:00:00:00:00:aa', ip_addresses: ['10.0.0.1/24', '10.0.0.7/24', '10.2.0.1/24']}),
        veth('veth2', 'veth1', 'ns2', {ip_addresses: ['10.0.0.2/24']}),
      ],
      routes: [{outgoing_interface: 'veth1', dst_network: '10.9.0.0/24', gw_addr: '10.0.0.2', metric: 5}],
    })
    const n = await lineCount(pg, input)
    const r = await pg.lnxJson(['apply', '-f', '-'], {input, env: {LNX_TEST_FAULT: String(n)}})
    assert.equal(r.code, 1, r.stdout + r.stderr)
    assert.equal(r.json.result, 'reverted')
    const l = await link(pg, 'ns1', 'veth1')
    assert.equal(l.ifindex, idx)
    assert.equal(l.mtu, 1500)
    assert.equal(l.address, '02:00:00:00:00:01')
    assert.deepEqual(await addrs(pg, 'ns1', 'veth1'), ['10.0.0.1/24'])
    assert.deepEqual((await routes(pg, 'ns1')).filter((x: any) => x.protocol === '76'), [])
    assert.equal(await settledSnapshot(pg, before), before)
  })
})

test('revert: a failure after the only IPv4 address of a link was replaced (the kernel flushed its routes) restores them', async () => {
  await withPg(async (pg) => {
    const cfg = (ips: string[], more: object[] = []) => ({
      interfaces: [veth('veth1', 'veth2', 'ns1', {ip_addresses: ips}), veth('veth2', 'veth1', 'ns2', {ip_addresses: ['10.0.0.3/24']})],
      routes: [{outgoing_interface: 'veth1', dst_network: '10.20.0.0/16', metric: 100}, ...more],
      arp_entries: [{interface: 'veth1', ip_address: '10.0.0.50', hw_address: '02:00:00:00:00:50'}],
    })
    const r1 = await apply(pg, cfg(['10.0.0.1/24']))
    assert.equal(r1.code, 0, r1.stderr + r1.stdout)
    await settle(pg)
    const before = await pg.snapshot()
    const input = JSON.stringify(cfg(['10.7.0.1/24'], [{outgoing_interface: 'veth1', dst_network: '10.30.0.0/16', metric: 100}]))
    const r = await pg.lnxJson(['apply', '-f', '-'], {input, env: {LNX_TEST_FAULT: String(await lineCount(pg, input))}})
    assert.equal(r.code, 1, r.stdout + r.stderr)
    assert.equal(r.json.result, 'reverted')
    const rt = (await routes(pg, 'ns1')).filter((x: any) => x.protocol === '76')
    assert.deepEqual(rt.map((x: any) => x.dst), ['10.20.0.0/16'])
    assert.equal(await settledSnapshot(pg, before), before)
  })
})

// ---------------------------------------------------------------------------------------------------------------
// Collisions and leftovers

test('collision: a foreign link with a desired host name → exit 2 COLLISION, nothing touched', async () => {
  await withPg(async (pg) => {
    await pg.sh('ip netns add ns1; ip -n ns1 link add name veth1 type veth peer name other')
    const before = await pg.snapshot()
    const foreign = await foreignPicture(pg)
    for (const cmd of ['plan', 'apply']) {
      const r = await pg.lnxJson([cmd, '-f', '-'], {input: JSON.stringify(base)})
      assert.equal(r.code, 2, `${cmd}: ${r.stdout}${r.stderr}`)
      assert.equal(r.json.error?.code, 'COLLISION', r.stdout)
      assert.equal(r.json.error.key, KEY.iface('veth1'))
      assert.match(r.json.error.message, /veth1/)
    }
    assert.equal(await pg.snapshot(), before)
    assert.deepEqual(await netnsList(pg), ['ns1'], 'ns2 not created')
    await assertForeignUnchanged(pg, foreign)
  })
})

test('collision: a foreign route with the same dst and metric on another device → exit 2 COLLISION, nothing touched', async () => {
  await withPg(async (pg) => {
    const r1 = await apply(pg, {interfaces: pair({ips1: ['10.0.0.1/24'], ips2: ['10.0.0.2/24']})})
    assert.equal(r1.code, 0, r1.stderr + r1.stdout)
    await pg.sh(`ip -n ns1 link add name fv0 type veth peer name fv1
      ip -n ns1 link set dev fv0 up; ip -n ns1 link set dev fv1 up
      ip -n ns1 route add 10.9.0.0/24 dev fv0 metric 100 proto static`)
    await settle(pg)
    const before = await pg.snapshot()
    const foreign = await foreignPicture(pg)
    const cfg = {
      interfaces: pair({ips1: ['10.0.0.1/24', '10.3.0.1/24'], ips2: ['10.0.0.2/24']}),
      routes: [{outgoing_interface: 'veth1', dst_network: '10.9.0.0/24', metric: 100}],
    }
    const r = await apply(pg, cfg)
    assert.equal(r.code, 2, r.stdout + r.stderr)
    assert.equal(r.json.error?.code, 'COLLISION')
    assert.equal(r.json.error.key, KEY.route('10.9.0.0/24', 'veth1'))
    assert.equal(await pg.snapshot(), before, 'not even the new address was added')
    const fr = (await routes(pg, 'ns1')).filter((x: any) => x.dst === '10.9.0.0/24')
    assert.deepEqual(fr.map((x: any) => [x.dev, x.protocol, x.metric]), [['fv0', 'static', 100]])
    await assertForeignUnchanged(pg, foreign)
  })
})

test('a crash leftover (lnx group, no alias) is adopted by the next apply: ifindex unchanged, alias set', async () => {
  await withPg(async (pg) => {
    await pg.sh(`ip netns add ns1; ip netns add ns2
      ip link add name veth1 netns /run/netns/ns1 group 76 type veth peer name veth2 netns /run/netns/ns2 group 76`)
    const i1 = (await link(pg, 'ns1', 'veth1')).ifindex
    const i2 = (await link(pg, 'ns2', 'veth2')).ifindex
    const cfg = {interfaces: pair({ips1: ['10.0.0.1/24'], ips2: ['10.0.0.2/24']})}
    const r = await apply(pg, cfg)
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.ok(!r.json.changes.some((c: any) => c.kind === 'interface' && c.action !== 'update'), JSON.stringify(r.json.changes))
    const v1 = await link(pg, 'ns1', 'veth1')
    const v2 = await link(pg, 'ns2', 'veth2')
    assert.equal(v1.ifindex, i1)
    assert.equal(v2.ifindex, i2)
    assert.equal(v1.ifalias, '/vnf-agent/vpp1/veth1/veth2')
    assert.equal(v2.ifalias, '/vnf-agent/vpp1/veth2/veth1')
    assert.ok(v1.flags.includes('UP') && v2.flags.includes('UP'))
    assert.deepEqual(await addrs(pg, 'ns1', 'veth1'), ['10.0.0.1/24'])
    const p = await pg.lnx(['plan', '-f', '-', '--exit-code'], {input: JSON.stringify(cfg)})
    assert.equal(p.code, 0, p.stdout)
  })
})

// ---------------------------------------------------------------------------------------------------------------
// Concurrency

test('two applies at once (different namespaces) both succeed, serialized by the lock', async () => {
  await withPg(async (pg) => {
    const a = tmpFile('a.json', JSON.stringify({interfaces: [veth('a1', 'a2', 'nsA1', {ip_addresses: ['10.1.0.1/24']}), veth('a2', 'a1', 'nsA2', {ip_addresses: ['10.1.0.2/24']})]}))
    const b = tmpFile('b.json', JSON.stringify({interfaces: [veth('b1', 'b2', 'nsB1', {ip_addresses: ['10.2.0.1/24']}), veth('b2', 'b1', 'nsB2', {ip_addresses: ['10.2.0.2/24']})]}))
    const ends: Record<string, number> = {}
    const pa = pg.lnxJson(['apply', '-f', a], {env: {LNX_TEST_PAUSE_AFTER: 'namespaces', LNX_TEST_PAUSE_MS: '4000'}}).then((r) => ((ends.a = Date.now()), r))
    // A holds the lock once its namespaces exist; B starts then and must wait for it.
    assert.ok(await until(async () => (await netnsList(pg)).includes('nsA1'), 10_000), 'A started')
    const pb = pg.lnx(['apply', '-f', b]).then((r) => ((ends.b = Date.now()), r))
    const [ra, rb] = await Promise.all([pa, pb])
    assert.equal(ra.code, 0, ra.stdout + ra.stderr)
    assert.equal(ra.json.result, 'applied')
    assert.equal(rb.code, 0, rb.stdout + rb.stderr)
    assert.match(rb.stderr, /waiting for another lnx run/)
    assert.ok(ends.b >= ends.a, 'B finished after A')
    assert.deepEqual(await netnsList(pg), ['nsA1', 'nsA2', 'nsB1', 'nsB2'])
    for (const [ns, l, ip] of [['nsA1', 'a1', '10.1.0.1/24'], ['nsA2', 'a2', '10.1.0.2/24'], ['nsB1', 'b1', '10.2.0.1/24'], ['nsB2', 'b2', '10.2.0.2/24']]) {
      assert.deepEqual(await addrs(pg, ns, l), [ip])
    }
  })
})
