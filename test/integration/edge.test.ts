// Edge cases found in review: labels sharing a host, lo's kernel addresses, gateways behind scope-LINK routes.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {withPlayground, type Playground} from '../helpers/playground.ts'
import {assertForeignUnchanged, foreignPicture} from '../helpers/foreign.ts'

const write = (pg: Playground, path: string, text: string) => pg.run('sh', ['-c', 'cat > "$0"', path], {input: text})

test('--prune under one label leaves the routes and ARP entries on another label\'s links alone', async () => {
  await withPlayground(async (pg) => {
    await write(pg, '/run/a.yaml', `
interfaces:
  - {name: x1, type: VETH, enabled: true, ip_addresses: ["10.10.0.1/24"], veth: {peer_if_name: x2}}
  - {name: x2, type: VETH, enabled: true, ip_addresses: ["10.10.0.2/24"], veth: {peer_if_name: x1}}
routes:
  - {outgoing_interface: x1, dst_network: "10.11.0.0/16", gw_addr: "10.10.0.2"}
`)
    await write(pg, '/run/b.yaml', `
interfaces:
  - {name: z1, type: VETH, enabled: true, ip_addresses: ["10.20.0.1/24"], veth: {peer_if_name: z2}}
  - {name: z2, type: VETH, enabled: true, ip_addresses: ["10.20.0.2/24"], veth: {peer_if_name: z1}}
routes:
  - {outgoing_interface: z1, dst_network: "10.22.0.0/16", gw_addr: "10.20.0.2"}
arp_entries:
  - {interface: z1, ip_address: "10.20.0.9", hw_address: "02:00:00:00:00:09"}
`)
    assert.equal((await pg.lnx(['apply', '-f', '/run/a.yaml', '--label', 'a'])).code, 0)
    assert.equal((await pg.lnx(['apply', '-f', '/run/b.yaml', '--label', 'b'])).code, 0)
    const plan = await pg.lnxJson(['plan', '-f', '/run/a.yaml', '--label', 'a', '--prune'])
    assert.deepEqual(plan.json.changes, [], 'label a sees nothing of label b to prune')
    const r = await pg.lnxJson(['apply', '-f', '/run/a.yaml', '--label', 'a', '--prune'])
    assert.equal(r.code, 0, r.stdout)
    const routes = await pg.ipJson('', 'route', 'show', 'proto', '76')
    assert.deepEqual(routes.map((x: any) => x.dst).sort(), ['10.11.0.0/16', '10.22.0.0/16'])
    const neigh = await pg.ipJson('', 'neigh', 'show', 'dev', 'z1')
    assert.ok(neigh.some((n: any) => n.dst === '10.20.0.9' && n.protocol === '76'))
    assert.equal((await pg.lnx(['plan', '-f', '/run/b.yaml', '--label', 'b', '--exit-code'])).code, 0)
  })
})

test('a LOOPBACK listing lo\'s own 127.0.0.1/8 and ::1/128 applies and is idempotent', async () => {
  await withPlayground(async (pg) => {
    await write(pg, '/run/lo.yaml', `
interfaces:
  - {name: lo2, type: LOOPBACK, enabled: true, namespace: {type: NSID, reference: nsl}, ip_addresses: ["127.0.0.1/8", "10.99.0.1/32", "::1/128"]}
`)
    const r = await pg.lnxJson(['apply', '-f', '/run/lo.yaml'])
    assert.equal(r.code, 0, r.stdout)
    const lo = (await pg.ipJson('nsl', '-d', 'addr', 'show', 'dev', 'lo'))[0]
    assert.deepEqual(lo.addr_info.map((a: any) => `${a.local}/${a.prefixlen}`).sort(), ['10.99.0.1/32', '127.0.0.1/8', '::1/128'])
    assert.equal(lo.ifalias, '/vnf-agent/vpp1/lo2')
    assert.equal((await pg.lnx(['plan', '-f', '/run/lo.yaml', '--exit-code'])).code, 0)
  })
})

test('a gateway reachable only through a scope-LINK route of the same config: that route goes first', async () => {
  await withPlayground(async (pg) => {
    await write(pg, '/run/s.yaml', `
interfaces:
  - {name: s1, type: VETH, enabled: true, ip_addresses: ["192.168.50.1/24"], veth: {peer_if_name: s2}}
  - {name: s2, type: VETH, enabled: true, veth: {peer_if_name: s1}}
routes:
  - {outgoing_interface: s1, dst_network: "10.80.0.0/16", gw_addr: "172.16.0.1"}
  - {outgoing_interface: s1, dst_network: "172.16.0.1/32", scope: LINK}
`)
    const r = await pg.lnxJson(['apply', '-f', '/run/s.yaml'])
    assert.equal(r.code, 0, r.stdout)
    const routes = await pg.ipJson('', 'route', 'show', 'proto', '76')
    assert.deepEqual(routes.map((x: any) => [x.dst, x.gateway ?? null]).sort(), [['10.80.0.0/16', '172.16.0.1'], ['172.16.0.1', null]])
    assert.equal((await pg.lnx(['plan', '-f', '/run/s.yaml', '--exit-code'])).code, 0)
  })
})

test('take-over from the vpp-agent: proto boot routes and protocol-less neighbours on owned links are adopted; other tools\' collide', async () => {
  await withPlayground(async (pg) => {
    // The vpp-agent's marks: alias /vnf-agent/vpp1/…, no link group; its routes proto boot, neighbours protocol 0.
    await pg.sh(`ip link add name v1 type veth peer name v2
      ip link set dev v1 alias /vnf-agent/vpp1/v1/v2 up
      ip link set dev v2 alias /vnf-agent/vpp1/v2/v1 up
      ip addr add 10.30.0.1/24 dev v1
      ip route add 10.31.0.0/16 via 10.30.0.2 dev v1 proto boot
      ip neigh add 10.30.0.9 lladdr 02:00:00:00:00:09 dev v1 nud permanent`)
    const cfg = `
interfaces:
  - {name: v1, type: VETH, enabled: true, ip_addresses: ["10.30.0.1/24"], veth: {peer_if_name: v2}}
  - {name: v2, type: VETH, enabled: true, veth: {peer_if_name: v1}}
routes:
  - {outgoing_interface: v1, dst_network: "10.31.0.0/16", gw_addr: "10.30.0.2"}
arp_entries:
  - {interface: v1, ip_address: "10.30.0.9", hw_address: "02:00:00:00:00:09"}
`
    await write(pg, '/run/t.yaml', cfg)
    const r = await pg.lnxJson(['apply', '-f', '/run/t.yaml'])
    assert.equal(r.code, 0, r.stdout)
    assert.ok(r.json.changes.some((c: any) => c.kind === 'route' && /adopt/.test(c.detail)))
    assert.deepEqual((await pg.ipJson('', 'route', 'show', 'proto', '76')).map((x: any) => x.dst), ['10.31.0.0/16'])
    assert.ok((await pg.ipJson('', 'neigh', 'show', 'dev', 'v1')).some((n: any) => n.dst === '10.30.0.9' && n.protocol === '76'))

    // Another tool's route (proto static) and neighbour (protocol zebra) with the same identity: collisions.
    await pg.sh(`ip route add 10.32.0.0/16 via 10.30.0.2 dev v1 proto static
      ip neigh add 10.30.0.8 lladdr 02:00:00:00:00:08 dev v1 nud permanent protocol zebra`)
    const before = JSON.stringify([await pg.ipJson('', 'route', 'show'), await pg.ipJson('', 'neigh', 'show')])
    const foreign = await foreignPicture(pg)
    await write(pg, '/run/t2.yaml', `${cfg}  - {interface: v1, ip_address: "10.30.0.8", hw_address: "02:00:00:00:00:08"}
`)
    const c1 = await pg.lnxJson(['apply', '-f', '/run/t2.yaml'])
    assert.equal(c1.code, 2, c1.stdout)
    assert.equal(c1.json.error.code, 'COLLISION')
    const c2 = await pg.lnxJson(['route', 'add', '10.32.0.0/16', '--dev', 'v1', '--via', '10.30.0.2'])
    assert.equal(c2.code, 2, c2.stdout)
    assert.equal(c2.json.error.code, 'COLLISION')
    assert.equal(JSON.stringify([await pg.ipJson('', 'route', 'show'), await pg.ipJson('', 'neigh', 'show')]), before, 'nothing touched')
    await assertForeignUnchanged(pg, foreign)
  })
})

test('DUMMY: created where the kernel has the module, otherwise pending with a clear reason', async () => {
  await withPlayground(async (pg) => {
    await write(pg, '/run/d.yaml', `
interfaces:
  - {name: d0, type: DUMMY, enabled: true, ip_addresses: ["10.40.0.1/24"]}
`)
    const hasDummy = (await pg.run('test', ['-e', '/sys/module/dummy'])).code === 0
    const r = await pg.lnxJson(['apply', '-f', '/run/d.yaml'])
    if (hasDummy) {
      assert.equal(r.code, 0, r.stdout)
      const l = (await pg.ipJson('', '-d', 'addr', 'show', 'dev', 'd0'))[0]
      assert.equal(l.linkinfo.info_kind, 'dummy')
      assert.equal(l.group, '76')
    } else {
      assert.equal(r.code, 3, r.stdout)
      assert.match(r.json.pending[0].reason, /DUMMY interfaces are not supported by this kernel/)
      assert.deepEqual((await pg.ipJson('', 'link', 'show')).map((l: any) => l.ifname), ['lo'])
    }
  })
})

test('a veth end that lost its alias (crash between the two alias lines) is adopted in place, not re-created', async () => {
  await withPlayground(async (pg) => {
    await write(pg, '/run/p.yaml', `
interfaces:
  - {name: a1, type: VETH, enabled: true, mtu: 1450, namespace: {type: NSID, reference: nsa}, ip_addresses: ["10.60.0.1/24"], veth: {peer_if_name: a2}}
  - {name: a2, type: VETH, enabled: true, namespace: {type: NSID, reference: nsb}, ip_addresses: ["10.60.0.2/24"], veth: {peer_if_name: a1}}
`)
    assert.equal((await pg.lnx(['apply', '-f', '/run/p.yaml'])).code, 0)
    const before = [(await pg.ipJson('nsa', 'link', 'show', 'dev', 'a1'))[0], (await pg.ipJson('nsb', 'link', 'show', 'dev', 'a2'))[0]]
    await pg.sh('ip -n nsb link set dev a2 alias ""')
    const plan = await pg.lnxJson(['plan', '-f', '/run/p.yaml'])
    assert.deepEqual(plan.json.changes.map((c: any) => [c.action, c.key]), [['update', 'config/linux/interfaces/v2/interface/a2']], JSON.stringify(plan.json.changes))
    assert.equal((await pg.lnx(['apply', '-f', '/run/p.yaml'])).code, 0)
    const after = [(await pg.ipJson('nsa', 'link', 'show', 'dev', 'a1'))[0], (await pg.ipJson('nsb', '-d', 'link', 'show', 'dev', 'a2'))[0]]
    assert.equal(after[0].ifindex, before[0].ifindex)
    assert.equal(after[1].ifindex, before[1].ifindex)
    assert.equal(after[1].address, before[1].address)
    assert.equal(after[1].ifalias, '/vnf-agent/vpp1/a2/a1')
  })
})

test('a failed delete --namespaces that re-creates a namespace reports "reverted" (lo\'s own addresses are not stripped)', async () => {
  await withPlayground(async (pg) => {
    await write(pg, '/run/l.yaml', `
interfaces:
  - {name: lo1, type: LOOPBACK, enabled: true, namespace: {type: NSID, reference: nsa}, ip_addresses: ["127.0.0.1/8", "1.1.1.1/32"]}
  - {name: b1, type: VETH, enabled: true, namespace: {type: NSID, reference: nsb}, veth: {peer_if_name: b2}}
  - {name: b2, type: VETH, enabled: true, namespace: {type: NSID, reference: nsb}, veth: {peer_if_name: b1}}
`)
    assert.equal((await pg.lnx(['apply', '-f', '/run/l.yaml'])).code, 0)
    const dry = await pg.lnxJson(['delete', '-f', '/run/l.yaml', '--namespaces', '--dry-run'])
    const lines = dry.json.changes.flatMap((c: any) => c.commands)
    assert.ok(!lines.some((l: string) => l.includes('127.0.0.1')), 'lo keeps 127.0.0.1/8')
    const last = lines.length
    const r = await pg.lnxJson(['delete', '-f', '/run/l.yaml', '--namespaces'], {env: {LNX_TEST_FAULT: String(last)}})
    assert.equal(r.code, 1, r.stdout)
    assert.equal(r.json.result, 'reverted', JSON.stringify(r.json.error))
    const lo = (await pg.ipJson('nsa', 'addr', 'show', 'dev', 'lo'))[0]
    assert.ok(lo.addr_info.some((a: any) => a.local === '1.1.1.1'))
  })
})
