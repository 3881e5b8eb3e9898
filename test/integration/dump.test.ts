import {test} from 'node:test'
import assert from 'node:assert/strict'
import {withPlayground} from '../helpers/playground.ts'

test('dump -o json shows a veth pair made with raw ip, owned and foreign apart', async () => {
  await withPlayground(async (pg) => {
    await pg.sh(`ip netns add ns1; ip netns add ns2
      ip link add name v1 netns /run/netns/ns1 group 76 type veth peer name v2 netns /run/netns/ns2 group 76
      ip -n ns1 link set dev v1 alias /vnf-agent/vpp1/veth1/veth2 up
      ip -n ns2 link set dev v2 alias /vnf-agent/vpp1/veth2/veth1
      ip -n ns1 addr add 10.0.0.1/24 dev v1
      ip link add name hostv type veth peer name nsv netns /run/netns/ns1`)
    const r = await pg.lnxJson(['dump', 'all'])
    assert.equal(r.code, 0, r.stderr)
    const ip = (await pg.ipJson('ns1', 'addr', 'show', 'dev', 'v1'))[0]
    const v1 = r.json.interfaces.find((i: any) => i.name === 'veth1')
    assert.deepEqual(v1.ip_addresses, ['10.0.0.1/24'])
    assert.equal(v1.phys_address, ip.address)
    assert.equal(v1.host_if_name, 'v1')
    assert.deepEqual(v1.namespace, {type: 'NSID', reference: 'ns1'})
    assert.ok(r.json.foreign.interfaces.some((i: any) => i.name === 'hostv'))
    assert.ok(!r.json.interfaces.some((i: any) => i.name === 'hostv'))
  })
})
