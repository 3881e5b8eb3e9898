// Config loading (src/config/load.ts via validateFiles): every accepted form, merging, stdin, field-name and enum
// spellings, YAML 1.2 core, the foreign section, duplicates, vppConfig, unreadable and broken input.
import {test, describe, before, after} from 'node:test'
import assert from 'node:assert/strict'
import {mkdtempSync, mkdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {validateFiles, loadDesired} from '../../src/config/index.ts'
import {LnxError} from '../../src/errors.ts'

const ROOT = join(import.meta.dirname, '..', '..')
const EX = (f: string) => join(ROOT, 'examples', f)
const FX = (f: string) => join(ROOT, 'test', 'fixtures', f)
const IF = (name: string) => `config/linux/interfaces/v2/interface/${name}`
const ARP = (iface: string, ip: string) => `config/linux/l3/v2/arp/${iface}/${ip}`
const RT = (dst: string, iface: string) => `config/linux/l3/v2/route/${dst}/${iface}`

const fromStdin = (s: string) => validateFiles(['-'], async () => s)

let tmp: string
before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'lnx-load-'))
})
after(() => rmSync(tmp, {recursive: true, force: true}))
let n = 0
function file(content: string, ext = 'yaml'): string {
  const p = join(tmp, `f${++n}.${ext}`)
  writeFileSync(p, content)
  return p
}

// The seed's items in canonical form (snake_case, enums by name), exactly as the loader must hold them.
const VETH1 = {
  name: 'veth1', type: 'VETH', namespace: {type: 'NSID', reference: 'ns1'}, enabled: true,
  ip_addresses: ['192.168.22.1/24', '10.0.2.2/24'], phys_address: 'D2:74:8C:12:67:D2', mtu: 1500, veth: {peer_if_name: 'veth2'},
}
const VETH2 = {
  name: 'veth2', type: 'VETH', namespace: {type: 'NSID', reference: 'ns2'}, enabled: true,
  ip_addresses: ['192.168.22.5/24'], phys_address: '92:C7:42:67:AB:CD', mtu: 1500, veth: {peer_if_name: 'veth1'},
}
const TAP1 = {
  name: 'tap1', type: 'TAP_TO_VPP', namespace: {type: 'NSID', reference: 'ns2'}, host_if_name: 'tap-host', enabled: true,
  ip_addresses: ['172.52.45.127/24'], phys_address: 'BC:FE:E9:5E:07:04', mtu: 1500, tap: {vpp_tap_if_name: 'tap-host'},
}
const ARP1 = {interface: 'veth1', ip_address: '130.0.0.1', hw_address: '46:06:18:DB:05:3A'}
const ROUTE1 = {outgoing_interface: 'veth1', dst_network: '10.0.2.0/24', metric: 100}

type Loaded = Awaited<ReturnType<typeof validateFiles>>['loaded']
const items = (l: Loaded) => ({
  interfaces: l.interfaces.map((x) => x.item),
  arps: l.arps.map((x) => x.item),
  routes: l.routes.map((x) => x.item),
})
const SEED_ITEMS = {interfaces: [VETH1, VETH2, TAP1], arps: [ARP1], routes: [ROUTE1]}

async function rejects(p: Promise<unknown>, check: (e: LnxError) => void) {
  let caught: unknown
  try {
    await p
  } catch (e) {
    caught = e
  }
  assert.ok(caught instanceof LnxError, `expected an LnxError, got ${caught}`)
  check(caught as LnxError)
}

describe('forms', () => {
  test('ConfigData YAML (examples/seed.yaml): canonical items, keys and positions', async () => {
    const r = await validateFiles([EX('seed.yaml')])
    assert.deepEqual(r.errors, [])
    assert.deepEqual(items(r.loaded), SEED_ITEMS)
    assert.deepEqual(r.loaded.interfaces.map((l) => [l.key, l.where, l.file]), [
      [IF('veth1'), 'interfaces[0]', EX('seed.yaml')],
      [IF('veth2'), 'interfaces[1]', EX('seed.yaml')],
      [IF('tap1'), 'interfaces[2]', EX('seed.yaml')],
    ])
    assert.equal(r.loaded.arps[0].key, ARP('veth1', '130.0.0.1'))
    assert.equal(r.loaded.arps[0].where, 'arp_entries[0]')
    assert.equal(r.loaded.routes[0].key, RT('10.0.2.0/24', 'veth1'))
    assert.equal(r.loaded.routes[0].where, 'routes[0]')
  })
  test('ConfigData JSON (examples/seed.json) loads to the same items', async () => {
    const r = await validateFiles([EX('seed.json')])
    assert.deepEqual(r.errors, [])
    assert.deepEqual(items(r.loaded), SEED_ITEMS)
  })
  test('agentctl linuxConfig with lowerCamelCase fields (examples/seed-agentctl.yaml) loads to the same items', async () => {
    const r = await validateFiles([EX('seed-agentctl.yaml')])
    assert.deepEqual(r.errors, [])
    assert.deepEqual(items(r.loaded), SEED_ITEMS)
    assert.equal(r.loaded.interfaces[2].where, 'linuxConfig.interfaces[2]')
    assert.equal(r.loaded.arps[0].where, 'linuxConfig.arp_entries[0]')
    assert.equal(r.loaded.routes[0].key, RT('10.0.2.0/24', 'veth1'))
  })
  test('agentctl linux_config wrapper, JSON, snake_case', async () => {
    const r = await fromStdin(JSON.stringify({linux_config: {interfaces: [VETH1, VETH2], arp_entries: [ARP1], routes: [ROUTE1]}}))
    assert.deepEqual(r.errors, [])
    assert.deepEqual(items(r.loaded), {interfaces: [VETH1, VETH2], arps: [ARP1], routes: [ROUTE1]})
    assert.equal(r.loaded.routes[0].where, 'linux_config.routes[0]')
  })
  test('a bare Interface (examples/items/veth1.json) verbatim', async () => {
    const r = await validateFiles([EX('items/veth1.json')])
    assert.deepEqual(r.errors, [])
    assert.deepEqual(items(r.loaded), {interfaces: [VETH1], arps: [], routes: []})
    assert.equal(r.loaded.interfaces[0].key, IF('veth1'))
    assert.equal(r.loaded.interfaces[0].where, 'document')
  })
  test('a bare TAP_TO_VPP Interface (examples/items/tap1.json) verbatim', async () => {
    const r = await validateFiles([EX('items/tap1.json')])
    assert.deepEqual(r.errors, [])
    assert.deepEqual(items(r.loaded), {interfaces: [TAP1], arps: [], routes: []})
  })
  test('a bare ARPEntry (examples/items/arp.json) verbatim', async () => {
    const r = await validateFiles([EX('items/arp.json')])
    assert.deepEqual(r.errors, [])
    assert.deepEqual(items(r.loaded), {interfaces: [], arps: [ARP1], routes: []})
    assert.equal(r.loaded.arps[0].key, ARP('veth1', '130.0.0.1'))
  })
  test('a bare Route (examples/items/route.json) verbatim', async () => {
    const r = await validateFiles([EX('items/route.json')])
    assert.deepEqual(r.errors, [])
    assert.deepEqual(items(r.loaded), {interfaces: [], arps: [], routes: [{outgoing_interface: 'linuxIf1', dst_network: '10.0.2.0/24', metric: 100}]})
    assert.equal(r.loaded.routes[0].key, RT('10.0.2.0/24', 'linuxIf1'))
  })
  test('bare items in lowerCamelCase and YAML are recognised by their fields', async () => {
    const route = await fromStdin('outgoingInterface: veth1\ndstNetwork: 10.0.2.0/24\nmetric: 100\n')
    assert.deepEqual(items(route.loaded).routes, [ROUTE1])
    const arp = await fromStdin('interface: veth1\nipAddress: 130.0.0.1\nhwAddress: 46:06:18:DB:05:3A\n')
    assert.deepEqual(items(arp.loaded).arps, [ARP1])
    const iface = await fromStdin('{name: veth1, type: VETH, veth: {peerIfName: veth2}}')
    assert.deepEqual(items(iface.loaded).interfaces, [{name: 'veth1', type: 'VETH', veth: {peer_if_name: 'veth2'}}])
  })
  test('a document that is none of the forms is an error listing its fields', async () => {
    const r = await fromStdin('interfacez: []\n')
    assert.equal(r.valid, false)
    assert.equal(r.errors.length, 1)
    assert.match(r.errors[0].message, /not a config document/)
    assert.match(r.errors[0].message, /found fields: interfacez/)
  })
  test('a document that is a list is an error', async () => {
    const r = await fromStdin('[{"name": "a", "type": "DUMMY"}]')
    assert.equal(r.valid, false)
    assert.match(r.errors[0].message, /must be a mapping, not a list/)
  })
  test('an empty file is an empty, valid config', async () => {
    const r = await validateFiles([file('# nothing here\n')])
    assert.equal(r.valid, true)
    assert.deepEqual(items(r.loaded), {interfaces: [], arps: [], routes: []})
  })
})

describe('merging', () => {
  test('several files are merged in order (YAML ConfigData + JSON linux_config in camelCase)', async () => {
    const r = await validateFiles([FX('valid/split-interfaces.yaml'), FX('valid/split-l3.json')])
    assert.deepEqual(r.errors, [])
    assert.deepEqual(r.warnings, [])
    assert.deepEqual(r.loaded.interfaces.map((l) => l.item.name), ['veth1', 'veth2'])
    assert.deepEqual(items(r.loaded).arps, [ARP1])
    assert.deepEqual(items(r.loaded).routes, [ROUTE1])
    assert.equal(r.loaded.routes[0].file, FX('valid/split-l3.json'))
    assert.equal(r.loaded.interfaces[0].file, FX('valid/split-interfaces.yaml'))
  })
  test('the seed split into bare items in several files equals the seed', async () => {
    const r = await validateFiles(['veth1', 'veth2', 'tap1', 'arp', 'route-veth1'].map((f) => EX(`items/${f}.json`)))
    assert.deepEqual(r.errors, [])
    assert.deepEqual(r.warnings, [])
    assert.deepEqual(items(r.loaded), SEED_ITEMS)
  })
  test('several YAML documents in one file ("---"), of different forms', async () => {
    const r = await validateFiles([FX('valid/multi-doc.yaml')])
    assert.deepEqual(r.errors, [])
    assert.deepEqual(r.loaded.interfaces.map((l) => [l.item.name, l.where]), [
      ['lo1', 'document 1: interfaces[0]'],
      ['d1', 'document 2: linuxConfig.interfaces[0]'],
    ])
    assert.deepEqual(r.loaded.interfaces[1].item, {name: 'd1', type: 'DUMMY', namespace: {type: 'NSID', reference: 'ns1'}, ip_addresses: ['10.7.0.1/24']})
    assert.equal(r.loaded.routes.length, 1)
    assert.equal(r.loaded.routes[0].where, 'document 3')
    assert.equal(r.loaded.routes[0].key, RT('10.8.0.0/16', 'd1'))
    assert.deepEqual(r.loaded.routes[0].item, {outgoing_interface: 'd1', dst_network: '10.8.0.7/16', gw_addr: '10.7.0.254'})
  })
  test('stdin ("-") is read and merged with files; errors name <stdin>', async () => {
    const r = await validateFiles([EX('items/veth1.json'), '-'], async () => JSON.stringify(VETH2))
    assert.deepEqual(r.errors, [])
    assert.deepEqual(r.warnings, [])
    assert.deepEqual(r.loaded.interfaces.map((l) => [l.item.name, l.file]), [['veth1', EX('items/veth1.json')], ['veth2', '<stdin>']])
    const bad = await validateFiles(['-'], async () => 'interfaces: [{name: a, type: DUMMY, mtu: 1}]')
    assert.equal(bad.errors[0].file, '<stdin>')
  })
  test('"-" given twice is refused (INVALID)', async () => {
    await rejects(validateFiles(['-', '-'], async () => ''), (e) => assert.equal(e.code, 'INVALID'))
  })
})

describe('field names and enums', () => {
  test('snake_case, lowerCamelCase and a mix of both give the same canonical item', async () => {
    const snake = await fromStdin('interfaces: [{name: t, type: TAP_TO_VPP, host_if_name: th, ip_addresses: [10.1.0.1/24], phys_address: "02:00:00:00:00:01", link_only: false, tap: {vpp_tap_if_name: tv}}]')
    const camel = await fromStdin('interfaces: [{name: t, type: TAP_TO_VPP, hostIfName: th, ipAddresses: [10.1.0.1/24], physAddress: "02:00:00:00:00:01", linkOnly: false, tap: {vppTapIfName: tv}}]')
    const mixed = await fromStdin('interfaces: [{name: t, type: TAP_TO_VPP, hostIfName: th, ip_addresses: [10.1.0.1/24], physAddress: "02:00:00:00:00:01", link_only: false, tap: {vppTapIfName: tv}}]')
    const want = {name: 't', type: 'TAP_TO_VPP', host_if_name: 'th', ip_addresses: ['10.1.0.1/24'], phys_address: '02:00:00:00:00:01', link_only: false, tap: {vpp_tap_if_name: 'tv'}}
    for (const r of [snake, camel, mixed]) {
      assert.deepEqual(r.errors, [])
      assert.deepEqual(r.loaded.interfaces[0].item, want)
    }
  })
  test('enums by number: type 1 == VETH, scope 3 == LINK, namespace type 1 == NSID, offload 2 == DISABLED', async () => {
    const r = await fromStdin(`
interfaces:
  - {name: a, type: 1, namespace: {type: 1, reference: n}, veth: {peer_if_name: b, rx_checksum_offloading: 2, txChecksumOffloading: 1}}
  - {name: b, type: VETH, namespace: {type: NSID, reference: n}, veth: {peer_if_name: a}}
  - {name: l, type: 3}
  - {name: e, type: 4}
routes:
  - {outgoing_interface: a, dst_network: 10.0.2.0/24, scope: 3}
  - {outgoing_interface: a, dst_network: 10.0.3.0/24, scope: 1, gw_addr: 10.0.2.1}
`)
    assert.deepEqual(r.errors, [])
    assert.deepEqual(r.loaded.interfaces[0].item, {
      name: 'a', type: 'VETH', namespace: {type: 'NSID', reference: 'n'},
      veth: {peer_if_name: 'b', rx_checksum_offloading: 'CHKSM_OFFLOAD_DISABLED', tx_checksum_offloading: 'CHKSM_OFFLOAD_ENABLED'},
    })
    assert.equal(r.loaded.interfaces[2].item.type, 'LOOPBACK')
    assert.equal(r.loaded.interfaces[3].item.type, 'EXISTING')
    assert.deepEqual(r.loaded.routes[0].item, {outgoing_interface: 'a', dst_network: '10.0.2.0/24', scope: 'LINK'})
    assert.equal(r.loaded.routes[1].item.scope, 'GLOBAL')
  })
  test('enum by number and by name validate identically (scope 3 with a gateway is the LINK error)', async () => {
    const byNum = await fromStdin('{"outgoing_interface": "x", "dst_network": "10.0.2.0/24", "gw_addr": "10.0.0.1", "scope": 3}')
    const byName = await fromStdin('{"outgoing_interface": "x", "dst_network": "10.0.2.0/24", "gw_addr": "10.0.0.1", "scope": "LINK"}')
    assert.equal(byNum.errors.length, 1)
    assert.deepEqual(byNum.errors, byName.errors)
  })
})

describe('YAML 1.2 core', () => {
  test('"enabled: yes" is a string, hence a type error', async () => {
    const r = await fromStdin('interfaces:\n  - name: a\n    type: DUMMY\n    enabled: yes\n')
    assert.equal(r.valid, false)
    assert.deepEqual(r.errors, [{file: '<stdin>', key: IF('a'), path: 'enabled', message: 'must be a boolean (got string)', line: 4, column: 5}])
    assert.equal(r.loaded.interfaces[0].item.enabled, 'yes')
  })
  test('"on"/"off" are strings; only true/false are booleans', async () => {
    const r = await fromStdin('interfaces:\n  - {name: a, type: DUMMY, enabled: on, link_only: off}\n  - {name: b, type: DUMMY, enabled: true}\n')
    assert.deepEqual(r.errors.map((e) => [e.key, e.path]), [[IF('a'), 'enabled'], [IF('a'), 'link_only']])
    assert.equal(r.loaded.interfaces[1].item.enabled, true)
  })
  test('unquoted MACs and addresses stay strings (no YAML 1.1 sexagesimal numbers)', async () => {
    const r = await fromStdin('interfaces:\n  - {name: a, type: DUMMY, phys_address: 12:34:56:12:34:56, ip_addresses: [10.0.0.1/24]}\narp_entries:\n  - {interface: a, ip_address: 10.0.0.9, hw_address: 02:00:00:00:00:09}\n')
    assert.deepEqual(r.errors, [])
    assert.equal(r.loaded.interfaces[0].item.phys_address, '12:34:56:12:34:56')
    assert.equal(r.loaded.arps[0].item.hw_address, '02:00:00:00:00:09')
  })
  test('YAML flow style that is not JSON is read as YAML', async () => {
    const r = await fromStdin('{interfaces: [{name: a, type: DUMMY}]}')
    assert.deepEqual(r.errors, [])
    assert.deepEqual(items(r.loaded).interfaces, [{name: 'a', type: 'DUMMY'}])
  })
})

describe('foreign section', () => {
  test('a foreign: section (as dump writes it) is accepted and ignored', async () => {
    const r = await fromStdin(`
interfaces:
  - {name: a, type: DUMMY}
foreign:
  interfaces:
    - {name: eth0, type: EXISTING, ip_addresses: ["192.0.2.1/24"], bogus_field: 1}
    - {name: eth0, type: EXISTING}
  routes:
    - {outgoing_interface: eth0, dst_network: 0.0.0.0/0, gw_addr: 192.0.2.254}
`)
    assert.deepEqual(r.errors, [])
    assert.deepEqual(r.warnings, [])
    assert.deepEqual(r.loaded.interfaces.map((l) => l.item.name), ['a'])
    assert.equal(r.loaded.routes.length, 0)
  })
  test('a document with only foreign: loads nothing', async () => {
    const r = await fromStdin('foreign:\n  interfaces: [{name: eth0}]\n')
    assert.deepEqual(r.errors, [])
    assert.deepEqual(items(r.loaded), {interfaces: [], arps: [], routes: []})
  })
})

describe('duplicates', () => {
  test('two interfaces of one name in two files: one error naming both places', async () => {
    const r = await validateFiles([FX('invalid/dup-a.yaml'), FX('invalid/dup-b.json')])
    const dups = r.errors.filter((e) => e.message.startsWith('duplicate item'))
    const ifDup = dups.find((e) => e.key === IF('veth1'))
    assert.ok(ifDup, JSON.stringify(r.errors))
    assert.equal(ifDup.file, FX('invalid/dup-b.json'))
    assert.equal(ifDup.path, '')
    assert.ok(ifDup.message.includes(`${FX('invalid/dup-a.yaml')} (interfaces[0])`), ifDup.message)
    assert.ok(ifDup.message.includes(`${FX('invalid/dup-b.json')} (interfaces[1])`), ifDup.message)
  })
  test('routes 10.0.2.5/24 and 10.0.2.0/24 on one interface are the same key: an error naming both places', async () => {
    const r = await validateFiles([FX('invalid/dup-a.yaml'), FX('invalid/dup-b.json')])
    const rt = r.errors.find((e) => e.key === RT('10.0.2.0/24', 'veth1'))
    assert.ok(rt, JSON.stringify(r.errors))
    assert.match(rt.message, /duplicate item/)
    assert.ok(rt.message.includes(`${FX('invalid/dup-a.yaml')} (routes[0])`), rt.message)
    assert.ok(rt.message.includes(`${FX('invalid/dup-b.json')} (routes[0])`), rt.message)
    assert.equal(r.errors.length, 2, JSON.stringify(r.errors))
    assert.equal(r.valid, false)
  })
  test('two routes with the same dst and interface in one document', async () => {
    const r = await fromStdin('routes:\n  - {outgoing_interface: a, dst_network: 10.0.2.5/24, metric: 1}\n  - {outgoing_interface: a, dst_network: 10.0.2.0/24, metric: 2}\n')
    assert.equal(r.errors.length, 1, JSON.stringify(r.errors))
    assert.equal(r.errors[0].key, RT('10.0.2.0/24', 'a'))
    assert.match(r.errors[0].message, /<stdin> \(routes\[0\]\).*<stdin> \(routes\[1\]\)/)
  })
  test('duplicate ARP entries whose IPv6 addresses differ only in spelling', async () => {
    const r = await fromStdin(JSON.stringify({arp_entries: [
      {interface: 'a', ip_address: '2001:db8::9', hw_address: '02:00:00:00:00:09'},
      {interface: 'a', ip_address: '2001:DB8:0:0:0:0:0:9', hw_address: '02:00:00:00:00:08'},
    ]}))
    assert.equal(r.errors.length, 1, JSON.stringify(r.errors))
    assert.equal(r.errors[0].key, ARP('a', '2001:db8::9'))
    assert.match(r.errors[0].message, /duplicate item/)
  })
  test('duplicates across YAML documents of one file name the documents', async () => {
    const r = await fromStdin('interfaces: [{name: a, type: DUMMY}]\n---\n{name: a, type: LOOPBACK}\n')
    assert.equal(r.errors.length, 1, JSON.stringify(r.errors))
    assert.equal(r.errors[0].key, IF('a'))
    assert.ok(r.errors[0].message.includes('<stdin> (document 1: interfaces[0])'), r.errors[0].message)
    assert.ok(r.errors[0].message.includes('<stdin> (document 2)'), r.errors[0].message)
  })
  test('the same name in a config and in its foreign: section is not a duplicate', async () => {
    const r = await fromStdin('interfaces: [{name: a, type: DUMMY}]\nforeign: {interfaces: [{name: a, type: DUMMY}]}\n')
    assert.deepEqual(r.errors, [])
  })
})

describe('vppConfig', () => {
  test('a vppConfig section is a clear "not supported by lnx" error; the Linux part still loads', async () => {
    const r = await validateFiles([FX('invalid/vpp-config.yaml')])
    assert.equal(r.valid, false)
    assert.equal(r.errors.length, 1, JSON.stringify(r.errors))
    assert.equal(r.errors[0].file, FX('invalid/vpp-config.yaml'))
    assert.equal(r.errors[0].key, '')
    assert.match(r.errors[0].message, /"vppConfig" is not supported by lnx/)
    assert.deepEqual(r.loaded.interfaces.map((l) => l.item.name), ['d1'])
  })
  test('vpp_config alone, in JSON', async () => {
    const r = await fromStdin('{"vpp_config": {"interfaces": []}}')
    assert.equal(r.valid, false)
    assert.equal(r.errors.length, 1, JSON.stringify(r.errors))
    assert.match(r.errors[0].message, /"vpp_config" is not supported by lnx/)
  })
})

describe('unreadable and broken input', () => {
  test('a missing file is an LnxError INVALID (exit 2) naming the file', async () => {
    const missing = join(tmp, 'does-not-exist.yaml')
    await rejects(validateFiles([missing]), (e) => {
      assert.equal(e.code, 'INVALID')
      assert.equal(e.exitCode, 2)
      assert.ok(e.message.includes(missing), e.message)
      assert.match(e.message, /no such file/)
      assert.equal(e.errors?.[0].file, missing)
    })
  })
  test('a directory is an LnxError INVALID', async () => {
    const d = join(tmp, 'adir')
    mkdirSync(d)
    await rejects(validateFiles([d]), (e) => {
      assert.equal(e.code, 'INVALID')
      assert.match(e.message, /is a directory/)
    })
  })
  test('broken YAML is an LnxError INVALID whose message gives the line', async () => {
    await rejects(validateFiles([FX('invalid/broken.yaml')]), (e) => {
      assert.equal(e.code, 'INVALID')
      assert.equal(e.exitCode, 2)
      assert.ok(e.message.startsWith(`${FX('invalid/broken.yaml')}:4:`), e.message)
      assert.equal(e.errors?.length, 1)
      assert.equal(e.errors![0].line, 4)
      assert.match(e.errors![0].message, /^not valid YAML or JSON: /)
    })
  })
  test('broken JSON gives the line too', async () => {
    await rejects(fromStdin('{\n  "interfaces": [\n    {"name": "a" "type": "DUMMY"}\n  ]\n}\n'), (e) => {
      assert.equal(e.code, 'INVALID')
      assert.match(e.message, /^<stdin>:3:\d+: /)
      assert.equal(e.errors![0].line, 3)
    })
  })
  test('a repeated key in a YAML mapping is an error', async () => {
    await rejects(fromStdin('interfaces:\n  - name: a\n    name: b\n    type: DUMMY\n'), (e) => {
      assert.equal(e.code, 'INVALID')
      assert.match(e.message, /^<stdin>:3:5: .*given twice/)
    })
  })
})

describe('loadDesired', () => {
  test('throws INVALID with every error when the config is not valid', async () => {
    await rejects(loadDesired(['-'], async () => 'interfaces: [{name: a, type: DUMMY, mtu: 1, phys_address: x}]'), (e) => {
      assert.equal(e.code, 'INVALID')
      assert.equal(e.errors?.length, 2)
    })
  })
  test('returns the normalised seed', async () => {
    const {desired, warnings} = await loadDesired([EX('seed.yaml')])
    assert.deepEqual(warnings, [])
    assert.deepEqual(desired.interfaces.map((i) => i.key), [IF('veth1'), IF('veth2'), IF('tap1')])
    assert.equal(desired.interfaces[0].mac, 'd2:74:8c:12:67:d2')
    assert.equal(desired.routes[0].scope, 'link')
    assert.equal(desired.arps[0].mac, '46:06:18:db:05:3a')
  })
})
