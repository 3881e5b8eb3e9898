// The campaign of issue 10, kept in CI: a fault at every step of a multi-step plan, signals at several moments of a
// 300-pair apply (to lnx and to its process group), 8 parallel runs mixing apply, delete and imperative verbs. Every
// case compares raw `ip -json` dumps of every namespace (pg.snapshot()) with the state before; figures in README.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {addrs, apply, link, settle, settledSnapshot, tmpFile, until, veth, withPg} from './engine-helpers.ts'
import {bigConfig, changeBatch, lockFree, netnsFiles, readBatch, start, undoBatch, waitChild} from './reliability-helpers.ts'

test('campaign: a fault at every step k of an n-step plan → exit 1, "reverted", every namespace byte-equal to before', async () => {
  await withPg(async (pg) => {
    const base = {
      interfaces: [
        veth('veth1', 'veth2', 'ns1', {mtu: 1500, ip_addresses: ['10.0.0.1/24', '10.1.0.1/24']}),
        veth('veth2', 'veth1', 'ns2', {ip_addresses: ['10.0.0.2/24']}),
      ],
      routes: [
        {outgoing_interface: 'veth1', dst_network: '10.9.0.0/24', gw_addr: '10.0.0.2', metric: 100},
        {outgoing_interface: 'veth1', dst_network: '10.8.0.0/24', gw_addr: '10.0.0.2', metric: 100},
      ],
      arp_entries: [{interface: 'veth1', ip_address: '10.0.0.50', hw_address: '02:00:00:00:00:50'}],
    }
    const r0 = await apply(pg, base)
    assert.equal(r0.code, 0, r0.stdout + r0.stderr)
    // Foreign objects next to lnx's: they must come through every revert unchanged too.
    await pg.sh(`ip netns add other; ip -n other link add name f0 type veth peer name f1; ip -n other addr add 192.0.2.1/24 dev f0
      ip -n ns1 route add 203.0.113.0/24 dev lo proto static
      ip tuntap add dev tap-vpp mode tap; ip link set dev tap-vpp address 02:00:00:00:0b:01 mtu 1400`)
    await settle(pg)
    const before = await pg.snapshot()
    // Every phase: a new namespace and pair, a tap adopted into a namespace, a rename, MTU, IPv4 and IPv6 addresses
    // (sysctl), a route moved to another metric, a gateway changed, a new route and ARP entry, an ARP entry changed.
    const target = JSON.stringify({
      interfaces: [
        veth('veth1', 'veth2', 'ns1', {mtu: 9000, ip_addresses: ['10.0.0.1/24', '10.1.0.1/24', '10.2.0.1/24']}),
        veth('veth2', 'veth1', 'ns2', {host_if_name: 'veth2x', ip_addresses: ['10.0.0.2/24']}),
        veth('w1', 'w2', 'ns3', {ip_addresses: ['10.5.0.1/24']}),
        veth('w2', 'w1', 'ns1', {ip_addresses: ['10.5.0.2/24', 'fd00:5::2/64']}),
        {name: 'tap1', type: 'TAP_TO_VPP', namespace: {type: 'NSID', reference: 'ns2'}, host_if_name: 'tap1', enabled: true,
          ip_addresses: ['172.16.1.1/24'], mtu: 1500, tap: {vpp_tap_if_name: 'tap-vpp'}},
      ],
      routes: [
        {outgoing_interface: 'veth1', dst_network: '10.9.0.0/24', gw_addr: '10.0.0.2', metric: 50},
        {outgoing_interface: 'veth1', dst_network: '10.8.0.0/24', gw_addr: '10.0.0.3', metric: 100},
        {outgoing_interface: 'w1', dst_network: '10.6.0.0/24', gw_addr: '10.5.0.2', metric: 10},
      ],
      arp_entries: [
        {interface: 'veth1', ip_address: '10.0.0.50', hw_address: '02:00:00:00:00:51'},
        {interface: 'w1', ip_address: '10.5.0.9', hw_address: '02:00:00:00:00:59'},
      ],
    })
    const dry = await pg.lnxJson(['apply', '-f', '-', '--dry-run'], {input: target})
    const n = dry.json.changes.reduce((s: number, c: any) => s + c.commands.filter((x: string) => !/(^| )(sysctl|ethtool) /.test(x)).length, 0)
    assert.ok(n >= 15, `a multi-step plan (${n} ip lines)`)
    // One field is exempt: the tap's ifindex. Moved into ns2 and back, it keeps its index only where that is free on
    // both sides (ns2's own links hold low ones) and iproute2 cannot ask for one; everything else is compared.
    const norm = (snap: string) => {
      const j = JSON.parse(snap)
      for (const l of j['(default)'].links) if (l.ifname === 'tap-vpp') delete l.ifindex
      return JSON.stringify(j, null, 2)
    }
    const want = norm(before)
    const failed: string[] = []
    for (let k = 1; k <= n; k++) {
      const r = await pg.lnxJson(['apply', '-f', '-'], {input: target, env: {LNX_TEST_FAULT: String(k)}})
      let got = ''
      await until(async () => (got = norm(await pg.snapshot())) === want)
      const same = got === want
      if (r.code !== 1 || r.json.result !== 'reverted' || !same) failed.push(`k=${k}: exit ${r.code}, ${r.json.result}, ${same ? 'state equal' : 'STATE DIFFERS'} ${r.json.error?.message ?? ''}`)
    }
    assert.deepEqual(failed, [], `${failed.length} of ${n} fault points`)
    // And without a fault the same plan applies.
    const ok = await pg.lnxJson(['apply', '-f', '-'], {input: target})
    assert.equal(ok.code, 0, ok.stdout + ok.stderr)
  })
})

interface Moment {
  name: string
  signal: NodeJS.Signals
  group: boolean
  /** The child of lnx to wait for before signalling (the nth one matching). */
  when: (argv: string[]) => boolean
  nth?: number
  /** Nothing was changed yet: the run ends INTERRUPTED without a result. */
  early?: boolean
  /** A second signal once the revert runs. */
  twice?: boolean
}

const MOMENTS: Moment[] = [
  {name: 'SIGINT to the group while the kernel is read', signal: 'SIGINT', group: true, when: readBatch, early: true},
  {name: 'SIGINT to the group during the namespaces batch', signal: 'SIGINT', group: true, when: changeBatch('default')},
  {name: 'SIGTERM to the group during the configure batches', signal: 'SIGTERM', group: true, when: changeBatch('named')},
  {name: 'SIGTERM to lnx during the namespaces batch', signal: 'SIGTERM', group: false, when: changeBatch('default')},
  {name: 'SIGINT to lnx during the configure batches', signal: 'SIGINT', group: false, when: changeBatch('named')},
  {name: 'SIGINT to the group, and again while reverting', signal: 'SIGINT', group: true, when: changeBatch('named'), twice: true},
]

test('campaign: SIGINT/SIGTERM at several moments of a 300-pair apply, to lnx and to its group → reverted, byte-equal, lock free', async () => {
  const small = {interfaces: [veth('keep1', 'keep2', 'r0', {ip_addresses: ['10.99.0.1/24']}), veth('keep2', 'keep1', 'r1')]}
  const cfg = bigConfig(300)
  cfg.interfaces.push(...small.interfaces)
  const file = tmpFile('big.json', JSON.stringify(cfg))
  const failed: string[] = []
  for (const m of MOMENTS) {
    // A fresh playground per moment: a failed case must not hide the next one.
    await withPg(async (pg) => {
      const r0 = await apply(pg, small)
      assert.equal(r0.code, 0, r0.stdout + r0.stderr)
      await pg.sh('ip netns add other; ip -n other link add name f0 type veth peer name f1')
      await settle(pg)
      const before = await pg.snapshot()
      const files = await netnsFiles(pg)
      const run = start(pg, ['apply', '-f', file, '--json'])
      const seen = await waitChild(run.pid, m.when)
      const kill = (pid: number) => {
        try {
          process.kill(pid, m.signal)
        } catch {
          // Already gone: reported below as "moment not reached".
        }
      }
      kill(m.group ? -run.pid : run.pid)
      if (m.twice) {
        // The revert's own batches run in process groups of their own: a second Ctrl-C cannot kill them.
        await waitChild(run.pid, undoBatch, 20_000)
        kill(-run.pid)
      }
      const out = await run.done
      const json = JSON.parse(out.stdout || '{}')
      const problems: string[] = []
      if (!seen) problems.push('moment not reached')
      if (out.code !== 1) problems.push(`exit ${out.code}`)
      if (m.early ? json.error?.code !== 'INTERRUPTED' : json.result !== 'reverted') problems.push(`result ${json.result ?? ''} ${json.error?.message ?? ''}`)
      if (m.twice && !/reverting, please wait/.test(out.stderr)) problems.push('second signal not announced')
      if ((await settledSnapshot(pg, before)) !== before) problems.push('state differs')
      if (JSON.stringify(await netnsFiles(pg)) !== JSON.stringify(files)) problems.push(`/run/netns: ${await netnsFiles(pg)}`)
      if (!(await lockFree(pg))) problems.push('lock held')
      if (problems.length) failed.push(`${m.name}: ${problems.join(', ')}`)
    })
  }
  assert.deepEqual(failed, [], `${failed.length} of ${MOMENTS.length} moments`)
})

test('campaign: 8 parallel runs mixing apply, delete and imperative verbs (over a stale lock file) → serialized, the final state one whole config, all exit 0', async () => {
  await withPg(async (pg) => {
    const w = {interfaces: [veth('w1', 'w2', 'ns3', {ip_addresses: ['10.7.0.1/24']}), veth('w2', 'w1', 'ns4')]}
    const r0 = await apply(pg, w)
    assert.equal(r0.code, 0, r0.stdout + r0.stderr)
    const cfg = (x: number, mtu: number) => ({
      interfaces: [veth('v1', 'v2', 'ns1', {mtu, ip_addresses: [`10.${x}.0.1/24`, `10.${x}.1.1/24`]}), veth('v2', 'v1', 'ns2', {mtu, ip_addresses: [`10.${x}.0.2/24`]})],
      routes: [{outgoing_interface: 'v1', dst_network: '10.50.0.0/16', gw_addr: `10.${x}.0.2`, metric: 10}],
      arp_entries: [{interface: 'v1', ip_address: `10.${x}.0.9`, hw_address: `02:00:00:00:00:${x}`}],
    })
    const A = tmpFile('A.json', JSON.stringify(cfg(11, 1400)))
    const B = tmpFile('B.json', JSON.stringify(cfg(22, 9000)))
    const trace = tmpFile('trace.txt', '')
    // A stale lock file, as a crashed run of the old pid-file lock left it: irrelevant to a flock.
    await pg.sh('mkdir -p /run/lnx; echo "999999 1" > /run/lnx/netns-$(stat -L -c %i /proc/self/ns/net).lock')
    const runs: {what: string; args: string[]}[] = [
      {what: 'A', args: ['apply', '-f', A]},
      {what: 'B', args: ['apply', '-f', B]},
      {what: 'set', args: ['interface', 'set', 'w1', '--add-ip', '10.7.1.1/24']},
      {what: 'delete', args: ['delete', '-f', B]},
      {what: 'A', args: ['apply', '-f', A]},
      {what: 'set', args: ['interface', 'set', 'w1', '--add-ip', '10.7.2.1/24']},
      {what: 'B', args: ['apply', '-f', B]},
      {what: 'set', args: ['interface', 'set', 'w1', '--add-ip', '10.7.3.1/24']},
    ]
    const started = runs.map((r) => ({...r, run: start(pg, r.args, {LNX_TEST_TRACE: trace})}))
    const outs = await Promise.all(started.map((s) => s.run.done))
    outs.forEach((o, i) => assert.equal(o.code, 0, `${runs[i].args.join(' ')}: ${o.stdout}${o.stderr}`))
    // Serialized: the lock intervals (monotonic clock, written while holding the lock) never overlap.
    const ev = readFileSync(trace, 'utf8').trim().split('\n').map((l) => l.split(' '))
    const spans = started.map((s) => {
      const at = (e: string) => BigInt(ev.find((x) => x[0] === String(s.run.pid) && x[1] === e)?.[2] ?? '-1')
      return {what: s.what, from: at('locked'), to: at('released')}
    }).sort((a, b) => (a.from < b.from ? -1 : 1))
    for (const s of spans) assert.ok(s.from > 0n && s.to > s.from, `traced: ${JSON.stringify(ev)}`)
    for (let i = 1; i < spans.length; i++) assert.ok(spans[i].from > spans[i - 1].to, `runs ${i - 1} and ${i} overlap`)
    // The last apply/delete in lock order decides v1/v2; every imperative address landed.
    const last = spans.filter((s) => s.what !== 'set').at(-1)!.what
    if (last === 'delete') assert.equal(await link(pg, 'ns1', 'v1'), undefined)
    else {
      const p = await pg.lnx(['plan', '-f', last === 'A' ? A : B, '--exit-code'])
      assert.equal(p.code, 0, `the state is exactly config ${last}: ${p.stdout}`)
      const x = last === 'A' ? 11 : 22
      assert.deepEqual(await addrs(pg, 'ns1', 'v1'), [`10.${x}.0.1/24`, `10.${x}.1.1/24`])
    }
    assert.deepEqual(await addrs(pg, 'ns3', 'w1'), ['10.7.0.1/24', '10.7.1.1/24', '10.7.2.1/24', '10.7.3.1/24'])
  })
})
