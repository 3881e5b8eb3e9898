// lnx agent when things go wrong, against a real etcd in a test playground: etcd stopped and restarted, the agent
// killed with SIGKILL in the middle of a transaction, an empty store at start-up, and 1000 keys in one etcd
// transaction (one lnx transaction; its time against `lnx apply` of the same config is printed as a diagnostic).
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {withPlayground} from '../helpers/playground.ts'
import {addrs, link as rawLink, links} from './engine-helpers.ts'
import {etcdctl, get, startAgent, startEtcd, stop, until} from './agent-helpers.ts'

const P = '/vnf-agent/vpp1/config/linux'
/** The link, or undefined (also when its namespace does not exist yet). */
const link = (pg: Parameters<typeof rawLink>[0], ns: string, name: string) => rawLink(pg, ns, name).catch(() => undefined)
const veth = (n: string, peer: string, ns: string, ip: string) => ({name: n, type: 'VETH', namespace: {type: 'NSID', reference: ns}, enabled: true, ip_addresses: [ip], veth: {peer_if_name: peer}})
const putIface = (o: ReturnType<typeof veth>) => `put ${P}/interfaces/v2/interface/${o.name} ${JSON.stringify(o)}`
const txn = (ops: string[]) => ['', ...ops, '', '', ''].join('\n')

test('agent: etcd stopped and restarted → reconnects and catches up; SIGTERM mid-transaction reverts it (CLI locked out meanwhile); SIGKILL mid-transaction → a restart converges', async () => {
  await withPlayground(async (pg) => {
    let etcd = await startEtcd(pg)
    let agent = await startAgent(pg, {etcd: etcd.endpoint})
    try {
      assert.equal((await etcdctl(pg, etcd.endpoint, ['txn'], txn([putIface(veth('x1', 'x2', 'nsx', '10.3.0.1/24')), putIface(veth('x2', 'x1', 'nsx', '10.3.0.2/24'))]))).code, 0)
      assert.ok(await until(async () => !!(await link(pg, 'nsx', 'x1')), 10000), agent.err())

      // etcd goes away: the host stays as it is, /status says so.
      await stop(etcd)
      assert.ok(await until(async () => JSON.parse((await get(pg, `${agent.url}/status`)).body).sources.etcd.connected === false, 15000), agent.err())
      assert.ok(await link(pg, 'nsx', 'x1'), 'nothing removed while etcd is down')
      // Back with its data: changes made right away (before the agent's watch is back) are caught up.
      etcd = await startEtcd(pg, {dir: etcd.dir})
      assert.equal((await etcdctl(pg, etcd.endpoint, ['txn'], txn([putIface(veth('x3', 'x4', 'nsx', '10.3.1.1/24')), putIface(veth('x4', 'x3', 'nsx', '10.3.1.2/24')), `del ${P}/interfaces/v2/interface/x2`, `del ${P}/interfaces/v2/interface/x1`]))).code, 0)
      assert.ok(await until(async () => (await addrs(pg, 'nsx', 'x3').catch(() => [])).includes('10.3.1.1/24') && !(await link(pg, 'nsx', 'x1')) && agent.txns().at(-1)?.result === 'done', 20000), `caught up after the restart\n${agent.err()}`)
      assert.ok(agent.logs().some((l) => l.msg === 'etcd disconnected, reconnecting'), agent.err())

      // SIGTERM while a transaction is paused after its links phase (test-only fault point): the agent reverts it
      // and exits 0; meanwhile the CLI cannot get in (one engine lock for both).
      await stop(agent)
      agent = await startAgent(pg, {etcd: etcd.endpoint, env: {LNX_TEST_PAUSE_AFTER: 'namespaces', LNX_TEST_PAUSE_MS: '4000'}})
      assert.ok(await until(async () => agent.txns().length >= 1, 10000), agent.err())
      assert.equal((await etcdctl(pg, etcd.endpoint, ['txn'], txn([putIface(veth('k1', 'k2', 'nsk', '10.4.0.1/24')), putIface(veth('k2', 'k1', 'nsk', '10.4.0.2/24'))]))).code, 0)
      assert.ok(await until(async () => !!(await link(pg, 'nsk', 'k1')), 10000), agent.err())
      const cli = await pg.lnxJson(['apply', '-f', '-', '--lock-timeout', '0'], {input: JSON.stringify({interfaces: [veth('c1', 'c2', 'nsc', '10.6.0.1/24'), veth('c2', 'c1', 'nsc', '10.6.0.2/24')]})})
      assert.equal(cli.code, 4, cli.stderr)
      assert.equal(cli.json.error.code, 'LOCKED')
      assert.equal(await stop(agent), 0, agent.err())
      const last = agent.txns().at(-1)
      assert.equal(last.result, 'failed-reverted', JSON.stringify(last))
      assert.match(last.error, /interrupted/)
      assert.ok(await until(async () => !(await link(pg, 'nsk', 'k1')), 5000), 'the transaction in flight was reverted')

      // SIGKILL while the start-up resync (which now has k1/k2 to create) is paused after its links phase: the new
      // links exist, their addresses do not.
      agent = await startAgent(pg, {etcd: etcd.endpoint, env: {LNX_TEST_PAUSE_AFTER: 'namespaces', LNX_TEST_PAUSE_MS: '20000'}})
      assert.ok(await until(async () => !!(await link(pg, 'nsk', 'k1')), 10000), agent.err())
      assert.deepEqual(await addrs(pg, 'nsk', 'k1'), [], 'killed mid-transaction: addresses not there yet')
      await stop(agent, 'SIGKILL')
      // The claim on the label died with it (the kernel dropped the flock): a new agent starts and converges.
      agent = await startAgent(pg, {etcd: etcd.endpoint})
      assert.ok(await until(async () => (await addrs(pg, 'nsk', 'k1').catch(() => [])).includes('10.4.0.1/24') && (await addrs(pg, 'nsk', 'k2').catch(() => [])).includes('10.4.0.2/24'), 10000), agent.err())
      for (const n of ['k1', 'k2', 'x3', 'x4']) {
        const l = await link(pg, 'nsk', n) ?? await link(pg, 'nsx', n)
        assert.ok(l.flags.includes('UP'), `${n} up`)
        assert.match(l.ifalias, new RegExp(`^/vnf-agent/vpp1/${n}/`))
      }
      assert.equal((await links(pg, 'nsk')).filter((l: any) => l.ifname !== 'lo').length, 2, 'no leftover of the killed run')
    } finally {
      await stop(agent)
      await stop(etcd)
    }
  })
})

test('agent: an empty store at start-up prunes nothing unless --allow-empty; failures are retried with backoff', async () => {
  await withPlayground(async (pg) => {
    const etcd = await startEtcd(pg)
    let agent = await startAgent(pg, {etcd: etcd.endpoint})
    try {
      assert.equal((await etcdctl(pg, etcd.endpoint, ['txn'], txn([putIface(veth('e1', 'e2', 'nse', '10.5.0.1/24')), putIface(veth('e2', 'e1', 'nse', '10.5.0.2/24'))]))).code, 0)
      // Stopped only once its transaction is done (a stop in the middle would revert it).
      assert.ok(await until(async () => agent.txns().some((t) => t.create > 0 && t.result === 'done'), 10000), agent.err())
      await stop(agent)
      assert.equal((await etcdctl(pg, etcd.endpoint, ['del', '--prefix', P])).code, 0)
      agent = await startAgent(pg, {etcd: etcd.endpoint})
      assert.ok(await until(async () => agent.txns().length >= 1, 10000), agent.err())
      assert.equal(agent.txns()[0].result, 'refused-empty', agent.err())
      assert.match(agent.txns()[0].error, /--allow-empty/)
      assert.ok(await link(pg, 'nse', 'e1'), 'kept')
      await stop(agent)
      agent = await startAgent(pg, {etcd: etcd.endpoint, args: ['--allow-empty']})
      assert.ok(await until(async () => !(await link(pg, 'nse', 'e1')) && agent.txns().length >= 1, 10000), agent.err())
      assert.equal(agent.txns()[0].delete > 0, true, JSON.stringify(agent.txns()[0]))

      // A failing transaction (a foreign link holds the name) is retried after 1 s, 2 s, …; once the way is clear, it applies.
      await pg.sh('ip netns add nsc && ip -n nsc link add name c1 type veth peer name c9')
      assert.equal((await etcdctl(pg, etcd.endpoint, ['txn'], txn([putIface(veth('c1', 'c2', 'nsc', '10.6.0.1/24')), putIface(veth('c2', 'c1', 'nsc', '10.6.0.2/24'))]))).code, 0)
      assert.ok(await until(async () => agent.logs().filter((l) => l.msg === 'retrying').length >= 2, 10000), agent.err())
      assert.deepEqual(agent.logs().filter((l) => l.msg === 'retrying').slice(0, 2).map((l) => l.in_ms), [1000, 2000])
      assert.match(agent.txns().find((t) => t.result === 'invalid')?.error ?? '', /c1/)
      await pg.sh('ip -n nsc link del dev c1')
      assert.ok(await until(async () => (await addrs(pg, 'nsc', 'c1').catch(() => [])).includes('10.6.0.1/24'), 10000), agent.err())
    } finally {
      await stop(agent)
      await stop(etcd)
    }
  })
})

/** 100 veth pairs in 10 namespaces (200 keys) and 400 routes via the peers; the test adds 400 ARP entries. */
function thousand() {
  const interfaces = []
  const routes = []
  for (let i = 0; i < 100; i++) {
    const net = `10.${100 + Math.floor(i / 50)}.${(i % 50) * 4}`
    interfaces.push(veth(`b${i}a`, `b${i}b`, `nsb${i % 10}`, `${net}.1/30`), veth(`b${i}b`, `b${i}a`, `nsb${i % 10}`, `${net}.2/30`))
    for (let j = 0; j < 4; j++) routes.push({outgoing_interface: `b${i}a`, dst_network: `172.${16 + j}.${i}.0/24`, gw_addr: `${net}.2`, metric: 10})
  }
  return {interfaces, routes}
}

test('agent: 1000 keys put in one etcd transaction are applied as one lnx transaction', async (t) => {
  const {interfaces, routes} = thousand()
  // ARP entries: 4 per first end, on addresses of other subnets (unique per interface).
  const arps = interfaces.filter((_, i) => i % 2 === 0).flatMap((iface, i) => [0, 1, 2, 3].map((j) => ({interface: iface.name, ip_address: `192.0.${i}.${10 + j}`, hw_address: `02:00:00:00:${i.toString(16).padStart(2, '0')}:0${j}`})))
  const ops = [
    ...interfaces.map(putIface),
    ...routes.map((r) => `put ${P}/l3/v2/route/${r.dst_network}/${r.outgoing_interface} ${JSON.stringify(r)}`),
    ...arps.map((a) => `put ${P}/l3/v2/arp/${a.interface}/${a.ip_address} ${JSON.stringify(a)}`),
  ]
  assert.equal(ops.length, 1000)
  let agentMs = 0
  await withPlayground(async (pg) => {
    const etcd = await startEtcd(pg)
    const agent = await startAgent(pg, {etcd: etcd.endpoint})
    try {
      assert.ok(await until(async () => agent.txns().length >= 1, 10000))
      const before = agent.txns().length
      const r = await etcdctl(pg, etcd.endpoint, ['txn', '-w', 'json'], txn(ops))
      assert.equal(r.code, 0, r.stderr)
      const revision = Number(JSON.parse(r.stdout).header.revision)
      assert.ok(await until(async () => agent.txns().some((x) => x.revision === revision), 60000), agent.err())
      const mine = agent.txns().slice(before)
      assert.equal(mine.length, 1, `one transaction: ${JSON.stringify(mine)}`)
      assert.equal(mine[0].result, 'done', JSON.stringify(mine[0]))
      assert.equal(mine[0].pending, 0)
      agentMs = mine[0].duration_ms
      const ns3 = await pg.ipJson('nsb3', 'route', 'show', 'proto', '76')
      assert.equal(ns3.length, 40, 'routes of nsb3 (10 pairs × 4)')
    } finally {
      await stop(agent)
      await stop(etcd)
    }
  })
  // The same config through the CLI, in a fresh playground.
  await withPlayground(async (pg) => {
    const t0 = Date.now()
    const r = await pg.lnxJson(['apply', '-f', '-'], {input: JSON.stringify({interfaces, routes, arp_entries: arps})})
    const cliMs = Date.now() - t0
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.json.summary.create, r.json.changes.length)
    t.diagnostic(`1000 keys: agent transaction ${agentMs} ms (one etcd txn → one lnx transaction); lnx apply of the same config ${cliMs} ms (process start included)`)
  })
})
