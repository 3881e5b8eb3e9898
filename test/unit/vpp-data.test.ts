// Real vpp-agent data (issue 11), the static half: what the vpp-agent's own configs contain must load and validate
// as the vpp-agent would take it. Planning against the kernel: test/integration/vpp-data.test.ts and corpus.test.ts.
import {test, describe} from 'node:test'
import assert from 'node:assert/strict'
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {validateFiles, toDesired} from '../../src/config/index.ts'
import {fnv32a, vppGeneratedTapName, vppTapCandidates} from '../../src/model/names.ts'

const IF = (name: string) => `config/linux/interfaces/v2/interface/${name}`
const ARP = (iface: string, ip: string) => `config/linux/l3/v2/arp/${iface}/${ip}`
const run = (doc: unknown) => validateFiles(['-'], async () => (typeof doc === 'string' ? doc : JSON.stringify(doc)))
const dump = (x: unknown) => JSON.stringify(x, null, 1)

async function valid(doc: unknown) {
  const r = await run(doc)
  assert.equal(r.valid, true, dump(r.errors))
  return r
}
async function invalid(doc: unknown, path: string, message: RegExp) {
  const r = await run(doc)
  assert.equal(r.valid, false, 'expected errors')
  assert.ok(r.errors.some((e) => e.path === path && message.test(e.message)), `no error at ${path} matching ${message}: ${dump(r.errors)}`)
  return r
}

describe("VPP's tap name", () => {
  test('fnv32a as Go\'s hash/fnv New32a: VPP tap "tap1" → Linux "tap-3058328937"', () => {
    assert.equal(fnv32a(''), 0x811c9dc5)
    assert.equal(fnv32a('a'), 0xe40c292c)
    assert.equal(fnv32a('tap1'), 3058328937)
    assert.equal(vppGeneratedTapName('tap1'), 'tap-3058328937')
  })
  test('lookup order: the generated name, then vpp_tap_if_name, then the host name (each once, only valid link names)', () => {
    assert.deepEqual(vppTapCandidates('tap1', 'tap_to_vpp1'), ['tap-3058328937', 'tap1', 'tap_to_vpp1'])
    assert.deepEqual(vppTapCandidates('tap-host', 'tap-host'), [vppGeneratedTapName('tap-host'), 'tap-host'])
    assert.deepEqual(vppTapCandidates('a-vpp-tap-name-too-long'), [vppGeneratedTapName('a-vpp-tap-name-too-long')])
  })
  test('vpp_tap_if_name is a VPP logical name: longer than a link name is fine', async () => {
    await valid({interfaces: [{name: 't', type: 'TAP_TO_VPP', tap: {vpp_tap_if_name: 'tap-to-microservice1'}}]})
  })
})

describe('routes', () => {
  const pair = (ips1: string[]) => [
    {name: 'v1', type: 'VETH', enabled: true, ip_addresses: ips1, veth: {peer_if_name: 'v2'}},
    {name: 'v2', type: 'VETH', enabled: true, veth: {peer_if_name: 'v1'}},
  ]
  test('a gateway that is the interface\'s own IPv4 address is valid (robot linux_ip_route_crud.robot)', async () => {
    await valid({interfaces: pair(['192.168.22.1/24']), routes: [{outgoing_interface: 'v1', dst_network: '8.8.8.8/32', gw_addr: '192.168.22.1'}]})
  })
  test('an IPv6 gateway that is the interface\'s own address is refused: the kernel says "Gateway can not be a local address"', async () => {
    await invalid({interfaces: pair(['2001:db8::1/64']), routes: [{outgoing_interface: 'v1', dst_network: '2001:db8:9::/64', gw_addr: '2001:db8::1'}]}, 'gw_addr', /itself/)
  })
  test('an IPv6 default route via a link-local gateway is valid', async () => {
    await valid({interfaces: pair(['2001:db8::1/64']), routes: [{outgoing_interface: 'v1', dst_network: '::/0', gw_addr: 'fe80::1'}]})
  })
})

describe('MTU per kind (the kernel\'s limits), naming the limit that applied', () => {
  const one = (type: string, mtu: number, extra: Record<string, unknown> = {}) => ({interfaces: [{name: 'x', type, mtu, ...extra}]})
  test('LOOPBACK 65536 (lo\'s own default, what a vpp-agent dump of lo says) is valid', async () => {
    await valid(one('LOOPBACK', 65536))
  })
  test('VRF_DEVICE 65536 (legacy default, examples/localclient_linux/vrf) and 65575 (today\'s default) are valid', async () => {
    await valid(one('VRF_DEVICE', 65536, {vrf_dev: {routing_table: 2}}))
    await valid(one('VRF_DEVICE', 65575, {vrf_dev: {routing_table: 2}}))
  })
  test('VETH 65536 is refused naming the veth limit 65535; TAP_TO_VPP 65522 naming the tap limit 65521; LOOPBACK 65537', async () => {
    await invalid({interfaces: [{name: 'x', type: 'VETH', mtu: 65536, veth: {peer_if_name: 'y'}}, {name: 'y', type: 'VETH', veth: {peer_if_name: 'x'}}]}, 'mtu', /out of range for a VETH.*65535.*veth/)
    await invalid(one('TAP_TO_VPP', 65522, {tap: {vpp_tap_if_name: 't'}}), 'mtu', /out of range for a TAP_TO_VPP.*65521.*tap/)
    await invalid(one('LOOPBACK', 65537), 'mtu', /out of range for a LOOPBACK.*65536/)
  })
})

describe('protojson input', () => {
  test('null means unset, for fields, link sections and whole sections', async () => {
    const r = await valid({
      linuxConfig: {
        interfaces: [{name: 'v1', type: 'VETH', namespace: null, hostIfName: null, mtu: null, ipAddresses: null, veth: {peerIfName: 'v2', rxChecksumOffloading: null}},
          {name: 'v2', type: 'VETH', veth: {peerIfName: 'v1'}, tap: null}],
        arpEntries: null,
        routes: [{outgoingInterface: 'v1', dstNetwork: '10.0.0.0/24', gwAddr: null, scope: null, metric: null}],
      },
    })
    const d = toDesired(r.loaded)
    assert.equal(d.interfaces[0].hostName, 'v1')
    assert.equal(d.interfaces[0].mtu, 1500)
    assert.equal(d.routes[0].gw, undefined)
  })
  test('integers as quoted strings ("mtu": "1500", "metric": "100", "routingTable": "2"); a non-integer string still errs', async () => {
    const r = await valid({interfaces: [{name: 'v1', type: 'VETH', mtu: '9000', veth: {peer_if_name: 'v2'}}, {name: 'v2', type: 'VETH', veth: {peer_if_name: 'v1'}},
      {name: 'vrf1', type: 'VRF_DEVICE', vrfDev: {routingTable: '2'}}],
    routes: [{outgoing_interface: 'v1', dst_network: '10.0.0.0/24', metric: '100'}]})
    const d = toDesired(r.loaded)
    assert.equal(d.interfaces[0].mtu, 9000)
    assert.equal(d.routes[0].metric, 100)
    await invalid('{"interfaces": [{"name": "a", "type": "DUMMY", "mtu": "9k"}]}', 'mtu', /must be an integer/)
  })
  test('a bare item (an etcd value) with null and quoted integers', async () => {
    await valid('{"outgoing_interface": "v1", "dst_network": "10.0.2.0/24", "metric": "100", "gw_addr": null}')
  })
  test('ARP ip_address with a mask: valid, the entry is the address (arp.go parses it as an address with mask)', async () => {
    const r = await valid({interfaces: [{name: 'd', type: 'DUMMY', ip_addresses: ['130.0.0.2/24']}], arp_entries: [{interface: 'd', ip_address: '130.0.0.1/24', hw_address: '46:06:18:DB:05:3A'}]})
    assert.equal(r.loaded.arps[0].key, ARP('d', '130.0.0.1'))
    const d = toDesired(r.loaded)
    assert.equal(d.arps[0].ip, '130.0.0.1')
    assert.equal(d.arps[0].key, ARP('d', '130.0.0.1'))
  })
  test('netallocConfig: {} (agentctl and the init file print it) is ignored; so is vppConfig: {}', async () => {
    const r = await valid('netallocConfig: {}\nlinuxConfig:\n  interfaces:\n  - {name: d1, type: DUMMY}\nvppConfig: {}\n')
    assert.deepEqual(r.loaded.interfaces.map((l) => l.key), [IF('d1')])
    await valid('{"netalloc_config": null, "linux_config": {}}')
  })
  test('a netallocConfig with content is refused with "not supported by lnx", the Linux part still loads', async () => {
    const r = await run('netallocConfig:\n  ipAddresses:\n  - {networkName: net1, interfaceName: d1, address: 10.0.0.1/24}\nlinuxConfig:\n  interfaces:\n  - {name: d1, type: DUMMY}\n')
    assert.equal(r.valid, false)
    assert.equal(r.errors.length, 1, dump(r.errors))
    assert.match(r.errors[0].message, /"netallocConfig" is not supported by lnx/)
    assert.deepEqual(r.loaded.interfaces.map((l) => l.key), [IF('d1')])
  })
})

describe('VRF masters', () => {
  test('a VRF_DEVICE with a vrf_master_interface is refused (the vpp-agent: "VRF device cannot be inside another VRF")', async () => {
    await invalid({interfaces: [{name: 'vrf1', type: 'VRF_DEVICE', vrf_dev: {routing_table: 1}}, {name: 'vrf2', type: 'VRF_DEVICE', vrf_master_interface: 'vrf1', vrf_dev: {routing_table: 2}}]},
      'vrf_master_interface', /cannot be inside another VRF/)
  })
  test('an EXISTING VRF as master is valid (tests/e2e/080_vrf_test.go TestExistingLinuxVRF); a VETH as master is not', async () => {
    await valid({interfaces: [{name: 'existing-vrf', type: 'EXISTING', host_if_name: 'vrf', enabled: true, link_only: true},
      {name: 'dummy2', type: 'DUMMY', enabled: true, ip_addresses: ['172.16.7.7/24'], vrf_master_interface: 'existing-vrf'}]})
    await invalid({interfaces: [{name: 'v1', type: 'VETH', veth: {peer_if_name: 'v2'}}, {name: 'v2', type: 'VETH', veth: {peer_if_name: 'v1'}},
      {name: 'd', type: 'DUMMY', vrf_master_interface: 'v1'}]}, 'vrf_master_interface', /is a VETH, not a VRF_DEVICE/)
  })
})

describe('corpus: real vpp-agent configs (test/fixtures/vpp-agent)', () => {
  const dir = join(import.meta.dirname, '..', 'fixtures', 'vpp-agent')
  const files = readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f)).sort()
  test('the corpus holds every kind of source the issue names, each noting its source', () => {
    assert.ok(files.length >= 10, files.join(' '))
    const readme = readFileSync(join(dir, 'README.md'), 'utf8')
    for (const f of files) {
      assert.ok(readme.includes(`| ${f} |`), `${f} is listed with its source in README.md`)
      if (!f.endsWith('.json')) assert.match(readFileSync(join(dir, f), 'utf8'), /^# source: ligato\/vpp-agent |^# source: /, `${f} names its source`)
    }
  })
  for (const f of files.filter((x) => x !== 'init-file-verbatim.yaml')) {
    test(`${f} validates`, async () => {
      const r = await validateFiles([join(dir, f)])
      assert.equal(r.valid, true, dump(r.errors))
      assert.ok(r.loaded.interfaces.length > 0)
    })
  }
  test('init-file-verbatim.yaml: only its non-empty vppConfig is refused', async () => {
    const r = await validateFiles([join(dir, 'init-file-verbatim.yaml')])
    assert.deepEqual(r.errors.map((e) => e.message.replace(/ \(.*/, '')), ['"vppConfig" is not supported by lnx: lnx configures Linux networking only'])
  })
})
