// The agent's pure parts: key ↔ value checks, the desired set with rejections, the vpp-agent's JSON encoding,
// agentctl's YAML, log lines. No root, no etcd.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {buildDesired, canonicalKey, forgetKey, sectionOf, type NbItem} from '../../src/agent/desired.ts'
import {goJson, rawFlags} from '../../src/agent/rest-dump.ts'
import {configurationYaml, protoJson} from '../../src/agent/configuration.ts'
import {makeLog} from '../../src/agent/log.ts'
import {transientNeighbour} from '../../src/agent/agent.ts'

const item = (key: string, value: unknown): NbItem => ({key, source: 'etcd', origin: `/vnf-agent/vpp1/${key}`, value: typeof value === 'string' ? value : JSON.stringify(value)})
const noKernel = async () => undefined

test('model keys: section and canonical form (ARP IP and route network normalised, as the value\'s key is)', () => {
  assert.equal(sectionOf('config/linux/interfaces/v2/interface/veth1'), 'interfaces')
  assert.equal(sectionOf('config/linux/l3/v2/arp/veth1/130.0.0.1'), 'arp_entries')
  assert.equal(sectionOf('config/linux/l3/v2/route/10.0.2.0/24/veth1'), 'routes')
  assert.equal(sectionOf('config/linux/iptables/v2/rulechain/x'), null)
  assert.equal(canonicalKey('config/linux/l3/v2/route/10.0.2.5/24/veth1'), 'config/linux/l3/v2/route/10.0.2.0/24/veth1')
  assert.equal(canonicalKey('config/linux/l3/v2/arp/veth1/2001:DB8::1'), 'config/linux/l3/v2/arp/veth1/2001:db8::1')
  assert.equal(canonicalKey('config/linux/interfaces/v2/interface/a/b'), null)
  assert.equal(canonicalKey('config/linux/l3/v2/arp/veth1'), null)
})

test('desired set: a key/value mismatch and an invalid value are rejected by key; the rest is applied', async () => {
  const good = {name: 'v1', type: 'VETH', veth: {peer_if_name: 'v2'}}
  const peer = {name: 'v2', type: 'VETH', veth: {peer_if_name: 'v1'}}
  const b = await buildDesired([
    item('config/linux/interfaces/v2/interface/v1', good),
    item('config/linux/interfaces/v2/interface/v2', peer),
    item('config/linux/interfaces/v2/interface/v3', {...good, name: 'v4'}),
    item('config/linux/l3/v2/route/10.0.0.0/24/v1', {outgoing_interface: 'v1', dst_network: '10.0.0.0/24', metric: -1}),
    item('config/linux/l3/v2/arp/v1/10.0.0.9', '{not json'),
  ], new Map(), noKernel)
  assert.deepEqual(b.desired.interfaces.map((i) => i.name), ['v1', 'v2'])
  assert.equal(b.desired.routes.length, 0)
  assert.deepEqual(b.rejected.map((r) => r.origin).sort(), [
    '/vnf-agent/vpp1/config/linux/interfaces/v2/interface/v3',
    '/vnf-agent/vpp1/config/linux/l3/v2/arp/v1/10.0.0.9',
    '/vnf-agent/vpp1/config/linux/l3/v2/route/10.0.0.0/24/v1',
  ])
  assert.equal(b.rejected.length, 3)
  assert.match(b.rejected.find((r) => r.origin.endsWith('/v3'))!.reason, /disagree.*interface\/v4/)
  assert.match(b.rejected.find((r) => r.origin.endsWith('10.0.0.9'))!.reason, /not JSON/)
})

test('desired set: a rejected key keeps its last valid value; without one, what the kernel has', async () => {
  const lastGood = new Map<string, string>()
  const v = (mtu: unknown) => item('config/linux/interfaces/v2/interface/lo1', {name: 'lo1', type: 'LOOPBACK', mtu})
  let b = await buildDesired([v(1500)], lastGood, noKernel)
  assert.equal(b.desired.interfaces[0].mtu, 1500)
  b = await buildDesired([v('big')], lastGood, noKernel)
  assert.equal(b.rejected.length, 1)
  assert.equal(b.desired.interfaces[0]?.mtu, 1500, 'the last valid value stays')
  b = await buildDesired([v('big')], new Map(), async (key) => (key.endsWith('/lo1') ? JSON.stringify({name: 'lo1', type: 'LOOPBACK', mtu: 9000}) : undefined))
  assert.equal(b.desired.interfaces[0]?.mtu, 9000, 'after a restart: the kernel\'s value, so nothing is pruned')
})

test('desired set: a key deleted and then put back with a bad value stays deleted (its last valid state is "absent")', async () => {
  const lastGood = new Map<string, string>()
  const key = 'config/linux/interfaces/v2/interface/lo1'
  const good = item(key, {name: 'lo1', type: 'LOOPBACK', mtu: 1500})
  let b = await buildDesired([good], lastGood, noKernel)
  assert.equal(b.desired.interfaces.length, 1)
  // Deleted: a build without the key forgets its value (here, the delete and the bad put reach one transaction:
  // forgetKey is what the etcd source's delete event does).
  forgetKey(lastGood, key)
  const kernelHasIt = async (k: string) => (k === key ? JSON.stringify({name: 'lo1', type: 'LOOPBACK', mtu: 1500}) : undefined)
  b = await buildDesired([{...good, value: 'garbage'}], lastGood, kernelHasIt)
  assert.equal(b.rejected.length, 1)
  assert.deepEqual(b.desired.interfaces, [], 'not resurrected from its old value, nor from the kernel')
  // Seen absent by a build (a resync without the key), then a bad value: still nothing.
  const lg2 = new Map<string, string>()
  await buildDesired([good], lg2, noKernel)
  await buildDesired([], lg2, noKernel)
  b = await buildDesired([{...good, value: '{"name": 7}'}], lg2, kernelHasIt)
  assert.deepEqual(b.desired.interfaces, [], 'a key seen deleted keeps "absent" as its last valid state')
  // A good value after that is applied as usual.
  b = await buildDesired([good], lg2, noKernel)
  assert.equal(b.desired.interfaces.length, 1)
})

test('desired set: semantic errors across keys (a peer naming another interface) reject the key that is wrong', async () => {
  const b = await buildDesired([
    item('config/linux/interfaces/v2/interface/a', {name: 'a', type: 'VETH', veth: {peer_if_name: 'b'}}),
    item('config/linux/interfaces/v2/interface/b', {name: 'b', type: 'VETH', veth: {peer_if_name: 'c'}}),
    item('config/linux/interfaces/v2/interface/c', {name: 'c', type: 'VETH', veth: {peer_if_name: 'b'}}),
  ], new Map(), noKernel)
  assert.ok(b.rejected.length >= 1, JSON.stringify(b.rejected))
  for (const i of b.desired.interfaces) assert.ok(!b.rejected.some((r) => r.key.endsWith(`/${i.name}`)))
})

test('goJson: Go\'s encoding/json with SetIndent and HTML escaping, final newline; nil list → null', () => {
  assert.equal(goJson([{a: '<b>&'}]), '[\n  {\n    "a": "\\u003cb\\u003e\\u0026"\n  }\n]\n')
  assert.equal(goJson(null), 'null\n')
})

test('rawFlags: ifi_flags from iproute2\'s flag names (RUNNING is printed as the absence of NO-CARRIER)', () => {
  assert.equal(rawFlags(['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP']), 69699)
  assert.equal(rawFlags(['NO-CARRIER', 'BROADCAST', 'MULTICAST', 'UP']), 4099)
  assert.equal(rawFlags(['BROADCAST', 'MULTICAST']), 0x1002)
})

test('/configuration: protojson (lowerCamelCase, enum names, defaults left out) in agentctl\'s YAML layout', async () => {
  assert.deepEqual(protoJson('Route', {outgoing_interface: 'veth1', scope: 'UNDEFINED', dst_network: '10.0.2.0/24', gw_addr: '', metric: 100}), {outgoingInterface: 'veth1', dstNetwork: '10.0.2.0/24', metric: 100})
  assert.equal(await configurationYaml([]), 'netallocConfig: {}\nlinuxConfig: {}\nvppConfig: {}\n')
  const y = await configurationYaml([{section: 'arp_entries', value: {interface: 'veth1', ip_address: '130.0.0.1', hw_address: '12:34:56:12:34:56'}}])
  assert.equal(y, 'netallocConfig: {}\nlinuxConfig:\n  arpEntries:\n  - interface: veth1\n    ipAddress: 130.0.0.1\n    hwAddress: "12:34:56:12:34:56"\nvppConfig: {}\n', 'a MAC a YAML 1.1 reader would take for a number is quoted')
})

test('log lines: text for people, one JSON object a line for shippers', () => {
  const lines: string[] = []
  makeLog('text', (l) => lines.push(l)).log('info', 'transaction', {txn: 3, source: 'etcd', keys: ['a', 'b'], error: 'x y'})
  assert.match(lines[0], /^\S+Z INFO  transaction txn=3 source=etcd keys=a,b error="x y"\n$/)
  makeLog('json', (l) => lines.push(l)).log('warn', 'key rejected', {key: '/k'})
  const j = JSON.parse(lines[1])
  assert.deepEqual([j.level, j.msg, j.key], ['warn', 'key rejected', '/k'])
})

test('kernel events: dynamic neighbour state changes do not wake the agent; anything about lnx\'s own entries does', () => {
  assert.ok(transientNeighbour('10.1.1.8 dev va lladdr 02:00:00:00:00:08 STALE '))
  assert.ok(transientNeighbour('Deleted 10.1.1.8 dev va lladdr 02:00:00:00:00:08 REACHABLE'))
  assert.ok(transientNeighbour('10.1.1.77 dev va  INCOMPLETE'))
  assert.ok(!transientNeighbour('10.1.0.9 dev a1 FAILED proto 76'))
  assert.ok(!transientNeighbour('Deleted 10.1.0.9 dev a1 lladdr 02:00:00:00:00:09 PERMANENT proto 76'))
  assert.ok(!transientNeighbour('Deleted 3: a1    inet 10.1.0.1/24 scope global a1'))
  assert.ok(!transientNeighbour('2: a2@a1: <BROADCAST,MULTICAST> mtu 1500 qdisc noqueue state DOWN group 76'))
})
