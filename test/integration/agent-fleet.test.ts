// A small fleet on one machine: a 3-member etcd cluster on one playground's loopback, and three agents, each in its
// own playground (a private network namespace standing for a host) with its own label. Each host reaches the
// cluster on its own 127.0.0.1 through unix sockets on the shared filesystem (test/helpers/forward.mjs): no address
// but loopback, nothing leaves the machine. One member is killed while the keys of all three hosts are written.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {join} from 'node:path'
import {Playground, ROOT} from '../helpers/playground.ts'
import {addrs} from './engine-helpers.ts'
import {bg, etcdctl, get, startAgent, stop, tmp, until, waitHttp, type Bg} from './agent-helpers.ts'

const FORWARD = join(ROOT, 'test', 'helpers', 'forward.mjs')
const CLIENT = [23790, 23791, 23792]
const PEER = [23800, 23801, 23802]

async function forwarder(pg: Playground, pairs: string[]): Promise<Bg> {
  const p = bg(pg, process.execPath, [FORWARD, ...pairs])
  assert.ok(await until(async () => p.out().includes('ready'), 10000), p.err())
  return p
}

const keysOf = (label: string, n: number) => {
  const P = `/vnf-agent/${label}/config/linux`
  const v = (name: string, peer: string, ip: string) => JSON.stringify({name, type: 'VETH', namespace: {type: 'NSID', reference: 'site'}, enabled: true, ip_addresses: [ip], veth: {peer_if_name: peer}})
  return [
    `put ${P}/interfaces/v2/interface/h${n}a ${v(`h${n}a`, `h${n}b`, `10.7.${n}.1/24`)}`,
    `put ${P}/interfaces/v2/interface/h${n}b ${v(`h${n}b`, `h${n}a`, `10.7.${n}.2/24`)}`,
    `put ${P}/l3/v2/route/10.70.${n}.0/24/h${n}a {"outgoing_interface":"h${n}a","dst_network":"10.70.${n}.0/24","gw_addr":"10.7.${n}.2","metric":5}`,
  ]
}

test('fleet: 3-member etcd, three agents with their own labels; a member killed while keys are written → every host converges to its own keys', async () => {
  const dir = tmp('fleet')
  const sock = (i: number) => join(dir, `m${i}.sock`)
  const procs: Bg[] = []
  const pgs: Playground[] = []
  try {
    const cluster = await Playground.create()
    pgs.push(cluster)
    await cluster.sh('ip link set dev lo up')
    const initial = PEER.map((p, i) => `m${i}=http://127.0.0.1:${p}`).join(',')
    const members = CLIENT.map((c, i) => bg(cluster, 'etcd', ['--name', `m${i}`, '--data-dir', join(dir, `m${i}`), '--listen-client-urls', `http://127.0.0.1:${c}`,
      '--advertise-client-urls', `http://127.0.0.1:${c}`, '--listen-peer-urls', `http://127.0.0.1:${PEER[i]}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${PEER[i]}`,
      '--initial-cluster', initial, '--initial-cluster-state', 'new', '--initial-cluster-token', 'lnx-fleet', '--log-level', 'error']))
    procs.push(...members)
    for (const [i, c] of CLIENT.entries()) await waitHttp(cluster, `http://127.0.0.1:${c}/health`, members[i])
    procs.push(await forwarder(cluster, CLIENT.map((c, i) => `unix:${sock(i)}=tcp:${c}`)))
    const endpoints = CLIENT.map((c) => `http://127.0.0.1:${c}`).join(',')

    const hosts: {pg: Playground; label: string; n: number; agent: Awaited<ReturnType<typeof startAgent>>}[] = []
    for (const n of [1, 2, 3]) {
      const pg = await Playground.create()
      pgs.push(pg)
      await pg.sh('ip link set dev lo up')
      procs.push(await forwarder(pg, CLIENT.map((c, i) => `tcp:${c}=unix:${sock(i)}`)))
      const agent = await startAgent(pg, {etcd: endpoints, label: `host${n}`})
      procs.push(agent)
      hosts.push({pg, label: `host${n}`, n, agent})
    }

    // host1's keys, then member m0 dies while host2's and host3's are written (through the members left).
    assert.equal((await etcdctl(cluster, endpoints, ['txn'], ['', ...keysOf('host1', 1), '', '', ''].join('\n'))).code, 0)
    const writes = (async () => {
      for (const n of [2, 3]) {
        for (const op of keysOf(`host${n}`, n)) {
          const [, key, value] = op.match(/^put (\S+) (.*)$/)!
          // A put in flight to the member that dies times out (its outcome unknown to the client): a writer retries.
          let r = await etcdctl(cluster, endpoints, ['put', key, value])
          for (let i = 0; r.code !== 0 && i < 5; i++) r = await etcdctl(cluster, endpoints, ['put', key, value])
          assert.equal(r.code, 0, r.stderr)
        }
      }
    })()
    await stop(members[0], 'SIGKILL')
    await writes

    for (const h of hosts) {
      const ok = await until(async () => {
        const a = await addrs(h.pg, 'site', `h${h.n}a`).catch(() => [])
        const b = await addrs(h.pg, 'site', `h${h.n}b`).catch(() => [])
        const rt = await h.pg.ipJson('site', 'route', 'show', 'proto', '76').catch(() => [])
        return a.includes(`10.7.${h.n}.1/24`) && b.includes(`10.7.${h.n}.2/24`) && rt.some((r: any) => r.dst === `10.70.${h.n}.0/24`)
      }, 30000)
      assert.ok(ok, `${h.label} converged\n${h.agent.err()}`)
    }
    for (const h of hosts) {
      // Only its own keys: no link, route or alias of another label on this host.
      const names = (await h.pg.ipJson('site', '-d', 'link', 'show')).filter((l: any) => l.ifname !== 'lo')
      assert.deepEqual(names.map((l: any) => l.ifname).sort(), [`h${h.n}a`, `h${h.n}b`])
      assert.ok(names.every((l: any) => l.ifalias.startsWith(`/vnf-agent/${h.label}/`)))
      assert.deepEqual((await h.pg.ipJson('', 'netns', 'list')).map((x: any) => x.name), ['site'])
      const st = JSON.parse((await get(h.pg, `${h.agent.url}/status`)).body)
      assert.equal(st.sources.etcd.keys, 3, `${h.label} sees its 3 keys only`)
      assert.ok(h.agent.txns().every((t) => t.result === 'done' || t.result === 'pending'), JSON.stringify(h.agent.txns()))
    }
  } finally {
    for (const p of procs.reverse()) {
      p.child.kill('SIGTERM')
      await Promise.race([p.exited, new Promise((r) => setTimeout(r, 3000))])
    }
    for (const pg of pgs) await pg.destroy()
  }
})
