// Static validation (src/model/validate.ts + the schema layer in src/config/schema.ts): every rule of docs/DESIGN.md
// "The model" and of vpp-agent-facts.md "Validation errors", one invalid document per case, asserting the exact
// item key, the exact field path and the message.
import {test, describe} from 'node:test'
import assert from 'node:assert/strict'
import {readdirSync} from 'node:fs'
import {join} from 'node:path'
import {validateFiles} from '../../src/config/index.ts'

const EXAMPLES = join(import.meta.dirname, '..', '..', 'examples')

// Keys written out literally, independent of src/model/keys.ts.
const IF = (name: string) => `config/linux/interfaces/v2/interface/${name}`
const ARP = (iface: string, ip: string) => `config/linux/l3/v2/arp/${iface}/${ip}`
const RT = (dst: string, iface: string) => `config/linux/l3/v2/route/${dst}/${iface}`

type Doc = string | Record<string, unknown>
const text = (d: Doc) => (typeof d === 'string' ? d : JSON.stringify(d))
const run = (doc: Doc) => validateFiles(['-'], async () => text(doc))

interface Expected {
  path: string
  key: string
  /** Substring of the message (hint included), or the exact message when `exact` is set. */
  message: string
  exact?: boolean
}

function matches(e: {path: string; key: string; message: string}, x: Expected): boolean {
  return e.path === x.path && e.key === x.key && (x.exact ? e.message === x.message : e.message.includes(x.message))
}

/** Asserts each expected error is reported; unless `atLeast`, also that nothing else is. */
async function expectErrors(doc: Doc, expected: Expected[], opts: {atLeast?: boolean} = {}) {
  const r = await run(doc)
  const dump = JSON.stringify(r.errors, null, 1)
  assert.equal(r.valid, false, `expected the document to be invalid; errors: ${dump}`)
  for (const x of expected) {
    assert.ok(r.errors.some((e) => matches(e, x)), `missing error ${JSON.stringify(x)}; got: ${dump}`)
  }
  if (!opts.atLeast) assert.equal(r.errors.length, expected.length, `unexpected number of errors: ${dump}`)
  for (const e of r.errors) assert.equal(e.file, '<stdin>')
  return r
}

const dummy = (extra: Record<string, unknown>) => ({interfaces: [{name: 'a', type: 'DUMMY', ...extra}]})
const veths = (a: Record<string, unknown> = {}, b: Record<string, unknown> = {}) => ({
  interfaces: [
    {name: 'a', type: 'VETH', veth: {peer_if_name: 'b'}, ...a},
    {name: 'b', type: 'VETH', veth: {peer_if_name: 'a'}, ...b},
  ],
})
/** One defined, addressed interface "a" plus the given route. */
const withRoute = (route: Record<string, unknown>, addrs = ['10.0.0.1/24']) => ({
  interfaces: [{name: 'a', type: 'DUMMY', ip_addresses: addrs}],
  routes: [route],
})
const withArp = (arp: Record<string, unknown>) => ({
  interfaces: [{name: 'veth1', type: 'DUMMY', ip_addresses: ['130.0.0.2/24']}],
  arp_entries: [arp],
})

interface Case {
  title: string
  doc: Doc
  errors: Expected[]
  atLeast?: boolean
}

const CASES: Case[] = [
  // --- logical names
  {title: 'name with "%"', doc: dummy({name: 'a%b'}), errors: [{key: IF('a%b'), path: 'name', message: 'name "a%b" contains "%"'}]},
  {title: 'name with "#"', doc: dummy({name: 'a#b'}), errors: [{key: IF('a#b'), path: 'name', message: 'contains "#"'}]},
  {title: 'name with a space', doc: dummy({name: 'a b'}), errors: [{key: IF('a b'), path: 'name', message: 'contains a space'}]},
  {title: 'name with a double quote', doc: dummy({name: 'a"b'}), errors: [{key: IF('a"b'), path: 'name', message: 'contains """'}]},
  {title: 'name with a single quote', doc: dummy({name: "a'b"}), errors: [{key: IF("a'b"), path: 'name', message: `contains "'"`}]},
  {title: 'name with a backslash', doc: dummy({name: 'a\\b'}), errors: [{key: IF('a\\b'), path: 'name', message: 'contains "\\"'}]},
  {title: 'name of 64 bytes', doc: dummy({name: 'n'.repeat(64), host_if_name: 'n'}), errors: [{key: IF('n'.repeat(64)), path: 'name', message: 'is 64 bytes long; at most 63'}]},
  {title: 'name starting with "-"', doc: dummy({name: '-a'}), errors: [{key: IF('-a'), path: 'name', message: 'must not start with "-"'}]},
  {title: 'name starting with "."', doc: dummy({name: '.a'}), errors: [{key: IF('.a'), path: 'name', message: 'must not start with "."'}]},
  {title: 'empty name (keyed by its position)', doc: dummy({name: ''}), errors: [{key: 'interfaces[0]', path: 'name', message: 'name is required', exact: true}]},
  {title: 'missing type', doc: {interfaces: [{name: 'a'}]}, errors: [{key: IF('a'), path: 'type', message: 'type is required'}]},

  // --- host names
  {title: 'host_if_name of 16 bytes', doc: dummy({host_if_name: 'h'.repeat(16)}), errors: [{key: IF('a'), path: 'host_if_name', message: `host name "${'h'.repeat(16)}" is 16 bytes long; the kernel allows at most 15`, exact: true}]},
  {title: 'name of 16 bytes without host_if_name', doc: dummy({name: 'abcdefghijklmnop'}), errors: [{key: IF('abcdefghijklmnop'), path: 'name', message: 'cannot be a kernel link name'}]},
  {title: 'host_if_name with "/"', doc: dummy({host_if_name: 'a/b'}), errors: [{key: IF('a'), path: 'host_if_name', message: 'host name "a/b" contains "/"'}]},
  {title: 'host_if_name with ":"', doc: dummy({host_if_name: 'a:b'}), errors: [{key: IF('a'), path: 'host_if_name', message: 'host name "a:b" contains ":"'}]},
  {title: 'host_if_name ".."', doc: dummy({host_if_name: '..'}), errors: [{key: IF('a'), path: 'host_if_name', message: 'must not be ".."'}]},
  {
    title: 'host name used twice in one namespace',
    doc: {interfaces: [{name: 'a', type: 'DUMMY', host_if_name: 'x'}, {name: 'b', type: 'DUMMY', host_if_name: 'x'}]},
    errors: [{key: IF('b'), path: 'host_if_name', message: `host name "x" is already used by ${IF('a')} in the default namespace`}],
  },
  {
    title: 'a host name equal to another interface\'s logical name in the same namespace',
    doc: {interfaces: [{name: 'x', type: 'DUMMY'}, {name: 'b', type: 'DUMMY', host_if_name: 'x', namespace: {type: 'NSID', reference: 'n'}}, {name: 'c', type: 'DUMMY', host_if_name: 'x'}]},
    errors: [{key: IF('c'), path: 'host_if_name', message: `already used by ${IF('x')}`}],
  },
  {
    title: 'two LOOPBACKs in one namespace',
    doc: {interfaces: [{name: 'lo1', type: 'LOOPBACK', namespace: {type: 'NSID', reference: 'n1'}}, {name: 'lo2', type: 'LOOPBACK', namespace: {type: 'NSID', reference: 'n1'}}]},
    errors: [{key: IF('lo2'), path: 'type', message: `n1 already has a LOOPBACK: ${IF('lo1')}`}],
    atLeast: true,
  },
  {title: 'LOOPBACK with a host name other than lo', doc: {interfaces: [{name: 'l', type: 'LOOPBACK', host_if_name: 'lo0'}]}, errors: [{key: IF('l'), path: 'host_if_name', message: 'a LOOPBACK is always "lo", not "lo0"'}]},

  // --- MAC
  {title: 'MAC not hex', doc: dummy({phys_address: 'zz:00:00:00:00:01'}), errors: [{key: IF('a'), path: 'phys_address', message: '"zz:00:00:00:00:01" is not a MAC address'}]},
  {title: 'MAC with five octets', doc: dummy({phys_address: '02:00:00:00:01'}), errors: [{key: IF('a'), path: 'phys_address', message: 'is not a MAC address'}]},
  {title: 'multicast MAC', doc: dummy({phys_address: '01:00:5E:00:00:01'}), errors: [{key: IF('a'), path: 'phys_address', message: 'is a multicast address'}]},
  {title: 'all-zero MAC', doc: dummy({phys_address: '00:00:00:00:00:00'}), errors: [{key: IF('a'), path: 'phys_address', message: 'must not be all zeros'}]},

  // --- addresses
  {title: 'address that is not a CIDR', doc: dummy({ip_addresses: ['10.0.0/24']}), errors: [{key: IF('a'), path: 'ip_addresses[0]', message: '"10.0.0/24" is not an IPv4 or IPv6 address'}]},
  {title: 'address with leading zeros', doc: dummy({ip_addresses: ['10.0.0.1/24', '010.0.0.1/24']}), errors: [{key: IF('a'), path: 'ip_addresses[1]', message: '"010.0.0.1/24" is not an IPv4 or IPv6 address'}]},
  {title: 'IPv4 prefix > 32', doc: dummy({ip_addresses: ['10.0.0.1/33']}), errors: [{key: IF('a'), path: 'ip_addresses[0]', message: '"10.0.0.1/33" is not'}]},
  {title: 'IPv6 prefix > 128', doc: dummy({ip_addresses: ['2001:db8::1/129']}), errors: [{key: IF('a'), path: 'ip_addresses[0]', message: 'is not an IPv4 or IPv6 address'}]},
  {title: 'IPv4 multicast address', doc: dummy({ip_addresses: ['224.0.0.5/24']}), errors: [{key: IF('a'), path: 'ip_addresses[0]', message: 'is a multicast address'}]},
  {title: 'IPv6 multicast address', doc: dummy({ip_addresses: ['ff02::1/64']}), errors: [{key: IF('a'), path: 'ip_addresses[0]', message: 'is a multicast address'}]},
  {title: 'unspecified address', doc: dummy({ip_addresses: ['0.0.0.0/0']}), errors: [{key: IF('a'), path: 'ip_addresses[0]', message: 'is the unspecified address'}]},
  {title: 'duplicate address', doc: dummy({ip_addresses: ['10.0.0.1/24', '10.0.0.2/24', '10.0.0.1/24']}), errors: [{key: IF('a'), path: 'ip_addresses[2]', message: 'is listed twice (also ip_addresses[0])'}]},
  {title: 'duplicate IPv6 address in another spelling', doc: dummy({ip_addresses: ['2001:db8::1/64', '2001:DB8:0:0:0:0:0:1/64']}), errors: [{key: IF('a'), path: 'ip_addresses[1]', message: 'is listed twice'}]},

  // --- MTU
  {title: 'MTU below 68', doc: dummy({mtu: 67}), errors: [{key: IF('a'), path: 'mtu', message: 'MTU 67 is out of range'}]},
  {title: 'MTU above 65535', doc: dummy({mtu: 65536}), errors: [{key: IF('a'), path: 'mtu', message: 'MTU 65536 is out of range'}]},
  {title: 'MTU below 1280 with IPv6', doc: dummy({mtu: 1000, ip_addresses: ['10.0.0.1/24', '2001:db8::1/64']}), errors: [{key: IF('a'), path: 'mtu', message: 'MTU 1000 is below 1280'}]},

  // --- namespaces
  {title: 'namespace with type UNDEFINED', doc: dummy({namespace: {type: 'UNDEFINED', reference: 'ns1'}}), errors: [{key: IF('a'), path: 'namespace.type', message: 'namespace type is required when a namespace is given'}]},
  {title: 'namespace with type 0', doc: dummy({namespace: {type: 0, reference: 'ns1'}}), errors: [{key: IF('a'), path: 'namespace.type', message: 'namespace type is required'}]},
  {title: 'namespace with an empty reference', doc: dummy({namespace: {type: 'NSID', reference: ''}}), errors: [{key: IF('a'), path: 'namespace.reference', message: 'namespace reference is required when a namespace is given'}]},
  {title: 'namespace without a reference', doc: dummy({namespace: {type: 'MICROSERVICE'}}), errors: [{key: IF('a'), path: 'namespace.reference', message: 'namespace reference is required'}]},
  {title: 'PID reference not digits', doc: dummy({namespace: {type: 'PID', reference: '12a'}}), errors: [{key: IF('a'), path: 'namespace.reference', message: 'PID reference "12a" is not a process ID'}]},
  {title: 'PID reference 0', doc: dummy({namespace: {type: 'PID', reference: '0'}}), errors: [{key: IF('a'), path: 'namespace.reference', message: 'is not a process ID'}]},
  {title: 'FD reference that is a relative path', doc: dummy({namespace: {type: 'FD', reference: 'proc/1/ns/net'}}), errors: [{key: IF('a'), path: 'namespace.reference', message: 'FD reference "proc/1/ns/net" is not an absolute path'}]},
  {title: 'NSID reference with "/"', doc: dummy({namespace: {type: 'NSID', reference: 'a/b'}}), errors: [{key: IF('a'), path: 'namespace.reference', message: 'namespace name "a/b" contains "/"'}]},
  {title: 'NSID reference ".."', doc: dummy({namespace: {type: 'NSID', reference: '..'}}), errors: [{key: IF('a'), path: 'namespace.reference', message: 'must not be ".."'}]},
  {title: 'MICROSERVICE label with a space', doc: dummy({namespace: {type: 'MICROSERVICE', reference: 'my app'}}), errors: [{key: IF('a'), path: 'namespace.reference', message: 'microservice label "my app" contains a space'}]},

  // --- link sections
  {title: 'VETH without a peer', doc: {interfaces: [{name: 'a', type: 'VETH'}]}, errors: [{key: IF('a'), path: 'veth.peer_if_name', message: 'a VETH must name its peer'}]},
  {title: 'VETH with an empty peer', doc: {interfaces: [{name: 'a', type: 'VETH', veth: {peer_if_name: ''}}]}, errors: [{key: IF('a'), path: 'veth.peer_if_name', message: 'a VETH must name its peer'}]},
  {title: 'VETH that is its own peer', doc: {interfaces: [{name: 'a', type: 'VETH', veth: {peer_if_name: 'a'}}]}, errors: [{key: IF('a'), path: 'veth.peer_if_name', message: 'a VETH cannot be its own peer', exact: true}]},
  {
    title: 'VETH whose peer names someone else',
    doc: {interfaces: [{name: 'a', type: 'VETH', veth: {peer_if_name: 'b'}}, {name: 'b', type: 'VETH', veth: {peer_if_name: 'c'}}, {name: 'c', type: 'VETH', veth: {peer_if_name: 'b'}}]},
    errors: [{key: IF('a'), path: 'veth.peer_if_name', message: 'peer "b" names "c" as its peer, not "a"'}],
  },
  {
    title: 'VETH whose peer is not a VETH',
    doc: {interfaces: [{name: 'a', type: 'VETH', veth: {peer_if_name: 'b'}}, {name: 'b', type: 'DUMMY'}]},
    errors: [{key: IF('a'), path: 'veth.peer_if_name', message: 'peer "b" is a DUMMY, not a VETH'}],
  },
  {title: 'VETH peer with a bad name', doc: {interfaces: [{name: 'a', type: 'VETH', veth: {peer_if_name: 'b c'}}]}, errors: [{key: IF('a'), path: 'veth.peer_if_name', message: 'peer name "b c" contains a space'}]},
  {title: 'TAP_TO_VPP without vpp_tap_if_name', doc: {interfaces: [{name: 't', type: 'TAP_TO_VPP'}]}, errors: [{key: IF('t'), path: 'tap.vpp_tap_if_name', message: 'a TAP_TO_VPP must name the TAP that VPP created'}]},
  {title: 'TAP_TO_VPP with an empty vpp_tap_if_name', doc: {interfaces: [{name: 't', type: 'TAP_TO_VPP', tap: {vpp_tap_if_name: ''}}]}, errors: [{key: IF('t'), path: 'tap.vpp_tap_if_name', message: 'a TAP_TO_VPP must name the TAP'}]},
  {title: 'EXISTING with a namespace', doc: {interfaces: [{name: 'eth0', type: 'EXISTING', namespace: {type: 'NSID', reference: 'ns1'}}]}, errors: [{key: IF('eth0'), path: 'namespace', message: 'an EXISTING interface takes no namespace'}]},
  {title: 'EXISTING with a veth section', doc: {interfaces: [{name: 'eth0', type: 'EXISTING', veth: {peer_if_name: 'x'}}]}, errors: [{key: IF('eth0'), path: 'veth', message: '"veth" does not belong to'}]},
  {title: 'LOOPBACK with a tap section', doc: {interfaces: [{name: 'l', type: 'LOOPBACK', tap: {vpp_tap_if_name: 'x'}}]}, errors: [{key: IF('l'), path: 'tap', message: '"tap" does not belong to'}]},
  {title: 'VETH with a tap section', doc: veths({tap: {vpp_tap_if_name: 'x'}}), errors: [{key: IF('a'), path: 'tap', message: 'only one of veth, tap, vrf_dev may be set (found veth and tap)'}], atLeast: true},

  // --- ARP entries
  {title: 'ARP without interface', doc: withArp({ip_address: '130.0.0.1', hw_address: '46:06:18:DB:05:3A'}), errors: [{key: 'arp_entries[0]', path: 'interface', message: 'interface is required', exact: true}]},
  {title: 'ARP without ip_address', doc: withArp({interface: 'veth1', hw_address: '46:06:18:DB:05:3A'}), errors: [{key: 'arp_entries[0]', path: 'ip_address', message: 'ip_address is required', exact: true}]},
  {title: 'ARP without hw_address', doc: withArp({interface: 'veth1', ip_address: '130.0.0.1'}), errors: [{key: ARP('veth1', '130.0.0.1'), path: 'hw_address', message: 'hw_address is required', exact: true}]},
  {title: 'ARP with a bad IP', doc: withArp({interface: 'veth1', ip_address: '130.0.0', hw_address: '46:06:18:DB:05:3A'}), errors: [{key: ARP('veth1', '130.0.0'), path: 'ip_address', message: '"130.0.0" is not an IPv4 or IPv6 address'}]},
  {title: 'ARP IP with a mask out of range', doc: withArp({interface: 'veth1', ip_address: '130.0.0.1/33', hw_address: '46:06:18:DB:05:3A'}), errors: [{key: ARP('veth1', '130.0.0.1/33'), path: 'ip_address', message: '"130.0.0.1/33" is not an IPv4 or IPv6 address'}]},
  {title: 'ARP with a multicast IP', doc: withArp({interface: 'veth1', ip_address: '224.0.0.1', hw_address: '46:06:18:DB:05:3A'}), errors: [{key: ARP('veth1', '224.0.0.1'), path: 'ip_address', message: 'cannot have a neighbour entry'}]},
  {title: 'ARP with a bad MAC', doc: withArp({interface: 'veth1', ip_address: '130.0.0.1', hw_address: '46:06:18:DB:05'}), errors: [{key: ARP('veth1', '130.0.0.1'), path: 'hw_address', message: '"46:06:18:DB:05" is not a MAC address'}]},
  {title: 'ARP with an all-zero MAC', doc: withArp({interface: 'veth1', ip_address: '130.0.0.1', hw_address: '00:00:00:00:00:00'}), errors: [{key: ARP('veth1', '130.0.0.1'), path: 'hw_address', message: 'must not be all zeros'}]},

  // --- routes
  {title: 'route without outgoing_interface', doc: withRoute({dst_network: '10.0.2.0/24'}), errors: [{key: 'routes[0]', path: 'outgoing_interface', message: 'outgoing_interface is required', exact: true}]},
  {title: 'route without dst_network', doc: withRoute({outgoing_interface: 'a', metric: 5}), errors: [{key: 'routes[0]', path: 'dst_network', message: 'dst_network is required'}]},
  {title: 'route with a bad dst_network', doc: withRoute({outgoing_interface: 'a', dst_network: '10.0.2.0/33'}), errors: [{key: RT('10.0.2.0/33', 'a'), path: 'dst_network', message: '"10.0.2.0/33" is not an IPv4 or IPv6 network'}]},
  {title: 'gateway with a mask', doc: withRoute({outgoing_interface: 'a', dst_network: '10.0.2.0/24', gw_addr: '10.0.0.2/24'}), errors: [{key: RT('10.0.2.0/24', 'a'), path: 'gw_addr', message: 'gateway "10.0.0.2/24" must be an address without a mask'}]},
  {title: 'gateway that is not an address', doc: withRoute({outgoing_interface: 'a', dst_network: '10.0.2.0/24', gw_addr: '10.0.0'}), errors: [{key: RT('10.0.2.0/24', 'a'), path: 'gw_addr', message: '"10.0.0" is not an IPv4 or IPv6 address'}]},
  {title: 'gateway with scope LINK', doc: withRoute({outgoing_interface: 'a', dst_network: '10.0.2.0/24', gw_addr: '10.0.0.2', scope: 'LINK'}), errors: [{key: RT('10.0.2.0/24', 'a'), path: 'scope', message: 'a route with scope LINK cannot have a gateway'}]},
  {title: 'gateway with scope HOST', doc: withRoute({outgoing_interface: 'a', dst_network: '10.0.2.0/24', gw_addr: '10.0.0.2', scope: 'HOST'}), errors: [{key: RT('10.0.2.0/24', 'a'), path: 'scope', message: 'a route with scope HOST cannot have a gateway'}]},
  {title: 'gateway with scope 3 (LINK by number)', doc: withRoute({outgoing_interface: 'a', dst_network: '10.0.2.0/24', gw_addr: '10.0.0.2', scope: 3}), errors: [{key: RT('10.0.2.0/24', 'a'), path: 'scope', message: 'scope LINK cannot have a gateway'}]},
  {title: 'IPv6 gateway for an IPv4 destination', doc: withRoute({outgoing_interface: 'a', dst_network: '10.0.2.0/24', gw_addr: '2001:db8::1'}), errors: [{key: RT('10.0.2.0/24', 'a'), path: 'gw_addr', message: 'gateway 2001:db8::1 is IPv6 but dst_network 10.0.2.0/24 is IPv4'}]},
  {title: 'IPv4 gateway for an IPv6 destination', doc: withRoute({outgoing_interface: 'a', dst_network: '2001:db8:1::/64', gw_addr: '10.0.0.2'}), errors: [{key: RT('2001:db8:1::/64', 'a'), path: 'gw_addr', message: 'is IPv4 but dst_network 2001:db8:1::/64 is IPv6'}]},
  {title: 'gateway = the subnet\'s network address', doc: withRoute({outgoing_interface: 'a', dst_network: '10.0.2.0/24', gw_addr: '10.0.0.0'}), errors: [{key: RT('10.0.2.0/24', 'a'), path: 'gw_addr', message: 'gateway 10.0.0.0 is the network address of 10.0.0.1/24'}]},
  {title: 'gateway = the subnet\'s broadcast address', doc: withRoute({outgoing_interface: 'a', dst_network: '10.0.2.0/24', gw_addr: '10.0.0.255'}), errors: [{key: RT('10.0.2.0/24', 'a'), path: 'gw_addr', message: 'gateway 10.0.0.255 is the broadcast address of 10.0.0.1/24'}]},
  {title: 'IPv6 gateway = the link\'s own address', doc: withRoute({outgoing_interface: 'a', dst_network: '2001:db8:1::/64', gw_addr: '2001:DB8::1'}, ['2001:db8::1/64']), errors: [{key: RT('2001:db8:1::/64', 'a'), path: 'gw_addr', message: 'is the address of a itself'}]},
  {title: 'multicast gateway', doc: withRoute({outgoing_interface: 'a', dst_network: '10.0.2.0/24', gw_addr: '224.0.0.1'}), errors: [{key: RT('10.0.2.0/24', 'a'), path: 'gw_addr', message: 'gateway 224.0.0.1 is not a unicast address'}]},
  {
    title: 'two routes with the same dst and metric on different interfaces of one namespace',
    doc: {
      interfaces: [{name: 'a', type: 'DUMMY', ip_addresses: ['10.0.0.1/24']}, {name: 'b', type: 'DUMMY', ip_addresses: ['10.0.1.1/24']}],
      routes: [{outgoing_interface: 'a', dst_network: '10.0.2.0/24', metric: 7}, {outgoing_interface: 'b', dst_network: '10.0.2.9/24', metric: 7}],
    },
    errors: [{key: RT('10.0.2.0/24', 'b'), path: 'metric', message: `conflicts with ${RT('10.0.2.0/24', 'a')}: same destination 10.0.2.0/24 and metric 7 in one namespace`}],
  },
  {
    title: 'IPv6 metric 0 and 1024 are the same route',
    doc: {
      interfaces: [{name: 'a', type: 'DUMMY'}, {name: 'b', type: 'DUMMY'}],
      routes: [{outgoing_interface: 'a', dst_network: '2001:db8:2::/64'}, {outgoing_interface: 'b', dst_network: '2001:db8:2::/64', metric: 1024}],
    },
    errors: [{key: RT('2001:db8:2::/64', 'b'), path: 'metric', message: 'metric 1024'}],
  },

  // --- schema layer: unknown fields, enums, JSON types
  {title: 'unknown field with a "did you mean" hint', doc: dummy({ip_adresses: ['10.0.0.1/24']}), errors: [{key: IF('a'), path: 'ip_adresses', message: 'unknown field "ip_adresses" (did you mean "ip_addresses"?)', exact: true}]},
  {title: 'unknown camelCase field with a hint', doc: dummy({hostIfNam: 'x'}), errors: [{key: IF('a'), path: 'host_if_nam', message: 'did you mean "hostIfName"?'}]},
  {title: 'unknown top-level section with a hint', doc: {interfaces: [], arp_entrys: []}, errors: [{key: '', path: 'arp_entrys', message: 'unknown field "arp_entrys" (did you mean "arp_entries"?)', exact: true}]},
  {title: 'bad interface type with a suggestion', doc: 'interfaces:\n  - name: a\n    type: VET\n', errors: [{key: IF('a'), path: 'type', message: '"VET" is not one of UNDEFINED, VETH, TAP_TO_VPP, LOOPBACK, EXISTING, VRF_DEVICE, DUMMY (did you mean VETH?)', exact: true}]},
  {title: 'bad route scope with a suggestion', doc: withRoute({outgoing_interface: 'a', dst_network: '10.0.2.0/24', scope: 'LNK'}), errors: [{key: RT('10.0.2.0/24', 'a'), path: 'scope', message: '(did you mean LINK?)'}]},
  {title: 'enum number out of range', doc: dummy({type: 9}), errors: [{key: IF('a'), path: 'type', message: '9 is not one of'}]},
  {title: 'bad namespace type inside an item', doc: dummy({namespace: {type: 'NSD', reference: 'x'}}), errors: [{key: IF('a'), path: 'namespace.type', message: 'did you mean NSID?'}]},
  {title: 'mtu as a string that is no integer', doc: '{"interfaces": [{"name": "a", "type": "DUMMY", "mtu": "1500.5"}]}', errors: [{key: IF('a'), path: 'mtu', message: 'must be an integer (got string)', exact: true}]},
  {title: 'negative mtu', doc: dummy({mtu: -1}), errors: [{key: IF('a'), path: 'mtu', message: 'must be ≥ 0'}]},
  {title: 'fractional metric', doc: withRoute({outgoing_interface: 'a', dst_network: '10.0.2.0/24', metric: 1.5}), errors: [{key: RT('10.0.2.0/24', 'a'), path: 'metric', message: 'integer'}]},
  {title: 'enabled: yes is a string in YAML 1.2', doc: 'interfaces:\n  - name: a\n    type: DUMMY\n    enabled: yes\n', errors: [{key: IF('a'), path: 'enabled', message: 'must be a boolean (got string)', exact: true}]},
  {title: 'ip_addresses as a string', doc: dummy({ip_addresses: '10.0.0.1/24'}), errors: [{key: IF('a'), path: 'ip_addresses', message: 'must be an array (got string)'}]},
  {title: 'camelCase field of the wrong type is reported in snake_case', doc: {interfaces: [{name: 'a', type: 'VETH', veth: {peerIfName: 5}}]}, errors: [{key: IF('a'), path: 'veth.peer_if_name', message: 'must be a string (got number)'}]},
  {title: 'a field given in both spellings', doc: dummy({host_if_name: 'x', hostIfName: 'y'}), errors: [{key: IF('a'), path: 'host_if_name', message: 'is given twice'}]},
  {title: 'interfaces not a list', doc: {interfaces: {name: 'a'}}, errors: [{key: '', path: 'interfaces', message: 'must be an array (got object)'}]},
  {title: 'an item that is not a mapping', doc: {interfaces: ['a']}, errors: [{key: 'interfaces[0]', path: '', message: 'must be an object (got string)'}]},
]

describe('invalid documents: key, path and message', () => {
  test(`there are at least 40 distinct invalid documents (${CASES.length})`, () => {
    assert.ok(CASES.length >= 40)
    assert.equal(new Set(CASES.map((c) => text(c.doc))).size, CASES.length, 'documents are distinct')
  })
  for (const c of CASES) test(c.title, async () => void (await expectErrors(c.doc, c.errors, {atLeast: c.atLeast})))
})

describe('every problem of a document is reported', () => {
  test('three semantic problems in one interface → three errors', async () => {
    await expectErrors(dummy({phys_address: 'nope', mtu: 50, ip_addresses: ['10.0.0.1/99']}), [
      {key: IF('a'), path: 'phys_address', message: 'is not a MAC address'},
      {key: IF('a'), path: 'mtu', message: 'MTU 50 is out of range'},
      {key: IF('a'), path: 'ip_addresses[0]', message: 'is not an IPv4 or IPv6 address'},
    ])
  })
  test('three schema problems in one interface → three errors', async () => {
    await expectErrors(dummy({type: 'VET', mtu: 'big', ip_adresses: []}), [
      {key: IF('a'), path: 'type', message: 'did you mean VETH?'},
      {key: IF('a'), path: 'mtu', message: 'must be an integer'},
      {key: IF('a'), path: 'ip_adresses', message: 'unknown field'},
    ])
  })
  test('problems in interfaces, ARP entries and routes of one document are all reported', async () => {
    await expectErrors(
      {
        interfaces: [{name: 'a', type: 'DUMMY', phys_address: '01:00:00:00:00:01'}, {name: 'b', type: 'VET'}],
        arp_entries: [{interface: 'a', ip_address: '10.0.0.9/33', hw_address: '02:00:00:00:00:09'}],
        routes: [{outgoing_interface: 'a', dst_network: '10.9.0.0/16', gw_addr: '10.0.0.1', scope: 'LINK'}],
      },
      [
        {key: IF('a'), path: 'phys_address', message: 'multicast'},
        {key: IF('b'), path: 'type', message: 'did you mean VETH?'},
        {key: ARP('a', '10.0.0.9/33'), path: 'ip_address', message: 'is not an IPv4 or IPv6 address'},
        {key: RT('10.9.0.0/16', 'a'), path: 'scope', message: 'cannot have a gateway'},
      ],
    )
  })
  test('errors across several files name their own file', async () => {
    const r = await validateFiles([join(EXAMPLES, 'seed.yaml'), '-'], async () => JSON.stringify(dummy({mtu: 10})))
    assert.equal(r.valid, false)
    assert.deepEqual(r.errors.map((e) => [e.file, e.key, e.path]), [['<stdin>', IF('a'), 'mtu']])
  })
})

describe('warnings: references to undefined interfaces', () => {
  test('route to an undefined interface is a warning, not an error', async () => {
    const r = await run({routes: [{outgoing_interface: 'ghost', dst_network: '10.0.2.0/24', metric: 100}]})
    assert.equal(r.valid, true, JSON.stringify(r.errors))
    assert.deepEqual(r.errors, [])
    assert.equal(r.warnings.length, 1)
    assert.equal(r.warnings[0].key, RT('10.0.2.0/24', 'ghost'))
    assert.equal(r.warnings[0].path, 'outgoing_interface')
    assert.match(r.warnings[0].message, /interface "ghost" is not defined in these files/)
  })
  test('ARP entry on an undefined interface is a warning', async () => {
    const r = await run({arp_entries: [{interface: 'ghost', ip_address: '10.0.0.9', hw_address: '02:00:00:00:00:09'}]})
    assert.equal(r.valid, true, JSON.stringify(r.errors))
    assert.equal(r.warnings.length, 1)
    assert.equal(r.warnings[0].key, ARP('ghost', '10.0.0.9'))
    assert.equal(r.warnings[0].path, 'interface')
    assert.match(r.warnings[0].message, /interface "ghost" is not defined/)
  })
  test('VETH whose peer is undefined is a warning (pending in apply)', async () => {
    const r = await run({interfaces: [{name: 'a', type: 'VETH', veth: {peer_if_name: 'b'}}]})
    assert.equal(r.valid, true, JSON.stringify(r.errors))
    assert.equal(r.warnings.length, 1)
    assert.equal(r.warnings[0].key, IF('a'))
    assert.equal(r.warnings[0].path, 'veth.peer_if_name')
    assert.match(r.warnings[0].message, /peer "b" is not defined in these files/)
  })
  test('a reference defined in another file is not a warning', async () => {
    const r = await validateFiles([join(EXAMPLES, 'items', 'route-veth1.json'), join(EXAMPLES, 'items', 'veth1.json'), join(EXAMPLES, 'items', 'veth2.json')])
    assert.equal(r.valid, true, JSON.stringify(r.errors))
    assert.deepEqual(r.warnings, [])
  })
})

describe('warnings: interfaces that are not enabled but carry routes or ARP entries', () => {
  const routes = [{outgoing_interface: 'a', dst_network: '10.0.2.0/24'}, {outgoing_interface: 'a', dst_network: '10.0.3.0/24'}]
  const arps = [{interface: 'a', ip_address: '10.0.0.9', hw_address: '02:00:00:00:00:09'}]
  test('enabled not set: one warning for the interface, naming what stays pending', async () => {
    const r = await run({interfaces: [{name: 'a', type: 'TAP_TO_VPP', ip_addresses: ['10.0.0.1/24'], tap: {vpp_tap_if_name: 't'}}], routes, arp_entries: arps})
    assert.equal(r.valid, true, JSON.stringify(r.errors))
    assert.equal(r.warnings.length, 1, JSON.stringify(r.warnings))
    assert.deepEqual([r.warnings[0].key, r.warnings[0].path], [IF('a'), 'enabled'])
    assert.match(r.warnings[0].message, /interface "a" is not enabled \(enabled is not set, and defaults to false\): its 2 routes and 1 ARP entry stay pending/)
    assert.match(r.warnings[0].message, /set enabled: true/)
  })
  test('enabled: false with a route warns; enabled: true, EXISTING, or nothing carried do not', async () => {
    const tap = (name: string, extra: object) => ({name, type: 'TAP_TO_VPP', tap: {vpp_tap_if_name: name}, ...extra})
    let r = await run({interfaces: [tap('a', {enabled: false})], routes: routes.slice(0, 1)})
    assert.equal(r.warnings.length, 1)
    assert.match(r.warnings[0].message, /enabled is false\): its 1 route stays pending/)
    r = await run({interfaces: [tap('a', {enabled: true}), tap('b', {})], routes, arp_entries: arps})
    assert.deepEqual(r.warnings, [])
    r = await run({interfaces: [{name: 'a', type: 'EXISTING'}], routes})
    assert.deepEqual(r.warnings, [])
  })
})

describe('valid documents', () => {
  for (const f of ['seed.yaml', 'seed.json', 'seed-agentctl.yaml']) {
    test(`examples/${f} is valid verbatim, without warnings`, async () => {
      const r = await validateFiles([join(EXAMPLES, f)])
      assert.deepEqual(r.errors, [])
      assert.deepEqual(r.warnings, [])
      assert.equal(r.valid, true)
      assert.equal(r.loaded.interfaces.length, 3)
      assert.equal(r.loaded.arps.length, 1)
      assert.equal(r.loaded.routes.length, 1)
    })
  }
  const items = readdirSync(join(EXAMPLES, 'items')).filter((f) => f.endsWith('.json')).sort()
  for (const f of items) {
    test(`examples/items/${f} is valid verbatim on its own`, async () => {
      const r = await validateFiles([join(EXAMPLES, 'items', f)])
      assert.deepEqual(r.errors, [])
      assert.equal(r.valid, true)
    })
  }
  test('examples/items/*.json together are valid; only route.json (linuxIf1) warns', async () => {
    const r = await validateFiles(items.map((f) => join(EXAMPLES, 'items', f)))
    assert.deepEqual(r.errors, [])
    assert.deepEqual(r.warnings.map((w) => [w.key, w.path]), [[RT('10.0.2.0/24', 'linuxIf1'), 'outgoing_interface']])
  })
  test('boundary values are accepted', async () => {
    const r = await run({
      interfaces: [
        {name: 'n'.repeat(63), type: 'DUMMY', host_if_name: 'h'.repeat(15), mtu: 68, ip_addresses: ['10.0.0.1/24', '10.0.1.1']},
        {name: 'b', type: 'DUMMY', mtu: 65535, ip_addresses: ['2001:db8::1/64'], phys_address: '02-00-00-00-00-01'},
        {name: 'c', type: 'DUMMY', mtu: 1280, ip_addresses: ['2001:db8:1::1/64'], namespace: {type: 'PID', reference: '1'}},
        {name: 'd', type: 'DUMMY', namespace: {type: 'FD', reference: '/proc/1/ns/net'}},
        {name: 'l1', type: 'LOOPBACK', host_if_name: 'lo', namespace: {type: 'NSID', reference: 'n1'}},
        {name: 'l2', type: 'LOOPBACK', namespace: {type: 'NSID', reference: 'n2'}},
        {name: 'x1', type: 'DUMMY', host_if_name: 'same', namespace: {type: 'NSID', reference: 'n1'}},
        {name: 'x2', type: 'DUMMY', host_if_name: 'same', namespace: {type: 'NSID', reference: 'n2'}},
      ],
      routes: [
        {outgoing_interface: 'b', dst_network: '2001:db8:5::/64', gw_addr: '2001:db8::2'},
        {outgoing_interface: 'n'.repeat(63), dst_network: '0.0.0.0/0', gw_addr: '10.0.0.254', scope: 'GLOBAL'},
        {outgoing_interface: 'x1', dst_network: '10.9.0.0/16', metric: 1},
        {outgoing_interface: 'x2', dst_network: '10.9.0.0/16', metric: 1},
      ],
    })
    assert.deepEqual(r.errors, [])
    assert.equal(r.valid, true)
  })
  test('MTU below 1280 is fine without IPv6 addresses', async () => {
    const r = await run(dummy({mtu: 1000, ip_addresses: ['10.0.0.1/24']}))
    assert.deepEqual(r.errors, [])
  })
})

// Issue 10, points 5 and 13: validation accepts exactly what the executor's batch guard sends, and refuses what
// the kernel or iproute2 would refuse (or misread) mid-run.
describe('names the executor or the kernel would refuse', () => {
  const veth = (extra: Record<string, unknown>) => ({interfaces: [
    {name: 'v1', type: 'VETH', veth: {peer_if_name: 'v2'}, ...extra},
    {name: 'v2', type: 'VETH', veth: {peer_if_name: 'v1'}},
  ]})
  for (const host of ['a$(id)', 'x$(reboot)', 'vä1', 'eth\uff10', 'v\u{1F600}', 'a;b', 'a`b`', 'all', 'default']) {
    test(`host_if_name ${JSON.stringify(host)} → error`, () => expectErrors(veth({host_if_name: host}), [{path: 'host_if_name', key: IF('v1'), message: host === 'all' || host === 'default' ? 'reserved' : 'ASCII'}]))
  }
  for (const host of ['help', 'up', 'dev', 'a@b', 'a+b=c,d']) {
    test(`host_if_name ${JSON.stringify(host)} (iproute2 takes it after "dev"/"name") → valid`, async () => assert.equal((await run(veth({host_if_name: host}))).valid, true))
  }
  test('namespace "all" (ip netns del all removes every namespace) → error', () =>
    expectErrors(veth({namespace: {type: 'NSID', reference: 'all'}}), [{path: 'namespace.reference', key: IF('v1'), message: 'reserved'}]))
  test('FD path with "$" or ".." → error', async () => {
    await expectErrors(veth({namespace: {type: 'FD', reference: '/run/netns/$x'}}), [{path: 'namespace.reference', key: IF('v1'), message: '"$"'}])
    await expectErrors(veth({namespace: {type: 'FD', reference: '/run/netns/../x'}}), [{path: 'namespace.reference', key: IF('v1'), message: '".."'}])
  })
  test('::1/128 on a VETH → error; on a LOOPBACK → valid', async () => {
    await expectErrors(veth({ip_addresses: ['::1/128']}), [{path: 'ip_addresses[0]', key: IF('v1'), message: 'only on lo'}])
    assert.equal((await run({interfaces: [{name: 'l', type: 'LOOPBACK', ip_addresses: ['::1/128']}]})).valid, true)
  })
  test('one namespace as NSID and as FD /run/netns/NAME, one host name twice → error', () =>
    expectErrors({interfaces: [
      {name: 'a1', type: 'VETH', host_if_name: 'x', namespace: {type: 'NSID', reference: 'n1'}, veth: {peer_if_name: 'a2'}},
      {name: 'a2', type: 'VETH', veth: {peer_if_name: 'a1'}},
      {name: 'b1', type: 'VETH', host_if_name: 'x', namespace: {type: 'FD', reference: '/run/netns/n1'}, veth: {peer_if_name: 'b2'}},
      {name: 'b2', type: 'VETH', veth: {peer_if_name: 'b1'}},
    ]}, [{path: 'host_if_name', key: IF('b1'), message: 'already used by'}], {atLeast: true}))
})
