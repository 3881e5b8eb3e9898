// lnx agent beside `apply --try`: a try on the agent's own label is refused up front (the agent would reconcile the
// label back to the store, undoing the try); a try on another label holds the agent's transactions back until it is
// decided — confirm or rollback wakes the agent, which then applies what the store wants. Real etcd, real kernel.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {withPlayground} from '../helpers/playground.ts'
import {LNX, link as rawLink, tmpFile} from './engine-helpers.ts'
import {bg, etcdctl, startAgent, startEtcd, stop, until} from './agent-helpers.ts'

const P = '/vnf-agent/vpp1/config/linux/interfaces/v2/interface'
const link = (pg: Parameters<typeof rawLink>[0], ns: string, name: string) => rawLink(pg, ns, name).catch(() => undefined)
const veth = (n: string, peer: string, ns: string, ip: string) => ({name: n, type: 'VETH', namespace: {type: 'NSID', reference: ns}, enabled: true, ip_addresses: [ip], veth: {peer_if_name: peer}})
const put = (o: ReturnType<typeof veth>) => ['put', `${P}/${o.name}`, JSON.stringify(o)]

test('agent + apply --try: a try on the agent\'s label is refused; a try on another label holds the agent back until confirmed', async () => {
  await withPlayground(async (pg) => {
    const etcd = await startEtcd(pg)
    const agent = await startAgent(pg, {etcd: etcd.endpoint})
    let trial: ReturnType<typeof bg> | undefined
    try {
      assert.ok(await until(async () => agent.txns().length >= 1, 10000), agent.err())
      const cfg = tmpFile('try-other.json', JSON.stringify({interfaces: [veth('t1', 't2', 'nst', '10.7.0.1/24'), veth('t2', 't1', 'nst', '10.7.0.2/24')]}))

      // On the agent's label: refused before anything changes.
      const mine = await pg.lnxJson(['apply', '-f', cfg, '--try', '30', '--label', 'vpp1'])
      assert.equal(mine.code, 4, mine.stdout + mine.stderr)
      assert.equal(mine.json.error.code, 'LOCKED')
      assert.match(mine.json.error.message, /apply --try refused: lnx agent/)
      assert.equal(await link(pg, 'nst', 't1'), undefined, 'the refused try changed nothing')

      // On another label: applied, waiting for its decision (no terminal: only lnx confirm / rollback decide).
      trial = bg(pg, process.execPath, [LNX, 'apply', '-f', cfg, '--try', '120', '--label', 'cli1', '--json'])
      assert.ok(await until(async () => (await pg.run('sh', ['-c', 'cat /run/lnx/*.try.json 2>/dev/null || true'])).stdout.includes('"timer"'), 15000), trial.err())
      assert.ok(await link(pg, 'nst', 't1'), 'the try applied its change')

      // The store asks for a pair meanwhile: the agent records one held-back transaction and changes nothing.
      assert.equal((await etcdctl(pg, etcd.endpoint, put(veth('a1', 'a2', 'nsa', '10.8.0.1/24')))).code, 0)
      assert.equal((await etcdctl(pg, etcd.endpoint, put(veth('a2', 'a1', 'nsa', '10.8.0.2/24')))).code, 0)
      assert.ok(await until(async () => agent.txns().some((t) => t.result === 'refused' && /held back: an apply --try/.test(t.error ?? '')), 10000), agent.err())
      await new Promise((r) => setTimeout(r, 1500))
      assert.equal(await link(pg, 'nsa', 'a1'), undefined, 'nothing applied while the try waits')

      // Confirmed: the agent wakes (a watch on the journal) and applies the store.
      const conf = await pg.lnx(['confirm'])
      assert.equal(conf.code, 0, conf.stdout + conf.stderr)
      assert.ok(await until(async () => !!(await link(pg, 'nsa', 'a1')) && agent.txns().at(-1)?.result === 'done', 15000), agent.err())
      assert.ok(agent.txns().at(-1).source.includes('try'), JSON.stringify(agent.txns().at(-1)))
      assert.ok(await link(pg, 'nst', 't1'), 'the confirmed try stays (another label: not the agent\'s to prune)')
      assert.equal(await trial.exited, 0, trial.err())
    } finally {
      if (trial) trial.child.kill('SIGKILL')
      await stop(agent)
      await stop(etcd)
    }
  })
})
