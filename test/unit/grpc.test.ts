// The gRPC configurator's pure parts: the protos' wire identity with the vpp-agent's, the non-Linux parts read from
// the raw bytes a vpp-agent client sends, request items and keys, the notification log and filters, and the Dump
// conversion from the REST dump's shape. The server itself is tested against a running agent (test/integration/agent-grpc.test.ts).
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {join} from 'node:path'
import protobuf from 'protobufjs'
import {ROOT} from '../helpers/playground.ts'
import {foreignParts, requestItems, requestKeys} from '../../src/agent/grpc-config.ts'
import {dumpConfig} from '../../src/agent/grpc-dump.ts'
import {KEEP, NotificationLog, parseMonitorLine, passes, type Notification} from '../../src/agent/notify.ts'
import {listenAddress} from '../../src/agent/grpc.ts'

function ours(): protobuf.Root {
  const root = new protobuf.Root()
  root.resolvePath = (_o, target) => join(ROOT, 'proto', target)
  root.loadSync('ligato/configurator/configurator.proto', {keepCase: true})
  root.resolveAll()
  return root
}

const fields = (root: protobuf.Root, name: string) =>
  Object.fromEntries(root.lookupType(name).fieldsArray.map((f) => [f.name, `${f.id}${f.repeated ? '*' : ''}:${f.type}`]))

// The vpp-agent's numbering (proto/ligato/configurator/configurator.proto, linux/linux.proto,
// linux/interfaces/state.proto, netalloc/netalloc.proto at v3; docs/reference/vpp-agent-northbound.md §3).
test('protos: package, service and field numbers are the vpp-agent\'s', () => {
  const root = ours()
  assert.deepEqual(fields(root, 'ligato.configurator.Config'),
    {vpp_config: '1:ligato.vpp.ConfigData', linux_config: '2:ligato.linux.ConfigData', netalloc_config: '3:ligato.netalloc.ConfigData'})
  assert.deepEqual(fields(root, 'ligato.configurator.Notification'),
    {vpp_notification: '1:ligato.vpp.Notification', linux_notification: '2:ligato.linux.Notification'})
  assert.deepEqual(fields(root, 'ligato.configurator.UpdateRequest'), {update: '1:Config', full_resync: '2:bool', wait_done: '3:bool'})
  assert.deepEqual(fields(root, 'ligato.configurator.DeleteRequest'), {delete: '1:Config', wait_done: '3:bool'})
  assert.deepEqual(fields(root, 'ligato.configurator.GetResponse'), {config: '1:Config'})
  assert.deepEqual(fields(root, 'ligato.configurator.DumpResponse'), {dump: '1:Config'})
  assert.deepEqual(fields(root, 'ligato.configurator.NotifyRequest'), {idx: '1:uint32', filters: '2*:Notification'})
  assert.deepEqual(fields(root, 'ligato.configurator.NotifyResponse'), {next_idx: '1:uint32', notification: '2:Notification'})
  assert.deepEqual(fields(root, 'ligato.linux.ConfigData'),
    {interfaces: '10*:ligato.linux.interfaces.Interface', arp_entries: '20*:ligato.linux.l3.ARPEntry', routes: '21*:ligato.linux.l3.Route'})
  // ligato.linux.* (docs/reference/vpp-agent-facts.md: the v3 Linux models).
  const ids = (name: string) => Object.fromEntries(root.lookupType(name).fieldsArray.map((f) => [f.name, f.id]))
  assert.deepEqual(ids('ligato.linux.interfaces.Interface'), {name: 1, type: 2, namespace: 3, host_if_name: 4, enabled: 5, ip_addresses: 6, phys_address: 7,
    mtu: 8, veth: 20, tap: 21, vrf_dev: 22, link_only: 9, vrf_master_interface: 10})
  assert.deepEqual({...root.lookupEnum('ligato.linux.interfaces.Interface.Type').values}, {UNDEFINED: 0, VETH: 1, TAP_TO_VPP: 2, LOOPBACK: 3, EXISTING: 4, VRF_DEVICE: 5, DUMMY: 6})
  assert.deepEqual(ids('ligato.linux.interfaces.VethLink'), {peer_if_name: 1, rx_checksum_offloading: 2, tx_checksum_offloading: 3})
  assert.deepEqual(ids('ligato.linux.interfaces.TapLink'), {vpp_tap_if_name: 1})
  assert.deepEqual(ids('ligato.linux.interfaces.VrfDevLink'), {routing_table: 1})
  assert.deepEqual(ids('ligato.linux.namespace.NetNamespace'), {type: 1, reference: 2})
  assert.deepEqual(ids('ligato.linux.l3.ARPEntry'), {interface: 1, ip_address: 2, hw_address: 3})
  assert.deepEqual(ids('ligato.linux.l3.Route'), {outgoing_interface: 1, scope: 2, dst_network: 3, gw_addr: 4, metric: 5})
  assert.deepEqual(fields(root, 'ligato.linux.Notification'), {interface: '1:ligato.linux.interfaces.InterfaceNotification'})
  assert.deepEqual(fields(root, 'ligato.linux.interfaces.InterfaceNotification'), {type: '1:NotifType', state: '2:InterfaceState'})
  assert.deepEqual(fields(root, 'ligato.linux.interfaces.InterfaceState'), {
    name: '1:string', internal_name: '2:string', type: '3:ligato.linux.interfaces.Interface.Type', if_index: '4:int32', admin_status: '5:Status',
    oper_status: '6:Status', last_change: '7:int64', phys_address: '8:string', speed: '9:uint64', mtu: '10:uint32', statistics: '100:Statistics',
  })
  assert.deepEqual({...root.lookupEnum('ligato.linux.interfaces.InterfaceState.Status').values}, {UNKNOWN_STATUS: 0, UP: 1, DOWN: 2, DELETED: 3})
  assert.deepEqual(fields(root, 'ligato.netalloc.ConfigData'), {ip_addresses: '10*:IPAllocation'})
  assert.deepEqual(fields(root, 'ligato.netalloc.IPAllocation'), {network_name: '1:string', interface_name: '2:string', address: '4:string', gw: '5:string'})
  const vpp = root.lookupType('ligato.vpp.ConfigData').fieldsArray.map((f) => f.id).sort((a, b) => a - b)
  assert.deepEqual(vpp, [10, 11, 20, 21, 30, 31, 32, 40, 41, 42, 43, 44, 45, 46, 47, 48, 50, 51, 52, 53, 60, 61, 62, 70, 71, 72, 80, 81, 82, 83, 90, 91, 92])
  const svc = root.lookupService('ligato.configurator.ConfiguratorService')
  assert.deepEqual(Object.fromEntries(svc.methodsArray.map((m) => [m.name, `${m.requestType}→${m.responseStream ? 'stream ' : ''}${m.responseType}`])), {
    Get: 'GetRequest→GetResponse', Update: 'UpdateRequest→UpdateResponse', Delete: 'DeleteRequest→DeleteResponse',
    Dump: 'DumpRequest→DumpResponse', Notify: 'NotifyRequest→stream NotifyResponse',
  })
})

// What a client compiled from the vpp-agent's own protos puts on the wire: real VPP messages in vpp_config (the
// vpp-agent's ligato.vpp.interfaces.Interface, trimmed to a few of its fields with their real numbers).
const VPP_AGENT_PROTO = `
syntax = "proto3";
package ligato.vpp.interfaces;
message Interface { string name = 1; enum Type { UNDEFINED_TYPE = 0; SUB_INTERFACE = 1; SOFTWARE_LOOPBACK = 2; DPDK = 3; MEMIF = 4; TAP = 5; }
  Type type = 2; bool enabled = 3; repeated string ip_addresses = 5; }
message ProxyARP { repeated string interfaces = 1; }
`
test('foreignParts: a real vpp_config interface, a set-but-empty VPP message, netalloc; an empty vpp_config is fine', () => {
  const root = ours()
  const Update = root.lookupType('ligato.configurator.UpdateRequest')
  const VppIf = protobuf.parse(VPP_AGENT_PROTO, {keepCase: true}).root.lookupType('ligato.vpp.interfaces.Interface')
  const vppIf = VppIf.encode({name: 'memif1', type: 4, enabled: true, ip_addresses: ['10.0.0.1/24']}).finish()
  // vpp_config.interfaces carries the real message's bytes: what a vpp-agent client sends for
  // {vppConfig: {interfaces: [{name: "memif1", type: MEMIF, ...}]}}.
  const withVpp = Update.encode({update: {vpp_config: {interfaces: [vppIf]}, linux_config: {interfaces: [{name: 'v1', type: 1, veth: {peer_if_name: 'v2'}}]}}}).finish()
  assert.deepEqual(foreignParts(withVpp), ['vpp_config'])
  // The same bytes decoded by our protos: the Linux part is intact next to the VPP part.
  const back = Update.toObject(Update.decode(withVpp), {enums: String}) as any
  assert.equal(back.update.linux_config.interfaces[0].veth.peer_if_name, 'v2')
  assert.equal(Buffer.from(back.update.vpp_config.interfaces[0]).toString('hex'), Buffer.from(vppIf).toString('hex'))
  // A singular VPP message set but empty (proxy_arp {}) still makes vpp_config non-empty.
  const proxy = Update.encode({update: {vpp_config: {proxy_arp: new Uint8Array(0)}}}).finish()
  assert.deepEqual(foreignParts(proxy), ['vpp_config'])
  const netalloc = Update.encode({update: {netalloc_config: {ip_addresses: [{network_name: 'n1', interface_name: 'v1', address: '10.0.0.1/24'}]}}}).finish()
  assert.deepEqual(foreignParts(netalloc), ['netalloc_config'])
  // vpp_config: {} — what Go clients send when they fill every part of Config — is not VPP configuration.
  const empty = Update.encode({update: {vpp_config: {}, linux_config: {}, netalloc_config: {}}, full_resync: true}).finish()
  assert.deepEqual(foreignParts(empty), [])
  assert.deepEqual(foreignParts(new Uint8Array(0)), [])
  // A VPP field lnx's stand-in proto does not list (a newer vpp-agent's) is still seen.
  // UpdateRequest{update(1): Config{vpp_config(1): {field 100 (varint) = 1}}}
  const unknown = Buffer.from([0x0a, 0x05, 0x0a, 0x03, 0xa0, 0x06, 0x01])
  assert.deepEqual(foreignParts(unknown), ['vpp_config'])
})

test('requestItems: keys and validation errors name the request, the item and the field', async () => {
  const {items} = await requestItems({
    interfaces: [{name: 'v1', type: 'VETH', veth: {peer_if_name: 'v2'}}, {name: 'v2', type: 'VETH', veth: {peer_if_name: 'v1'}}],
    routes: [{outgoing_interface: 'v1', dst_network: '10.1.2.3/16'}],
    arp_entries: [],
  }, 'UpdateRequest.update')
  assert.deepEqual(items.map((i) => i.key), ['config/linux/interfaces/v2/interface/v1', 'config/linux/interfaces/v2/interface/v2', 'config/linux/l3/v2/route/10.1.0.0/16/v1'])
  await assert.rejects(requestItems({interfaces: [{name: 'v1', type: 'VETH', ip_addresses: ['300.1.1.1/24'], veth: {peer_if_name: 'v2'}}]}, 'UpdateRequest.update'), (e: any) => {
    assert.equal(e.code, 'INVALID')
    assert.deepEqual(e.errors.map((x: any) => [x.file, x.key, x.path]), [['UpdateRequest.update', 'config/linux/interfaces/v2/interface/v1', 'ip_addresses[0]']])
    return true
  })
  assert.deepEqual(await requestKeys({interfaces: [{name: 'v1'}], arp_entries: [{interface: 'v1', ip_address: '10.0.0.9'}]}, 'DeleteRequest.delete'),
    ['config/linux/interfaces/v2/interface/v1', 'config/linux/l3/v2/arp/v1/10.0.0.9'])
  await assert.rejects(requestKeys({routes: [{outgoing_interface: 'v1'}]}, 'DeleteRequest.delete'), /no key/)
})

const note = (internal: string, admin: string): Notification =>
  ({linux_notification: {interface: {type: 'UPDOWN', state: {name: `/vnf-agent/vpp1/${internal}`, internal_name: internal, type: 'VETH', if_index: 2,
    admin_status: admin as any, oper_status: admin as any, last_change: 1, phys_address: '', speed: 0, mtu: 1500}}}})

test('NotificationLog: next_idx numbering, resume from idx, only the last KEEP kept, live subscribers', () => {
  const log = new NotificationLog()
  const live: number[] = []
  const off = log.subscribe((r) => live.push(r.next_idx))
  for (const [n, s] of [['a', 'UP'], ['b', 'DOWN'], ['a', 'DOWN']]) log.push(note(n, s))
  assert.deepEqual(log.since(0).map((r) => r.next_idx), [1, 2, 3])
  // A client that saw next_idx 2 resumes with idx 2 and gets the third only.
  assert.deepEqual(log.since(2).map((r) => r.notification.linux_notification.interface.state.internal_name), ['a'])
  assert.deepEqual(log.since(3), [])
  assert.deepEqual(live, [1, 2, 3])
  off()
  for (let i = 0; i < KEEP + 5; i++) log.push(note('x', 'UP'))
  assert.deepEqual(live, [1, 2, 3])
  const all = log.since(0)
  assert.equal(all.length, KEEP)
  assert.equal(all[0].next_idx, log.size - KEEP + 1)
})

test('Notify filters: fields set in a filter must match; no filter passes all', () => {
  const n = note('veth2', 'DOWN')
  assert.ok(passes(n, []))
  assert.ok(passes(n, [{linux_notification: {}}]))
  assert.ok(passes(n, [{linux_notification: {interface: {state: {internal_name: 'veth2'}}}}]))
  assert.ok(!passes(n, [{linux_notification: {interface: {state: {internal_name: 'veth1'}}}}]))
  assert.ok(passes(n, [{linux_notification: {interface: {state: {internal_name: 'veth1'}}}}, {linux_notification: {interface: {state: {admin_status: 'DOWN'}}}}]))
  assert.ok(!passes(n, [{vpp_notification: {interface: Buffer.from([1])}}]))
})

test('parseMonitorLine: `ip monitor link` lines (iproute2 6.1, captured)', () => {
  assert.deepEqual(parseMonitorLine('3: a1@a2: <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> mtu 1500 qdisc noqueue state LOWERLAYERDOWN group default '),
    {ifindex: 3, deleted: false, up: true, oper: 'LOWERLAYERDOWN'})
  assert.deepEqual(parseMonitorLine('7: veth2@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group 76 '),
    {ifindex: 7, deleted: false, up: true, oper: 'UP'})
  assert.deepEqual(parseMonitorLine('3: a1@a2: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noqueue state DOWN group default '),
    {ifindex: 3, deleted: false, up: false, oper: 'DOWN'})
  assert.deepEqual(parseMonitorLine('Deleted 3: a1@NONE: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN group default '),
    {ifindex: 3, deleted: true, up: false, oper: 'DOWN'})
  assert.equal(parseMonitorLine('    link/ether b6:03:5e:61:62:fe brd ff:ff:ff:ff:ff:ff'), null)
})

test('listenAddress: a port alone listens on loopback', () => {
  assert.equal(listenAddress('9111'), '127.0.0.1:9111')
  assert.equal(listenAddress(':9111'), '127.0.0.1:9111')
  assert.equal(listenAddress('0.0.0.0:9111'), '0.0.0.0:9111')
  assert.equal(listenAddress('[::1]:9111'), '[::1]:9111')
  assert.equal(listenAddress('unix:/run/lnx.sock'), 'unix:/run/lnx.sock')
  assert.throws(() => listenAddress('no port'), /not an address/)
})

test('Dump: the REST dump answers unwrapped into a ConfigData (the reference\'s examples)', () => {
  // docs/reference/vpp-agent-northbound.md §2.1, §2.3, §2.4.
  const d = dumpConfig(
    [{interface: {name: 'veth1', type: 1, namespace: {type: 1, reference: 'ns1'}, host_if_name: 'veth1', enabled: true, ip_addresses: ['192.168.22.1/24'],
      phys_address: 'd2:74:8c:12:67:d2', mtu: 1500, Link: {Veth: {peer_if_name: 'veth2'}}}, interface_meta: {linux_if_index: 5}},
    {interface: {name: 'tap1', type: 2, host_if_name: 'tap-host', Link: {Tap: {vpp_tap_if_name: 'tap-host'}}}, interface_meta: {}}],
    [{Route: {outgoing_interface: 'veth1', dst_network: '10.0.2.0/24', metric: 100}, Meta: {link_scope: 253}}],
    [{linux_arp: {interface: 'veth1', ip_address: '130.0.0.1', hw_address: '46:06:18:db:05:3a'}, linux_arp_meta: {ip_family: 2}}],
  )
  assert.deepEqual(d.interfaces[0], {name: 'veth1', type: 1, namespace: {type: 1, reference: 'ns1'}, host_if_name: 'veth1', enabled: true,
    ip_addresses: ['192.168.22.1/24'], phys_address: 'd2:74:8c:12:67:d2', mtu: 1500, veth: {peer_if_name: 'veth2'}})
  assert.deepEqual(d.interfaces[1].tap, {vpp_tap_if_name: 'tap-host'})
  assert.deepEqual(d.routes, [{outgoing_interface: 'veth1', dst_network: '10.0.2.0/24', metric: 100}])
  assert.deepEqual(d.arp_entries, [{interface: 'veth1', ip_address: '130.0.0.1', hw_address: '46:06:18:db:05:3a'}])
  assert.deepEqual(dumpConfig(null, null, null), {interfaces: [], routes: [], arp_entries: []})
  // The protos take the numeric enums as they are (ligato.linux.ConfigData round trip).
  const root = ours()
  const C = root.lookupType('ligato.linux.ConfigData')
  const back = C.toObject(C.decode(C.encode(C.fromObject(d)).finish()), {enums: String}) as any
  assert.equal(back.interfaces[0].type, 'VETH')
  assert.deepEqual(back.interfaces[0].namespace, {type: 'NSID', reference: 'ns1'})
  assert.equal(back.interfaces[1].type, 'TAP_TO_VPP')
})
