// Edge cases found in review: labels sharing a host, lo's kernel addresses, gateways behind scope-LINK routes.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {withPlayground, type Playground} from '../helpers/playground.ts'

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
