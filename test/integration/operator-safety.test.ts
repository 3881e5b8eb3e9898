// What a new operator must not be surprised by: addresses of an adopted NIC stripped, an empty pipe with --prune,
// owned items silently kept, interfaces left down under their routes. Kernel state read with raw `ip -json`.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {KEY, tmpFile, withPg, apply, addrs, link, pair, routes} from './engine-helpers.ts'

test('imperative add --type existing --ip adds to the link\'s addresses; delete releases it with them; --mtu/--mac on EXISTING is exit 2', async () => {
  await withPg(async (pg) => {
    await pg.sh('ip link add ext0 type veth peer name ext1 && ip addr add 10.50.0.1/24 dev ext0 && ip link set ext0 up && ip link set ext0 mtu 1450')
    const r = await pg.lnxJson(['interface', 'add', 'uplink', '--type', 'existing', '--host-name', 'ext0', '--ip', '10.60.0.1/24'])
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.deepEqual(await addrs(pg, '', 'ext0'), ['10.50.0.1/24', '10.60.0.1/24'], 'the address the link had is kept')
    assert.ok(!r.json.changes.some((c: any) => c.action === 'delete'), JSON.stringify(r.json.changes))
    assert.equal((await link(pg, '', 'ext0')).ifalias, '/lnx-existing/vpp1/uplink')

    // MTU and MAC of an EXISTING are not managed: an error that says so, nothing changed.
    for (const [flag, value] of [['--mtu', '1400'], ['--mac', '02:00:00:00:00:99']]) {
      const j = await pg.lnxJson(['interface', 'set', 'uplink', flag, value])
      assert.equal(j.code, 2, j.stdout)
      assert.equal(j.json.error.code, 'INVALID')
      assert.match(j.json.error.message, new RegExp(`^${flag}: the (MTU|MAC) of uplink is not managed: it is an EXISTING interface`))
      assert.equal(j.json.error.errors[0].path, flag)
      assert.match(j.json.error.hint, /ip link set dev ext0/)
    }
    assert.equal((await link(pg, '', 'ext0')).mtu, 1450)
    // The foreign-link hint does not send an MTU change to --type existing.
    const f = await pg.lnx(['interface', 'set', 'ext1', '--mtu', '1400'])
    assert.equal(f.code, 2, f.stderr)
    assert.doesNotMatch(f.stderr, /adopt it first/)
    assert.match(f.stderr, /only addresses and state are managed: use ip link set dev ext1/)
    const g = await pg.lnx(['route', 'add', '10.8.0.0/16', '--dev', 'ext1'])
    assert.match(g.stderr, /adopt it first: lnx interface add ext1 --type existing/)

    // Releasing it strips nothing: which addresses were the operator's is not written anywhere.
    const d = await pg.lnx(['interface', 'delete', 'uplink'])
    assert.equal(d.code, 0, d.stderr)
    assert.match(d.stdout, /addresses left in place: 10\.50\.0\.1\/24, 10\.60\.0\.1\/24/)
    assert.deepEqual(await addrs(pg, '', 'ext0'), ['10.50.0.1/24', '10.60.0.1/24'])
    assert.ok(!(await link(pg, '', 'ext0')).ifalias, 'mark released')
  })
})

test('declarative EXISTING: the plan names each foreign address it strips, apply warns on stderr', async () => {
  await withPg(async (pg) => {
    await pg.sh('ip link add ext0 type veth peer name ext1 && ip addr add 10.50.0.1/24 dev ext0 && ip link set ext0 up')
    const cfg = JSON.stringify({interfaces: [{name: 'uplink', type: 'EXISTING', host_if_name: 'ext0', enabled: true, ip_addresses: ['10.60.0.1/24']}]})
    const p = await pg.lnx(['plan', '-f', '-'], {input: cfg})
    assert.equal(p.code, 0, p.stderr)
    assert.match(p.stdout, /- linux\/interface\/uplink\/address\/static\/10\.50\.0\.1\/24: strips 10\.50\.0\.1\/24 from ext0, not lnx's/)
    assert.match(p.stderr, /warning: .*config\/linux\/interfaces\/v2\/interface\/uplink:ip_addresses: strips 10\.50\.0\.1\/24 from ext0, not lnx's/)
    assert.deepEqual(await addrs(pg, '', 'ext0'), ['10.50.0.1/24'], 'plan changes nothing')
    const a = await pg.lnx(['apply', '-f', '-'], {input: cfg})
    assert.equal(a.code, 0, a.stderr)
    assert.equal(a.stderr.match(/strips 10\.50\.0\.1\/24 from ext0, not lnx's/g)?.length, 1, a.stderr)
    assert.match(a.stderr, /list 10\.50\.0\.1\/24 in ip_addresses to keep it/)
    assert.deepEqual(await addrs(pg, '', 'ext0'), ['10.60.0.1/24'], 'the vpp-agent meaning: ip_addresses are the full set')
    const j = await pg.lnxJson(['plan', '-f', '-'], {input: cfg})
    assert.deepEqual(j.json.changes, [], 'once owned, nothing is stripped again')
    assert.equal(j.stderr, '')
  })
})

test('prune guard: an empty config with --prune is refused (exit 2) unless --allow-empty', async () => {
  await withPg(async (pg) => {
    const r0 = await apply(pg, {interfaces: pair({ips1: ['10.0.0.1/24'], ips2: ['10.0.0.2/24']})})
    assert.equal(r0.code, 0, r0.stderr)
    for (const cmd of ['plan', 'apply']) {
      const r = await pg.lnx([cmd, '-f', '-', '--prune'], {input: ''})
      assert.equal(r.code, 2, `${cmd}: ${r.stdout}${r.stderr}`)
      assert.match(r.stderr, /the config is empty: with --prune it would delete everything lnx owns.*--allow-empty/)
      const j = await pg.lnxJson([cmd, '-f', '-', '--prune'], {input: '# nothing\n'})
      assert.equal(j.code, 2)
      assert.equal(j.json.error.code, 'INVALID')
    }
    const devNull = await pg.lnx(['plan', '-f', '-', '--prune'])
    assert.equal(devNull.code, 2, `stdin from /dev/null: ${devNull.stdout}${devNull.stderr}`)
    assert.ok(await link(pg, 'ns1', 'veth1'), 'nothing was deleted')
    const plan = await pg.lnxJson(['plan', '-f', '-', '--prune', '--allow-empty'], {input: ''})
    assert.equal(plan.code, 0, plan.stderr)
    assert.ok(plan.json.changes.some((c: any) => c.action === 'delete' && c.key === KEY.iface('veth1')))
    const noPrune = await pg.lnx(['plan', '-f', '-'], {input: ''})
    assert.equal(noPrune.code, 0, 'without --prune an empty config is fine')
    const flagAlone = await pg.lnx(['plan', '-f', '-', '--allow-empty'], {input: ''})
    assert.equal(flagAlone.code, 2, '--allow-empty goes with --prune')
  })
})

test('without --prune the plan says how many owned items it keeps; with it, it deletes them', async () => {
  await withPg(async (pg) => {
    const full = {
      interfaces: pair({ips1: ['10.0.0.1/24'], ips2: ['10.0.0.2/24']}),
      routes: [{outgoing_interface: 'veth1', dst_network: '10.9.0.0/24', gw_addr: '10.0.0.2', metric: 100}],
      arp_entries: [{interface: 'veth1', ip_address: '10.0.0.50', hw_address: '02:00:00:00:00:50'}],
    }
    const r0 = await apply(pg, full)
    assert.equal(r0.code, 0, r0.stderr)
    const less = JSON.stringify({interfaces: full.interfaces})
    const p = await pg.lnx(['plan', '-f', '-'], {input: less})
    assert.equal(p.code, 0, p.stderr)
    const lines = p.stdout.trimEnd().split('\n')
    assert.equal(lines.at(-1), '2 owned items not in the config are kept (--prune deletes them)', p.stdout)
    const j = await pg.lnxJson(['plan', '-f', '-'], {input: less})
    assert.equal(j.json.kept, 2)
    const one = await pg.lnx(['apply', '-f', '-'], {input: JSON.stringify({interfaces: full.interfaces, routes: full.routes})})
    assert.match(one.stdout, /\n1 owned item not in the config is kept \(--prune deletes it\)\n/)
    const pruned = await pg.lnxJson(['plan', '-f', '-', '--prune'], {input: less})
    assert.equal(pruned.json.kept, undefined)
    assert.deepEqual(pruned.json.changes.map((c: any) => c.key).sort(), [KEY.arp('veth1', '10.0.0.50'), KEY.route('10.9.0.0/24', 'veth1')].sort())
    const same = await pg.lnx(['plan', '-f', '-'], {input: JSON.stringify(full)})
    assert.doesNotMatch(same.stdout, /kept/, 'nothing to keep, nothing said')
    assert.equal((await routes(pg, 'ns1')).filter((x: any) => x.protocol === '76').length, 1)
  })
})

test('plan warns once for an interface left down that carries a route and an ARP entry (they stay pending)', async () => {
  await withPg(async (pg) => {
    const cfg = JSON.stringify({
      interfaces: [
        {name: 'veth1', type: 'VETH', namespace: {type: 'NSID', reference: 'ns1'}, ip_addresses: ['10.0.0.1/24'], veth: {peer_if_name: 'veth2'}},
        {name: 'veth2', type: 'VETH', enabled: true, veth: {peer_if_name: 'veth1'}},
      ],
      routes: [{outgoing_interface: 'veth1', dst_network: '10.9.0.0/24', gw_addr: '10.0.0.2'}],
      arp_entries: [{interface: 'veth1', ip_address: '10.0.0.50', hw_address: '02:00:00:00:00:50'}],
    })
    const p = await pg.lnx(['plan', '-f', '-'], {input: cfg})
    assert.equal(p.code, 0, p.stderr)
    const warnings = p.stderr.split('\n').filter((l) => l.startsWith('warning:'))
    assert.equal(warnings.length, 1, p.stderr)
    assert.match(warnings[0], /interface\/veth1:enabled: interface "veth1" is not enabled .*its 1 route and 1 ARP entry stay pending while it is down/)
    assert.match(p.stdout, /… config\/linux\/l3\/v2\/route\/10\.9\.0\.0\/24\/veth1: .*not enabled/)
    const v = await pg.lnxJson(['validate', '-f', '-'], {input: cfg})
    assert.equal(v.code, 0)
    assert.deepEqual(v.json.warnings.map((w: any) => [w.key, w.path]), [[KEY.iface('veth1'), 'enabled']])
  })
})

