// Real vpp-agent data (issue 11) against the real kernel, each test in its own playground; state is read with raw
// `ip -json`. The static half (loader, validation): test/unit/vpp-data.test.ts; the corpus: corpus.test.ts.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {withPg, apply, link, addrs, ipj, KEY} from './engine-helpers.ts'

const tap = (ns?: string, extra: Record<string, unknown> = {}) => ({
  name: 'tap1', type: 'TAP_TO_VPP', enabled: true, host_if_name: 'tap-host', ip_addresses: ['172.52.45.127/24'], tap: {vpp_tap_if_name: 'tap-host'},
  ...(ns ? {namespace: {type: 'NSID', reference: ns}} : {}), ...extra,
})

test('an adopted TAP_TO_VPP whose namespace changes (default → ns1 → default) is moved, as the vpp-agent re-creates it', async () => {
  await withPg(async (pg) => {
    await pg.sh('ip tuntap add dev tap-host mode tap')
    let r = await apply(pg, {interfaces: [tap()]})
    assert.equal(r.code, 0, r.stderr + r.stdout)
    assert.equal((await link(pg, '', 'tap-host'))?.ifalias, '/vnf-agent/vpp1/tap1/tap-host/tap-host')

    // Before the fix: TypeError "Cannot read properties of undefined (reading 'name')", exit 1.
    r = await pg.lnxJson(['plan', '-f', '-'], {input: JSON.stringify({interfaces: [tap('ns1')]})})
    assert.equal(r.code, 0, r.stderr + r.stdout)
    const mine = r.json.changes.filter((c: any) => c.key === KEY.iface('tap1'))
    assert.deepEqual(mine.map((c: any) => c.action), ['delete', 'create'], JSON.stringify(mine))
    assert.match(mine[1].detail, /adopt tap tap-host into ns1/)

    r = await apply(pg, {interfaces: [tap('ns1')]})
    assert.equal(r.code, 0, r.stderr + r.stdout)
    assert.equal(await link(pg, '', 'tap-host'), undefined, 'the tap left the default namespace')
    const moved = await link(pg, 'ns1', 'tap-host')
    assert.equal(moved?.linkinfo?.info_data?.type, 'tap')
    assert.equal(moved.ifalias, '/vnf-agent/vpp1/tap1/tap-host/tap-host')
    assert.ok(moved.flags.includes('UP'))
    assert.deepEqual(await addrs(pg, 'ns1', 'tap-host'), ['172.52.45.127/24'])

    r = await apply(pg, {interfaces: [tap()]})
    assert.equal(r.code, 0, r.stderr + r.stdout)
    assert.equal(await link(pg, 'ns1', 'tap-host'), undefined)
    assert.deepEqual(await addrs(pg, '', 'tap-host'), ['172.52.45.127/24'])
    r = await pg.lnxJson(['plan', '-f', '-'], {input: JSON.stringify({interfaces: [tap()]})})
    assert.equal(r.json.changes.length, 0, JSON.stringify(r.json.changes))
  })
})

test('a TAP_TO_VPP bound to another VPP TAP: pending until that tap exists, then the old tap is reverted and the new one adopted', async () => {
  await withPg(async (pg) => {
    // VPP TAPs tapA and tapB without host_if_name: Linux tap-105571161 and tap-55238304.
    await pg.sh('ip tuntap add dev tap-105571161 mode tap')
    const cfg = (vpp: string) => ({interfaces: [{name: 'lt', type: 'TAP_TO_VPP', enabled: true, host_if_name: 'lt0', namespace: {type: 'NSID', reference: 'ns1'},
      ip_addresses: ['10.7.0.1/24'], tap: {vpp_tap_if_name: vpp}}]})
    let r = await apply(pg, cfg('tapA'))
    assert.equal(r.code, 0, r.stderr + r.stdout)
    assert.equal((await link(pg, 'ns1', 'lt0'))?.ifalias, '/vnf-agent/vpp1/lt/tapA/tap-105571161')

    r = await apply(pg, cfg('tapB'))
    assert.equal(r.code, 3, r.stderr + r.stdout)
    assert.match(r.json.pending[0].reason, /tap binding tapA → tapB: VPP's tap is not in the default namespace: looked for tap-55238304/)
    assert.equal((await link(pg, 'ns1', 'lt0'))?.ifalias, '/vnf-agent/vpp1/lt/tapA/tap-105571161', 'nothing changed while pending')

    await pg.sh('ip tuntap add dev tap-55238304 mode tap')
    r = await apply(pg, cfg('tapB'))
    assert.equal(r.code, 0, r.stderr + r.stdout)
    assert.equal((await link(pg, 'ns1', 'lt0'))?.ifalias, '/vnf-agent/vpp1/lt/tapB/tap-55238304')
    assert.deepEqual(await addrs(pg, 'ns1', 'lt0'), ['10.7.0.1/24'])
    assert.equal((await link(pg, '', 'tap-105571161'))?.ifalias, 'unconfigured', 'the old tap is back where VPP made it')
  })
})

test('VPP\'s generated tap name tap-<fnv32a> is looked up first; the pending reason names every name looked for', async () => {
  await withPg(async (pg) => {
    // examples/localclient_linux/vrf: VPP TAP "tap1" without host_if_name, the Linux side renamed to tap_to_vpp1.
    const cfg = {interfaces: [{name: 'linux-tap1', type: 'TAP_TO_VPP', enabled: true, host_if_name: 'tap_to_vpp1', phys_address: '88:88:88:88:88:88',
      ip_addresses: ['10.0.0.2/24'], tap: {vpp_tap_if_name: 'tap1'}}]}
    let r = await pg.lnxJson(['plan', '-f', '-'], {input: JSON.stringify(cfg)})
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.json.pending.length, 1)
    assert.match(r.json.pending[0].reason, /tap-3058328937 \(VPP's name for TAP tap1 without host_if_name\), tap1, tap_to_vpp1/)

    // A tap named like the logical name exists too: VPP's generated name wins, the other is left alone.
    await pg.sh('ip tuntap add dev tap1 mode tap && ip tuntap add dev tap-3058328937 mode tap')
    r = await apply(pg, cfg)
    assert.equal(r.code, 0, r.stderr + r.stdout)
    const l = await link(pg, '', 'tap_to_vpp1')
    assert.equal(l?.ifalias, '/vnf-agent/vpp1/linux-tap1/tap1/tap-3058328937')
    assert.equal(l.address, '88:88:88:88:88:88')
    assert.deepEqual(await addrs(pg, '', 'tap_to_vpp1'), ['10.0.0.2/24'])
    assert.equal(await link(pg, '', 'tap-3058328937'), undefined)
    assert.equal((await link(pg, '', 'tap1'))?.ifalias, undefined, 'the other tap is untouched')

    // Delete reverts it to VPP's name.
    r = await pg.lnxJson(['delete', '-f', '-'], {input: JSON.stringify(cfg)})
    assert.equal(r.code, 0, r.stderr + r.stdout)
    assert.equal((await link(pg, '', 'tap-3058328937'))?.ifalias, 'unconfigured')
  })
})

test('routes via the interface\'s own IPv4 address and via an IPv6 link-local gateway apply; a LOOPBACK says mtu 65536', async () => {
  await withPg(async (pg) => {
    const cfg = {
      interfaces: [
        {name: 'ns1_veth1', type: 'VETH', enabled: true, namespace: {type: 'NSID', reference: 'ns1'}, host_if_name: 'ns1_veth1_linux',
          ip_addresses: ['192.168.22.1/24', '2001:db8::1/64'], veth: {peer_if_name: 'ns2_veth2'}},
        {name: 'ns2_veth2', type: 'VETH', enabled: true, namespace: {type: 'NSID', reference: 'ns2'}, host_if_name: 'ns2_veth2_linux',
          ip_addresses: ['192.168.22.2/24'], veth: {peer_if_name: 'ns1_veth1'}},
        {name: 'lo1', type: 'LOOPBACK', enabled: true, mtu: 65536, namespace: {type: 'NSID', reference: 'ns1'}},
      ],
      routes: [
        // tests/robot/suites/crud/linux_ip_route_crud.robot: next_hop is the interface's own address.
        {outgoing_interface: 'ns1_veth1', dst_network: '192.168.22.2/32', gw_addr: '192.168.22.1'},
        {outgoing_interface: 'ns1_veth1', dst_network: '8.8.8.8/32', gw_addr: '192.168.22.1', metric: 55},
        {outgoing_interface: 'ns1_veth1', dst_network: '::/0', gw_addr: 'fe80::1'},
      ],
    }
    const r = await apply(pg, cfg)
    assert.equal(r.code, 0, r.stderr + r.stdout)
    assert.deepEqual(r.json.pending, [])
    const v4 = (await ipj(pg, 'ns1', 'route', 'show', 'proto', '76'))
    assert.ok(v4.some((x: any) => x.dst === '8.8.8.8' && x.gateway === '192.168.22.1' && x.metric === 55), JSON.stringify(v4))
    assert.ok(v4.some((x: any) => x.dst === '192.168.22.2' && x.gateway === '192.168.22.1'), JSON.stringify(v4))
    const v6 = await ipj(pg, 'ns1', '-6', 'route', 'show', 'proto', '76')
    assert.ok(v6.some((x: any) => x.dst === 'default' && x.gateway === 'fe80::1' && x.dev === 'ns1_veth1_linux'), JSON.stringify(v6))
    assert.equal((await link(pg, 'ns1', 'lo'))?.mtu, 65536)
    const again = await pg.lnxJson(['plan', '-f', '-', '--exit-code'], {input: JSON.stringify(cfg)})
    assert.equal(again.code, 0, JSON.stringify(again.json.changes))
  })
})

test('an IPv6 address in a namespace whose lo has IPv6 disabled: lnx enables it on lo too, as the vpp-agent does', async () => {
  await withPg(async (pg) => {
    await pg.sh('ip netns add ns1 && nsenter --net=/run/netns/ns1 sysctl -q -w net.ipv6.conf.lo.disable_ipv6=1')
    const r = await apply(pg, {interfaces: [
      {name: 'a', type: 'VETH', enabled: true, namespace: {type: 'NSID', reference: 'ns1'}, ip_addresses: ['2001:db8::1/64'], veth: {peer_if_name: 'b'}},
      {name: 'b', type: 'VETH', enabled: true, veth: {peer_if_name: 'a'}},
    ]})
    assert.equal(r.code, 0, r.stderr + r.stdout)
    const lo = await pg.run('nsenter', ['--net=/run/netns/ns1', 'sysctl', '-n', 'net.ipv6.conf.lo.disable_ipv6'])
    assert.equal(lo.stdout.trim(), '0', 'IPv6 enabled on lo of ns1')
    assert.deepEqual(await addrs(pg, 'ns1', 'a'), ['2001:db8::1/64'])
  })
})

test('EXISTING gets a mark the vpp-agent ignores (the old /vnf-agent/ mark is still recognised and migrated); a released LOOPBACK says "unconfigured"', async () => {
  await withPg(async (pg) => {
    // A veth made by someone else (a container runtime): the kind a vpp-agent resync would delete if it carried
    // /vnf-agent/<label>/<name> (a half-pair without peer to it).
    await pg.sh('ip link add name eth9 type veth peer name eth9p && ip link set dev eth9 up && ip netns add ns1')
    const cfg = {interfaces: [
      {name: 'uplink', type: 'EXISTING', host_if_name: 'eth9', enabled: true, ip_addresses: ['10.1.0.2/24']},
      {name: 'lo0', type: 'LOOPBACK', enabled: true, namespace: {type: 'NSID', reference: 'ns1'}},
    ]}
    let r = await apply(pg, cfg)
    assert.equal(r.code, 0, r.stderr + r.stdout)
    assert.equal((await link(pg, '', 'eth9'))?.ifalias, '/lnx-existing/vpp1/uplink')
    assert.ok(!(await link(pg, '', 'eth9')).ifalias.startsWith('/vnf-agent/'))
    assert.equal((await link(pg, 'ns1', 'lo'))?.ifalias, '/vnf-agent/vpp1/lo0')

    // The mark an earlier lnx wrote: still lnx's, re-marked without drift, not a collision.
    await pg.sh('ip link set dev eth9 alias /vnf-agent/vpp1/uplink')
    r = await pg.lnxJson(['plan', '-f', '-'], {input: JSON.stringify(cfg)})
    assert.equal(r.code, 0, r.stderr + r.stdout)
    const c = r.json.changes.filter((x: any) => x.key === KEY.iface('uplink'))
    assert.equal(c.length, 1, JSON.stringify(r.json.changes))
    assert.equal(c[0].action, 'update')
    assert.equal(c[0].drift, undefined)
    assert.match(c[0].detail, /\/lnx-existing\/vpp1\/uplink/)
    r = await apply(pg, cfg)
    assert.equal(r.code, 0, r.stderr + r.stdout)
    assert.equal((await link(pg, '', 'eth9'))?.ifalias, '/lnx-existing/vpp1/uplink')

    r = await pg.lnxJson(['delete', '-f', '-'], {input: JSON.stringify(cfg)})
    assert.equal(r.code, 0, r.stderr + r.stdout)
    const eth9 = await link(pg, '', 'eth9')
    assert.ok(eth9, 'an EXISTING link is never deleted')
    assert.equal(eth9.ifalias, undefined)
    assert.equal((await link(pg, 'ns1', 'lo'))?.ifalias, 'unconfigured', 'interface_loop.go leaves lo "unconfigured"')
  })
})
