// lnx agent and what the store says over time: a key put is the store's change (never logged as drift), a key
// deleted stays deleted even when a bad value is put on it afterwards (the rejected key keeps its last valid state,
// which is "absent"), and a real out-of-band change is still repaired and logged as drift. Real etcd, real kernel.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {withPlayground} from '../helpers/playground.ts'
import {etcdctl, get, startAgent, startEtcd, stop, until} from './agent-helpers.ts'

const P = '/vnf-agent/vpp1/config/linux'
const veth = (n: string, peer: string, ip: string) => ({name: n, type: 'VETH', namespace: {type: 'NSID', reference: 'nsx'}, enabled: true, ip_addresses: [ip], veth: {peer_if_name: peer}})
const ROUTE = `${P}/l3/v2/route/10.7.0.0/16/x1`
const route = JSON.stringify({outgoing_interface: 'x1', dst_network: '10.7.0.0/16', metric: 100})

test('agent: a put route is not drift; deleted then put back invalid stays deleted; an out-of-band delete is drift', async () => {
  await withPlayground(async (pg) => {
    const etcd = await startEtcd(pg)
    const agent = await startAgent(pg, {etcd: etcd.endpoint})
    const present = async () => (await pg.ipJson('nsx', 'route', 'show', '10.7.0.0/16').catch(() => [])).length > 0
    const driftLines = () => agent.logs().filter((l) => l.msg === 'drift repaired')
    try {
      for (const [n, p, ip] of [['x1', 'x2', '10.3.0.1/24'], ['x2', 'x1', '10.3.0.2/24']]) {
        assert.equal((await etcdctl(pg, etcd.endpoint, ['put', `${P}/interfaces/v2/interface/${n}`, JSON.stringify(veth(n, p, ip))])).code, 0)
      }
      assert.ok(await until(async () => agent.txns().some((t) => t.create > 0 && t.result === 'done'), 10000), agent.err())

      // A new key: created, and not "drift repaired" (the store changed, not the kernel behind lnx's back).
      assert.equal((await etcdctl(pg, etcd.endpoint, ['put', ROUTE, route])).code, 0)
      assert.ok(await until(present, 10000), agent.err())
      assert.ok(await until(async () => agent.txns().at(-1)?.result === 'done', 5000), agent.err())
      assert.deepEqual(driftLines(), [], 'a key put is not drift')

      // Deleted, then a bad value on the same key: rejected, and the route stays deleted.
      assert.equal((await etcdctl(pg, etcd.endpoint, ['del', ROUTE])).code, 0)
      assert.ok(await until(async () => !(await present()), 10000), agent.err())
      assert.equal((await etcdctl(pg, etcd.endpoint, ['put', ROUTE, 'garbage'])).code, 0)
      assert.ok(await until(async () => agent.logs().some((l) => l.msg === 'key rejected' && l.key === ROUTE), 10000), agent.err())
      await until(async () => agent.txns().at(-1)?.rejected > 0, 3000)
      assert.equal(await present(), false, `a bad value on a deleted key brings nothing back\n${agent.err()}`)

      // Back to back (etcd allows one op per key in a txn; the agent often takes both in one transaction): the
      // delete is still the key's last word.
      assert.equal((await etcdctl(pg, etcd.endpoint, ['put', ROUTE, route])).code, 0)
      assert.ok(await until(present, 10000), agent.err())
      const both = await pg.run('sh', ['-c', `etcdctl del ${ROUTE} && etcdctl put ${ROUTE} garbage`], {env: {ETCDCTL_API: '3', ETCDCTL_ENDPOINTS: etcd.endpoint}})
      assert.equal(both.code, 0, both.stderr)
      assert.ok(await until(async () => !(await present()), 10000), `deleted just before the bad put\n${agent.err()}`)

      // A real out-of-band change is still drift: the route, valid again, deleted with ip behind the agent's back.
      assert.equal((await etcdctl(pg, etcd.endpoint, ['put', ROUTE, route])).code, 0)
      assert.ok(await until(present, 10000), agent.err())
      assert.ok(await until(async () => agent.txns().at(-1)?.result === 'done', 5000), agent.err())
      assert.deepEqual(driftLines(), [], 'putting it back is not drift either')
      await pg.sh('ip -n nsx route del 10.7.0.0/16 dev x1 metric 100')
      assert.ok(await until(async () => (await present()) && driftLines().some((l) => l.keys.includes('config/linux/l3/v2/route/10.7.0.0/16/x1')), 10000), agent.err())

      // The REST interface dump lists what the vpp-agent's lists: alias-marked links, so not an EXISTING one.
      await pg.sh('ip link add eth1 type veth peer name eth1p')
      assert.equal((await etcdctl(pg, etcd.endpoint, ['put', `${P}/interfaces/v2/interface/up1`, JSON.stringify({name: 'up1', type: 'EXISTING', host_if_name: 'eth1', enabled: true, ip_addresses: ['10.60.0.1/24']})])).code, 0)
      assert.ok(await until(async () => JSON.stringify(await pg.ipJson('', 'addr', 'show', 'dev', 'eth1')).includes('10.60.0.1'), 10000), agent.err())
      const names = JSON.parse((await get(pg, `${agent.url}/dump/linux/v2/interfaces`)).body).map((e: any) => e.interface.name).sort()
      assert.deepEqual(names, ['x1', 'x2'])
    } finally {
      await stop(agent)
      await stop(etcd)
    }
  })
})
