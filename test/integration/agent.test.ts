// lnx agent against a real etcd (Debian's etcd-server) in a test playground: the seed's etcdctl lines verbatim →
// kernel state read with raw `ip -json`; the REST dumps compared with raw ip and the vpp-agent's shapes
// (docs/reference/vpp-agent-northbound.md); rejected keys, drift repair, restart, CLI refusal, graceful stop.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {withPlayground} from '../helpers/playground.ts'
import {addrs, link, neighs, routes, settle} from './engine-helpers.ts'
import {browserDom, etcdctl, get, ipj, seedLines, seedRun, startAgent, startEtcd, stop, until} from './agent-helpers.ts'

const P = '/vnf-agent/vpp1/config/linux'

test('agent: the seed\'s etcdctl put/del lines verbatim configure the kernel; REST dumps are the vpp-agent\'s shapes and match raw ip', async () => {
  await withPlayground(async (pg) => {
    const etcd = await startEtcd(pg)
    const agent = await startAgent(pg, {etcd: etcd.endpoint})
    try {
      const lines = seedLines()
      assert.ok(lines.filter((l) => l.verb === 'put').length >= 5 && lines.some((l) => l.verb === 'del'), 'the seed doc has put and del lines')
      for (const l of lines.filter((x) => x.verb === 'put')) {
        const r = await seedRun(pg, etcd.endpoint, l)
        assert.equal(r.code, 0, `${l.line}: ${r.stderr}`)
      }
      // The tap is VPP's to create: until then tap1 is pending, with its reason on /status.
      assert.ok(await until(async () => JSON.parse((await get(pg, `${agent.url}/status`)).body).pending.some((p: any) => p.key.endsWith('interface/tap1') && /tap-host/.test(p.reason)), 10000), agent.err())
      await pg.sh('ip tuntap add dev tap-host mode tap')
      assert.ok(await until(async () => !!(await link(pg, 'ns2', 'tap-host')) && (await addrs(pg, 'ns2', 'tap-host')).includes('172.52.45.127/24'), 10000), `tap adopted when it appeared\n${agent.err()}`)

      const v1 = await link(pg, 'ns1', 'veth1')
      assert.equal(v1.ifalias, '/vnf-agent/vpp1/veth1/veth2')
      assert.equal(v1.address, 'd2:74:8c:12:67:d2')
      assert.deepEqual(await addrs(pg, 'ns1', 'veth1'), ['10.0.2.2/24', '192.168.22.1/24'])
      assert.deepEqual(await addrs(pg, 'ns2', 'veth2'), ['192.168.22.5/24'])
      assert.ok((await routes(pg, 'ns1')).some((r: any) => r.dst === '10.0.2.0/24' && r.dev === 'veth1' && r.metric === 100 && r.protocol === '76'))
      assert.ok((await neighs(pg, 'ns1')).some((n: any) => n.dst === '130.0.0.1' && n.lladdr === '46:06:18:db:05:3a'))

      // --- REST: /dump/linux/v2/interfaces
      const ifs = await get(pg, `${agent.url}/dump/linux/v2/interfaces`)
      assert.equal(ifs.status, 200)
      assert.match(ifs.type, /^application\/json/)
      const list = JSON.parse(ifs.body)
      assert.equal(ifs.body, `${JSON.stringify(list, null, 2)}\n`, 'two-space indent and a final newline, as Go\'s encoder writes it')
      const byName = new Map(list.map((e: any) => [e.interface.name, e]))
      assert.deepEqual([...byName.keys()].sort(), ['tap1', 'veth1', 'veth2'])
      const e1: any = byName.get('veth1')
      assert.deepEqual(Object.keys(e1), ['interface', 'interface_meta'])
      // Exactly the reference example (vpp-agent-northbound.md §2.1) but for the metadata numbers, read from raw ip.
      assert.deepEqual(e1.interface, {
        name: 'veth1', type: 1, namespace: {type: 1, reference: 'ns1'}, host_if_name: 'veth1', enabled: true,
        ip_addresses: ['192.168.22.1/24', '10.0.2.2/24'], phys_address: 'd2:74:8c:12:67:d2', mtu: 1500, Link: {Veth: {peer_if_name: 'veth2'}},
      })
      assert.deepEqual(Object.keys(e1.interface), ['name', 'type', 'namespace', 'host_if_name', 'enabled', 'ip_addresses', 'phys_address', 'mtu', 'Link'])
      assert.deepEqual(Object.keys(e1.interface_meta), ['linux_if_index', 'parent_index', 'master_index', 'oper_state', 'flags', 'encapsulation', 'num_rx_queue', 'num_tx_queue', 'tx_queue_len'])
      const raw1 = (await ipj(pg, 'ns1', '-d', 'link', 'show')).find((l: any) => l.ifname === 'veth1')
      const raw2 = (await ipj(pg, 'ns2', '-d', 'link', 'show')).find((l: any) => l.ifname === 'veth2')
      assert.equal(e1.interface_meta.linux_if_index, raw1.ifindex)
      assert.equal(e1.interface_meta.parent_index, raw2.ifindex, 'IFLA_LINK of a veth: its peer\'s ifindex')
      assert.equal(e1.interface_meta.oper_state, 6)
      assert.equal(e1.interface_meta.flags, 0x1 | 0x2 | 0x40 | 0x1000 | 0x10000, 'UP|BROADCAST|RUNNING|MULTICAST|LOWER_UP, as the reference\'s 69699')
      assert.equal(e1.interface_meta.encapsulation, 'ether')
      assert.equal(e1.interface_meta.tx_queue_len, raw1.txqlen)
      assert.equal(e1.interface_meta.num_rx_queue, raw1.num_rx_queues)
      const tap: any = byName.get('tap1')
      assert.deepEqual(tap.interface, {
        name: 'tap1', type: 2, namespace: {type: 1, reference: 'ns2'}, host_if_name: 'tap-host', enabled: true,
        ip_addresses: ['172.52.45.127/24'], phys_address: 'bc:fe:e9:5e:07:04', mtu: 1500, Link: {Tap: {vpp_tap_if_name: 'tap-host'}},
      })
      assert.equal(tap.interface_meta.oper_state, 2, 'a tap nobody reads is oper-down')
      assert.equal(tap.interface_meta.flags, 0x1 | 0x2 | 0x1000, 'UP|BROADCAST|MULTICAST without carrier, as the reference\'s 4099')

      // --- /dump/linux/v2/routes: every main-table route on the owned links, kernel ones too; scope only in Meta.
      const rts = JSON.parse((await get(pg, `${agent.url}/dump/linux/v2/routes`)).body)
      const r1 = rts.find((r: any) => r.Route.outgoing_interface === 'veth1' && r.Route.dst_network === '10.0.2.0/24' && r.Route.metric === 100)
      assert.deepEqual(r1, {Route: {outgoing_interface: 'veth1', dst_network: '10.0.2.0/24', metric: 100}, Meta: {interface_index: raw1.ifindex, link_scope: 253, protocol: 76, mtu: 0, table: 254}})
      const kernelRoute = rts.find((r: any) => r.Route.outgoing_interface === 'veth1' && r.Route.dst_network === '192.168.22.0/24')
      assert.deepEqual(kernelRoute, {Route: {outgoing_interface: 'veth1', dst_network: '192.168.22.0/24'}, Meta: {interface_index: raw1.ifindex, link_scope: 253, protocol: 2, mtu: 0, table: 254}})
      const rawMain = (await ipj(pg, 'ns1', 'route', 'show', 'dev', 'veth1')).length
      assert.equal(rts.filter((r: any) => r.Route.outgoing_interface === 'veth1' && !r.Route.dst_network.includes(':')).length, rawMain, 'as many IPv4 routes as raw ip shows on veth1')

      // --- /dump/linux/v2/arps
      const arps = JSON.parse((await get(pg, `${agent.url}/dump/linux/v2/arps`)).body)
      assert.deepEqual(arps.find((a: any) => a.linux_arp.ip_address === '130.0.0.1'), {
        linux_arp: {interface: 'veth1', ip_address: '130.0.0.1', hw_address: '46:06:18:db:05:3a'},
        linux_arp_meta: {interface_index: raw1.ifindex, ip_family: 2, vni: 0},
      })
      assert.ok(arps.every((a: any) => !a.linux_arp.ip_address.startsWith('ff02:')), 'link-local multicast neighbours left out')

      // --- /stats/linux/interfaces
      const stats = JSON.parse((await get(pg, `${agent.url}/stats/linux/interfaces`)).body)
      const s1 = stats.find((s: any) => s.interface_name === 'veth1')
      assert.deepEqual(Object.keys(s1), ['interface_name', 'interface_type', 'linux_if_index', 'rx_packets', 'tx_packets', 'rx_bytes', 'tx_bytes', 'rx_errors', 'tx_errors', 'rx_dropped', 'tx_dropped'])
      assert.equal(s1.interface_type, 1)
      assert.equal(s1.linux_if_index, raw1.ifindex)

      // --- /configuration: agentctl's YAML of the desired config
      const conf = await get(pg, `${agent.url}/configuration`)
      assert.match(conf.type, /application\/yaml/)
      assert.ok(conf.body.startsWith('netallocConfig: {}\nlinuxConfig:\n  interfaces:\n  - name: tap1\n'), conf.body)
      assert.ok(conf.body.includes(`
  - name: veth1
    type: VETH
    namespace:
      type: NSID
      reference: ns1
    enabled: true
    ipAddresses:
    - 192.168.22.1/24
    - 10.0.2.2/24
    physAddress: D2:74:8C:12:67:D2
    mtu: 1500
    veth:
      peerIfName: veth2
`), conf.body)
      assert.ok(conf.body.endsWith(`  arpEntries:
  - interface: veth1
    ipAddress: 130.0.0.1
    hwAddress: 46:06:18:DB:05:3A
  routes:
  - outgoingInterface: veth1
    dstNetwork: 10.0.2.0/24
    metric: 100
vppConfig: {}
`), conf.body)
      assert.equal((await get(pg, `${agent.url}/healthz`)).status, 200)

      // --- the seed's del lines
      for (const l of lines.filter((x) => x.verb === 'del')) assert.equal((await seedRun(pg, etcd.endpoint, l)).code, 0, l.line)
      assert.ok(await until(async () => !(await neighs(pg, 'ns1')).some((n: any) => n.dst === '130.0.0.1') && !(await routes(pg, 'ns1')).some((r: any) => r.protocol === '76'), 10000), agent.err())
      assert.ok(await link(pg, 'ns1', 'veth1'), 'the interfaces stay: only the ARP and route keys were deleted')
      for (const t of agent.txns()) {
        for (const k of ['txn', 'source', 'create', 'update', 'delete', 'pending', 'result', 'duration_ms']) assert.ok(k in t, `log line has ${k}: ${JSON.stringify(t)}`)
      }
    } finally {
      await stop(agent)
      await stop(etcd)
    }
  })
})

test('agent: a bad key is rejected by name while the others apply; drift is repaired; restart resyncs with zero changes; CLI --prune/delete refused (exit 4); SIGTERM stops cleanly', async () => {
  await withPlayground(async (pg) => {
    const etcd = await startEtcd(pg)
    let agent = await startAgent(pg, {etcd: etcd.endpoint})
    try {
      const veth = (n: string, peer: string, ip: string) => JSON.stringify({name: n, type: 'VETH', namespace: {type: 'NSID', reference: 'ns1'}, enabled: true, ip_addresses: [ip], veth: {peer_if_name: peer}})
      // One etcd transaction: two good keys, a key whose value names another interface, and a value that is not valid.
      const txn = [
        '', `put ${P}/interfaces/v2/interface/a1 ${veth('a1', 'a2', '10.1.0.1/24')}`, `put ${P}/interfaces/v2/interface/a2 ${veth('a2', 'a1', '10.1.0.2/24')}`,
        `put ${P}/interfaces/v2/interface/wrong ${veth('other', 'a1', '10.1.0.3/24')}`,
        `put ${P}/l3/v2/route/10.9.0.0/24/a1 {"outgoing_interface":"a1","dst_network":"10.9.0.0/24","metric":"lots"}`,
        `put ${P}/l3/v2/arp/a1/10.1.0.9 {"interface":"a1","ip_address":"10.1.0.9","hw_address":"02:00:00:00:00:09"}`, '', '', '',
      ].join('\n')
      assert.equal((await etcdctl(pg, etcd.endpoint, ['txn'], txn)).code, 0)
      assert.ok(await until(async () => (await addrs(pg, 'ns1', 'a1').catch(() => [])).includes('10.1.0.1/24'), 10000), agent.err())
      assert.ok(await until(async () => agent.logs().filter((l) => l.msg === 'key rejected').length >= 2, 5000), agent.err())
      const rejected = agent.logs().filter((l) => l.msg === 'key rejected')
      assert.ok(rejected.some((l) => l.key === `${P}/interfaces/v2/interface/wrong` && /disagree/.test(l.reason)), JSON.stringify(rejected))
      assert.ok(rejected.some((l) => l.key === `${P}/l3/v2/route/10.9.0.0/24/a1` && /metric/.test(l.reason)), JSON.stringify(rejected))
      const status = JSON.parse((await get(pg, `${agent.url}/status`)).body)
      assert.deepEqual(status.rejected.map((r: any) => r.key).sort(), [`${P}/interfaces/v2/interface/wrong`, `${P}/l3/v2/route/10.9.0.0/24/a1`])
      assert.equal(await link(pg, 'ns1', 'other'), undefined)

      // Drift: an address deleted and a link set down behind the agent's back come back, logged.
      assert.ok(await until(async () => (await neighs(pg, 'ns1')).some((n: any) => n.dst === '10.1.0.9'), 5000), agent.err())
      await pg.sh('ip -n ns1 addr del 10.1.0.1/24 dev a1 && ip -n ns1 link set dev a2 down')
      assert.ok(await until(async () => (await addrs(pg, 'ns1', 'a1')).includes('10.1.0.1/24') && (await link(pg, 'ns1', 'a2')).flags.includes('UP'), 3000), `drift repaired within the bound\n${agent.err()}`)
      // The log line may trail the repair it reports (stderr is read asynchronously).
      assert.ok(await until(async () => agent.logs().some((l) => l.msg === 'drift repaired' && l.keys.some((k: string) => k.includes('a1'))), 2000), agent.err())
      // A permanent neighbour deleted (iproute2 reports it as "… FAILED proto 76", then "Deleted … FAILED proto 76").
      await settle(pg) // no IPv6 autoconfiguration event left to wake the agent by chance
      await new Promise((r) => setTimeout(r, 300))
      const permanent = async () => (await neighs(pg, 'ns1')).some((n: any) => n.dst === '10.1.0.9' && n.lladdr === '02:00:00:00:00:09' && n.state.includes('PERMANENT'))
      await pg.sh('ip -n ns1 neigh del 10.1.0.9 dev a1')
      assert.ok(await until(permanent, 3000), `ARP entry repaired\n${agent.err()}`)
      assert.ok(await until(async () => agent.logs().filter((l) => l.msg === 'drift repaired' && l.keys.includes('config/linux/l3/v2/arp/a1/10.1.0.9')).length >= 1, 2000), agent.err())

      // The web page, in a real headless browser: the host's picture, rejected keys, transactions; updated after an etcd change.
      const dom1 = await browserDom(pg, `${agent.url}/`)
      assert.match(dom1, /<svg[\s\S]*a1[\s\S]*<\/svg>/, 'the picture shows the owned links')
      assert.match(dom1, /Rejected keys \(2\)/)
      assert.match(dom1, /interface\/wrong/)
      assert.doesNotMatch(dom1, /webcheck1/)
      assert.equal((await etcdctl(pg, etcd.endpoint, ['put', `${P}/interfaces/v2/interface/webcheck1`, veth('webcheck1', 'webcheck2', '10.2.0.1/24')])).code, 0)
      assert.ok(await until(async () => JSON.parse((await get(pg, `${agent.url}/status`)).body).pending.some((p: any) => p.key.endsWith('/webcheck1')), 10000), agent.err())
      const dom2 = await browserDom(pg, `${agent.url}/`)
      assert.match(dom2, /Pending \(1\)[\s\S]*interface\/webcheck1[\s\S]*webcheck2/, 'the pending item with its reason (its peer is not defined)')
      assert.equal((await etcdctl(pg, etcd.endpoint, ['put', `${P}/interfaces/v2/interface/webcheck2`, veth('webcheck2', 'webcheck1', '10.2.0.2/24')])).code, 0)
      assert.ok(await until(async () => (await addrs(pg, 'ns1', 'webcheck1').catch(() => [])).includes('10.2.0.1/24') && agent.txns().at(-1)?.result === 'done', 10000), agent.err())
      const dom3 = await browserDom(pg, `${agent.url}/`)
      assert.match(dom3, /<svg[\s\S]*webcheck1[\s\S]*<\/svg>/, 'the new link is in the picture')
      assert.match(dom3, /Pending \(0\)/)

      // CLI: pruning or deleting this label while the agent runs is refused, naming the agent.
      const prune = await pg.lnxJson(['apply', '-f', '-', '--prune', '--allow-empty'], {input: '{"interfaces": []}'})
      assert.equal(prune.code, 4, prune.stderr)
      assert.equal(prune.json.error.code, 'LOCKED')
      assert.match(prune.json.error.message, new RegExp(`lnx agent \\(pid ${agent.pid}`))
      const del = await pg.lnx(['delete', '-f', '-'], {input: `{"interfaces": [${veth('a1', 'a2', '10.1.0.1/24')}]}`})
      assert.equal(del.code, 4, del.stderr)
      assert.match(del.stderr, /agent/)
      const other = await pg.lnx(['apply', '-f', '-', '--prune', '--allow-empty', '--label', 'other'], {input: '{"interfaces": []}'})
      assert.equal(other.code, 0, `another label is not the agent's: ${other.stderr}`)

      // A second agent for the label is refused (exit 4, naming the first); bad flags are usage errors (exit 2).
      const second = await pg.lnx(['agent', '--etcd', etcd.endpoint, '--http', '127.0.0.1:29192'])
      assert.equal(second.code, 4, second.stderr)
      assert.match(second.stderr, new RegExp(`another lnx agent \\(pid ${agent.pid}\\) already manages label vpp1`))
      const bad = await pg.lnx(['agent', '--etcd', '127.0.0.1:2379', '--label', 'x'])
      assert.equal(bad.code, 2, bad.stderr)
      assert.match(bad.stderr, /--etcd "127.0.0.1:2379" is not an endpoint URL/)

      // Restart: the full resync finds nothing to do.
      assert.equal(await stop(agent), 0, agent.err())
      assert.ok(agent.logs().some((l) => l.msg === 'agent stopped'))
      agent = await startAgent(pg, {etcd: etcd.endpoint})
      assert.ok(await until(async () => agent.txns().length >= 1, 10000), agent.err())
      const first = agent.txns()[0]
      assert.deepEqual([first.create, first.update, first.delete], [0, 0, 0], JSON.stringify(first))
      assert.equal(first.source, 'etcd')
      assert.equal(first.rejected, 2)
      assert.ok(await link(pg, 'ns1', 'a1'), 'a restart with rejected keys prunes nothing')
    } finally {
      await stop(agent)
      await stop(etcd)
    }
  })
})
