// MICROSERVICE namespaces against a real engine (podman's Docker-compatible API, test/helpers/engine.ts): a veth into
// a container found by its MICROSERVICE_LABEL, `--wait` woken by the container's start, restarts, an engine that is
// down, duplicate labels, lnx outside the host PID namespace, dump and graph. Containers run with --network none.
import {after, before, test} from 'node:test'
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {exec, LNX, ROOT, withPlayground, type Playground} from '../helpers/playground.ts'
import {Engine} from '../helpers/engine.ts'

let engine: Engine
before(async () => {
  engine = await Engine.start()
})
after(async () => {
  await engine?.stop()
})

const env = () => ({DOCKER_HOST: engine.dockerHost})
const lnx = (pg: Playground, args: string[], input?: string, extraEnv: Record<string, string> = {}) => pg.lnxJson(args, {input, env: {...env(), ...extraEnv}})

/** A veth from the playground's own namespace (host-eth, 10.7.0.1) into the container (eth0, 10.7.0.2). */
const vethInto = (label: string) => JSON.stringify({
  interfaces: [
    {name: 'web-eth', type: 'VETH', enabled: true, namespace: {type: 'MICROSERVICE', reference: label}, host_if_name: 'eth0', ip_addresses: ['10.7.0.2/24'], veth: {peer_if_name: 'host-eth'}},
    {name: 'host-eth', type: 'VETH', enabled: true, ip_addresses: ['10.7.0.1/24'], veth: {peer_if_name: 'web-eth'}},
  ],
})

/** `ip -json` inside a container's namespace, read without lnx. */
async function inContainer(pid: number, ...args: string[]): Promise<any[]> {
  const r = await exec('nsenter', [`--net=/proc/${pid}/ns/net`, 'ip', '-json', ...args])
  if (r.code !== 0) throw new Error(`ip ${args.join(' ')} in container: ${r.stderr}`)
  return JSON.parse(r.stdout || '[]')
}

const names = async (pid: number) => (await inContainer(pid, 'link', 'show')).map((l: any) => l.ifname).sort()

/** Ping from inside the container (its namespace, entered with nsenter) to the playground's end. */
const pingFromContainer = (pid: number, ip = '10.7.0.1') => exec('nsenter', [`--net=/proc/${pid}/ns/net`, 'ping', '-c', '1', '-W', '2', ip])

async function until(fn: () => Promise<boolean>, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms
  for (;;) {
    if (await fn()) return true
    if (Date.now() > end) return false
    await new Promise((r) => setTimeout(r, 50))
  }
}

const hostLinks = async (pg: Playground) => (await pg.ipJson('', 'link', 'show')).map((l: any) => l.ifname)

test('the README\'s example: a veth into a container by its label, addressed, pingable from inside, idempotent; dump and graph name it by label', async () => {
  await withPlayground(async (pg) => {
    const example = readFileSync(join(ROOT, 'examples', 'microservice.yaml'), 'utf8')
    const {pid} = await engine.run('ms-one', 'web')
    const r = await lnx(pg, ['apply', '-f', '-'], example)
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.equal(r.json.result, 'applied')
    assert.ok(r.json.changes.some((c: any) => c.namespace === 'microservice:web' && c.commands.some((x: string) => x.includes(`--net=/proc/${pid}/ns/net`) || x.includes(`netns /proc/${pid}/ns/net`))), JSON.stringify(r.json.changes))

    const eth0 = (await inContainer(pid, '-d', 'addr', 'show', 'dev', 'eth0'))[0]
    assert.equal(eth0.ifalias, '/vnf-agent/vpp1/web-eth/host-eth')
    assert.ok(eth0.addr_info.some((a: any) => a.local === '10.7.0.2' && a.prefixlen === 24))
    const ping = await pingFromContainer(pid)
    assert.equal(ping.code, 0, ping.stdout + ping.stderr)

    const again = await lnx(pg, ['plan', '-f', '-', '--exit-code'], example)
    assert.equal(again.code, 0, JSON.stringify(again.json.changes))

    const ns = await lnx(pg, ['dump', 'namespaces'])
    assert.ok(ns.json.namespaces.some((n: any) => n.name === 'microservice:web' && n.owned === 1), JSON.stringify(ns.json))
    const d = await pg.lnx(['dump', 'interfaces', '-n', 'microservice:web', '-o', 'json'], {env: env()})
    assert.equal(d.code, 0, d.stderr)
    const doc = JSON.parse(d.stdout)
    assert.deepEqual(doc.interfaces.map((i: any) => [i.name, i.namespace, i.host_if_name]), [['web-eth', {type: 'MICROSERVICE', reference: 'web'}, 'eth0']])
    // The dump is a config again: the container's items by label, planned without a change.
    const all = await pg.lnx(['dump', 'all', '--managed', '-o', 'yaml'], {env: env()})
    const round = await lnx(pg, ['plan', '-f', '-', '--exit-code'], all.stdout)
    assert.equal(round.code, 0, all.stdout + JSON.stringify(round.json.changes))
    const table = await pg.lnx(['dump', 'interfaces', '-n', 'microservice:web'], {env: env()})
    assert.match(table.stdout, /microservice:web/)
    assert.match(table.stdout, /eth0/)

    const list = await lnx(pg, ['namespace', 'list'])
    assert.ok(list.json.namespaces.some((n: any) => n.name === 'microservice:web' && n.managed === 1), JSON.stringify(list.json))
    // doctor asks the same engine through the same client.
    const doc2 = await lnx(pg, ['doctor'])
    const docker = doc2.json.checks.find((c: any) => c.name === 'docker')
    assert.equal(docker.ok, true, JSON.stringify(docker))
    assert.match(docker.found, /podman\.sock: reachable/)

    const g = await lnx(pg, ['graph'])
    const cluster = g.json.model.clusters.find((c: any) => c.namespace === 'microservice:web')
    assert.ok(cluster, JSON.stringify(g.json.model.clusters.map((c: any) => c.namespace)))
    assert.ok(cluster.nodes.some((n: any) => n.name === 'eth0'))

    const del = await lnx(pg, ['delete', '-f', '-'], example)
    assert.equal(del.code, 0, del.stdout)
    assert.deepEqual(await names(pid), ['lo'])
    await engine.podman('rm', '-f', '-t', '0', 'ms-one')
  })
})

test('--wait: the container starts 2 s later; the items apply as it starts (events, not a poll)', async (t) => {
  await withPlayground(async (pg) => {
    const waiting = lnx(pg, ['apply', '-f', '-', '--wait', '30'], vethInto('web2'))
    await new Promise((r) => setTimeout(r, 2000))
    assert.deepEqual(await hostLinks(pg), ['lo'], 'nothing applied before the container exists')
    const {pid} = await engine.run('ms-two', 'web2')
    const started = Date.now()
    const r = await waiting
    const took = Date.now() - started
    t.diagnostic(`applied ${took} ms after podman run returned`)
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.equal(r.json.result, 'applied')
    assert.deepEqual(r.json.pending, [])
    // Within 1 s of the start (podman run returns once the container runs); a poll every second or more would not.
    assert.ok(took < 1000, `applied ${took} ms after the container started`)
    // No terminal: no progress lines; stdout held the JSON alone.
    assert.doesNotMatch(r.stderr, /waiting for/)
    assert.ok((await inContainer(pid, 'addr', 'show', 'dev', 'eth0'))[0].addr_info.some((a: any) => a.local === '10.7.0.2'))
    assert.equal((await pingFromContainer(pid)).code, 0)
    await engine.podman('rm', '-f', '-t', '0', 'ms-two')
  })
})

test('a restarted container: its items vanish with the old namespace; the next apply re-creates the pair, a running --wait too, and re-adopts the tap once VPP makes it anew', async (t) => {
  await withPlayground(async (pg) => {
    const cfg = JSON.stringify({
      interfaces: [
        ...JSON.parse(vethInto('web3')).interfaces,
        {name: 'tap1', type: 'TAP_TO_VPP', enabled: true, namespace: {type: 'MICROSERVICE', reference: 'web3'}, host_if_name: 'vpp1', ip_addresses: ['10.8.0.2/24'], tap: {vpp_tap_if_name: 'tap-vpp'}},
      ],
    })
    const {pid} = await engine.run('ms-three', 'web3')
    await pg.sh('ip tuntap add dev tap-vpp mode tap')
    const r = await lnx(pg, ['apply', '-f', '-'], cfg)
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.deepEqual(await names(pid), ['eth0', 'lo', 'vpp1'])

    await engine.podman('restart', '-t', '0', 'ms-three')
    const restarted = Date.now()
    const leftAtRestart = await hostLinks(pg)
    const pid2 = await engine.pid('ms-three')
    assert.notEqual(pid2, pid)
    assert.deepEqual(await names(pid2), ['lo'], 'a new namespace')
    // The old namespace goes asynchronously, and with it the veth's other end and the tap.
    assert.ok(await until(async () => (await hostLinks(pg)).join() === 'lo'), `left: ${await hostLinks(pg)}`)
    t.diagnostic(`host links when podman restart returned: ${leftAtRestart}; gone ${Date.now() - restarted} ms later`)

    // The next apply: the pair again, in the new namespace; the tap waits for VPP.
    const next = await lnx(pg, ['apply', '-f', '-'], cfg)
    assert.equal(next.code, 3, next.stdout + next.stderr)
    assert.deepEqual(next.json.pending.map((p: any) => p.key), ['config/linux/interfaces/v2/interface/tap1'])
    assert.match(next.json.pending[0].reason, /default namespace.*tap-vpp|tap-vpp.*default namespace/)
    assert.deepEqual(await names(pid2), ['eth0', 'lo'])
    assert.equal((await pingFromContainer(pid2)).code, 0)

    // A running --wait: the container restarts under it; the pair follows into the newest namespace, the tap is
    // adopted as soon as VPP makes it (a link appearing: ip monitor).
    const waiting = lnx(pg, ['apply', '-f', '-', '--wait', '30'], cfg)
    await new Promise((res) => setTimeout(res, 500))
    await engine.podman('restart', '-t', '0', 'ms-three')
    const pid3 = await engine.pid('ms-three')
    assert.ok(await until(async () => (await names(pid3)).includes('eth0')), 'the running --wait re-creates the pair in the new namespace')
    await pg.sh('ip tuntap add dev tap-vpp mode tap')
    const w = await waiting
    assert.equal(w.code, 0, w.stdout + w.stderr)
    assert.deepEqual(w.json.pending, [])
    assert.deepEqual(await names(pid3), ['eth0', 'lo', 'vpp1'])
    assert.ok((await inContainer(pid3, 'addr', 'show', 'dev', 'vpp1'))[0].addr_info.some((a: any) => a.local === '10.8.0.2'))
    assert.equal((await pingFromContainer(pid3)).code, 0)
    await engine.podman('rm', '-f', '-t', '0', 'ms-three')
  })
})

test('--wait: a veth end that vanishes mid-pass (its old namespace torn down late) is tried again, not a failure', async () => {
  await withPlayground(async (pg) => {
    // The route's old metric goes in the teardown phase, where the pass pauses (LNX_TEST_PAUSE_AFTER): host-eth vanishes
    // right then, as when the kernel tears down the old namespace a moment late, so the pass's delete finds nothing.
    const withP = (metric: number) => JSON.stringify({
      interfaces: [...JSON.parse(vethInto('web7')).interfaces,
        {name: 'p1', type: 'VETH', enabled: true, ip_addresses: ['10.9.0.1/24'], veth: {peer_if_name: 'p2'}}, {name: 'p2', type: 'VETH', enabled: true, veth: {peer_if_name: 'p1'}}],
      routes: [{outgoing_interface: 'p1', dst_network: '10.99.0.0/24', metric, scope: 'LINK'}],
    })
    const {pid} = await engine.run('ms-seven', 'web7')
    const first = await lnx(pg, ['apply', '-f', '-'], withP(10))
    assert.equal(first.code, 0, first.stdout + first.stderr)
    // Something else holds the container's namespace past its restart: host-eth stays, its peer in that namespace.
    const holder = spawn('nsenter', [`--net=/proc/${pid}/ns/net`, 'sleep', '1000'], {stdio: 'ignore'})
    try {
      await new Promise((res) => setTimeout(res, 100))
      await engine.podman('restart', '-t', '0', 'ms-seven')
      const pid2 = await engine.pid('ms-seven')
      assert.ok((await hostLinks(pg)).includes('host-eth'))
      const waiting = lnx(pg, ['apply', '-f', '-', '--wait', '30'], withP(20), {LNX_TEST_PAUSE_AFTER: 'teardown', LNX_TEST_PAUSE_MS: '1500'})
      assert.ok(await until(async () => !(await pg.ipJson('', 'route', 'show', 'dev', 'p1')).some((x: any) => x.metric === 10), 10_000), 'the pass paused after its teardown')
      // What the kernel does when the old namespace finally goes: the veth end goes with it.
      await pg.sh('ip link del dev host-eth')
      const r = await waiting
      assert.equal(r.code, 0, r.stdout + r.stderr)
      assert.deepEqual(r.json.pending, [])
      assert.deepEqual(await names(pid2), ['eth0', 'lo'])
      assert.equal((await pingFromContainer(pid2)).code, 0)
      assert.deepEqual((await pg.ipJson('', 'route', 'show', 'dev', 'p1')).filter((x: any) => x.dst === '10.99.0.0/24').map((x: any) => x.metric), [20])
    } finally {
      holder.kill('SIGKILL')
      await engine.podman('rm', '-f', '-t', '0', 'ms-seven')
    }
  })
})

test('engine down: the items are pending with the reason and a warning, exit 3 (also at the end of a --wait), nothing touched; an engine back during a --wait is followed', async () => {
  await withPlayground(async (pg) => {
    await engine.stopService()
    try {
      const r = await lnx(pg, ['apply', '-f', '-'], vethInto('web4'))
      assert.equal(r.code, 3, r.stdout + r.stderr)
      assert.equal(r.json.result, 'pending')
      const reasons = Object.fromEntries(r.json.pending.map((p: any) => [p.key, p.reason]))
      assert.match(reasons['config/linux/interfaces/v2/interface/web-eth'], /namespace microservice:web4: container engine not reachable at \S+podman\.sock/)
      assert.match(reasons['config/linux/interfaces/v2/interface/host-eth'], /peer web-eth is pending/)
      assert.ok(r.json.warnings.some((w: string) => /container engine not reachable/.test(w)), JSON.stringify(r.json.warnings))
      const w = await lnx(pg, ['apply', '-f', '-', '--wait', '1'], vethInto('web4'))
      assert.equal(w.code, 3, w.stdout + w.stderr)
      assert.match(JSON.stringify(w.json.pending), /container engine not reachable/)
      assert.deepEqual(await hostLinks(pg), ['lo'])
      const text = await pg.lnx(['apply', '-f', '-'], {input: vethInto('web4'), env: env()})
      assert.equal(text.code, 3)
      assert.match(text.stdout, /warning: container engine not reachable/)
      const doctor = await lnx(pg, ['doctor'])
      assert.match(doctor.json.checks.find((c: any) => c.name === 'docker').found, /podman\.sock: no socket/)

      // The engine comes back during a --wait: lnx reconnects to its events and applies as the container starts.
      const waiting = lnx(pg, ['apply', '-f', '-', '--wait', '30'], vethInto('web4'))
      await new Promise((res) => setTimeout(res, 1000))
      await engine.startService()
      const {pid} = await engine.run('ms-four', 'web4')
      const back = await waiting
      assert.equal(back.code, 0, back.stdout + back.stderr)
      assert.deepEqual(await names(pid), ['eth0', 'lo'])
      await engine.podman('rm', '-f', '-t', '0', 'ms-four')
    } finally {
      if (!(await engine.running())) await engine.startService()
    }
  })
})

test('two running containers with one label: a warning naming both; the newest gets the items', async () => {
  await withPlayground(async (pg) => {
    const a = await engine.run('ms-old', 'web5')
    const b = await engine.run('ms-new', 'web5')
    const r = await lnx(pg, ['apply', '-f', '-'], vethInto('web5'))
    assert.equal(r.code, 0, r.stdout + r.stderr)
    const w = (r.json.warnings ?? []).join('\n')
    assert.match(w, /2 running containers have MICROSERVICE_LABEL=web5/)
    assert.match(w, /ms-new/)
    assert.match(w, /ms-old/)
    assert.match(w, /using ms-new/)
    assert.deepEqual(await names(b.pid), ['eth0', 'lo'])
    assert.deepEqual(await names(a.pid), ['lo'])
    await engine.podman('rm', '-f', '-t', '0', 'ms-old', 'ms-new')
  })
})

test('lnx outside the host PID namespace: the container PID means nothing there, exit 4 saying so', async () => {
  await withPlayground(async (pg) => {
    await engine.run('ms-pid', 'web6')
    const r = await pg.run('unshare', ['--pid', '--fork', '--mount-proc', process.execPath, LNX, 'apply', '-f', '-'], {input: vethInto('web6'), env: env()})
    assert.equal(r.code, 4, r.stdout + r.stderr)
    assert.match(r.stderr, /not running in the host PID namespace/)
    assert.deepEqual(await hostLinks(pg), ['lo'])
    await engine.podman('rm', '-f', '-t', '0', 'ms-pid')
  })
})
