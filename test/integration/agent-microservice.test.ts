// lnx agent and containers: an etcd key placing a veth end in a MICROSERVICE namespace is pending until a container
// with that label starts; the container engine's start event (services/wait.ts, shared with `apply --wait`) wakes
// the agent — nothing in the playground's own namespaces changes then, so no `ip monitor` sees it. A real etcd and a
// real engine (podman's Docker-compatible API, test/helpers/engine.ts; containers with --network none).
import {after, before, test} from 'node:test'
import assert from 'node:assert/strict'
import {exec, withPlayground} from '../helpers/playground.ts'
import {Engine} from '../helpers/engine.ts'
import {etcdctl, get, startAgent, startEtcd, stop, until} from './agent-helpers.ts'

let engine: Engine
before(async () => {
  engine = await Engine.start()
})
after(async () => {
  await engine?.stop()
})

const P = '/vnf-agent/vpp1/config/linux'

test('agent: a key for a container\'s namespace is pending until the container starts; its start event applies it', async () => {
  await withPlayground(async (pg) => {
    const etcd = await startEtcd(pg)
    const agent = await startAgent(pg, {etcd: etcd.endpoint, env: {DOCKER_HOST: engine.dockerHost}})
    try {
      const web = {name: 'web-eth', type: 'VETH', enabled: true, namespace: {type: 'MICROSERVICE', reference: 'agentweb'}, host_if_name: 'eth0', ip_addresses: ['10.8.0.2/24'], veth: {peer_if_name: 'host-eth'}}
      const host = {name: 'host-eth', type: 'VETH', enabled: true, ip_addresses: ['10.8.0.1/24'], veth: {peer_if_name: 'web-eth'}}
      const txn = ['', `put ${P}/interfaces/v2/interface/web-eth ${JSON.stringify(web)}`, `put ${P}/interfaces/v2/interface/host-eth ${JSON.stringify(host)}`, '', '', ''].join('\n')
      assert.equal((await etcdctl(pg, etcd.endpoint, ['txn'], txn)).code, 0)
      assert.ok(await until(async () => JSON.parse((await get(pg, `${agent.url}/status`)).body).pending.some((p: any) => p.key.endsWith('/web-eth') && /agentweb/.test(p.reason)), 10000), agent.err())
      await new Promise((r) => setTimeout(r, 300))
      const {pid} = await engine.run('ms-agent', 'agentweb')
      const inside = async () => {
        const r = await exec('nsenter', [`--net=/proc/${pid}/ns/net`, 'ip', '-json', 'addr', 'show'])
        return r.code === 0 ? JSON.parse(r.stdout) : []
      }
      assert.ok(await until(async () => (await inside()).some((l: any) => l.ifname === 'eth0' && (l.addr_info ?? []).some((a: any) => a.local === '10.8.0.2')), 10000), `applied when the container started\n${agent.err()}`)
      assert.equal((await exec('nsenter', [`--net=/proc/${pid}/ns/net`, 'ping', '-c', '1', '-W', '2', '10.8.0.1'])).code, 0)
      assert.ok(await until(async () => JSON.parse((await get(pg, `${agent.url}/status`)).body).pending.length === 0, 5000))
      const applied = agent.txns().find((t) => t.source === 'pending' && t.create > 0)
      assert.ok(applied, `a pending round created the items: ${JSON.stringify(agent.txns())}`)
      await engine.podman('rm', '-f', '-t', '0', 'ms-agent')
    } finally {
      await stop(agent)
      await stop(etcd)
    }
  })
})
