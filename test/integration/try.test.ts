// apply --try: the change is kept only when confirmed, and reverted otherwise — by the detached timer even when
// the waiting lnx hangs up (SIGHUP to its process group) or is killed (kill -9). State is compared with
// pg.snapshot() (raw `ip -json` of every namespace); the timer runs inside the playground's namespaces.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {LNX, KEY, tmpFile, withPg, apply, addrs, link, netnsList, veth, pair, settle, settledSnapshot, until} from './engine-helpers.ts'
import type {Playground} from '../helpers/playground.ts'

const base = {
  interfaces: pair({ips1: ['10.0.0.1/24'], ips2: ['10.0.0.2/24']}),
  routes: [{outgoing_interface: 'veth1', dst_network: '10.9.0.0/24', gw_addr: '10.0.0.2', metric: 100}],
  arp_entries: [{interface: 'veth1', ip_address: '10.0.0.50', hw_address: '02:00:00:00:00:50'}],
}

/** What a try changes: an address and an MTU, a new route, a new pair in a new namespace; --prune drops the ARP entry. */
const changed = {
  interfaces: [
    veth('veth1', 'veth2', 'ns1', {ip_addresses: ['10.0.0.1/24', '10.1.0.1/24'], mtu: 9000}),
    veth('veth2', 'veth1', 'ns2', {ip_addresses: ['10.0.0.2/24'], mtu: 9000}),
    veth('veth3', 'veth4', 'ns3', {ip_addresses: ['10.3.0.1/24']}),
    veth('veth4', 'veth3', undefined, {ip_addresses: ['10.3.0.2/24']}),
  ],
  routes: [
    base.routes[0],
    {outgoing_interface: 'veth1', dst_network: '10.8.0.0/24', gw_addr: '10.0.0.2', metric: 100},
  ],
}

/** The base config applied and settled; returns the snapshot a revert must restore. */
async function prepared(pg: Playground): Promise<string> {
  const r = await apply(pg, base)
  assert.equal(r.code, 0, r.stdout + r.stderr)
  await settle(pg)
  return pg.snapshot()
}

/** `lnx apply --try` in the background, in a process group of its own (a terminal's job). */
function startTry(pg: Playground, seconds: number, cfg: unknown = changed, extra: string[] = ['--prune']) {
  const file = tmpFile('try.json', JSON.stringify(cfg))
  const child = spawn('nsenter', ['-t', String(pg.pid), '-n', '-m', '--', process.execPath, LNX, 'apply', '-f', file, '--try', String(seconds), '--json', ...extra], {
    env: {...process.env, NO_COLOR: '1'},
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => (stdout += d))
  child.stderr.on('data', (d) => (stderr += d))
  const closed = new Promise<{code: number | null; signal: string | null}>((resolve) => child.on('close', (code, signal) => resolve({code, signal})))
  return {child, file, closed, out: () => ({stdout, stderr})}
}

/** The pending journal, once the timer is armed (undefined when none). */
async function journal(pg: Playground): Promise<any> {
  const r = await pg.run('sh', ['-c', 'cat /run/lnx/*.try.json 2>/dev/null || true'])
  return r.stdout ? JSON.parse(r.stdout) : undefined
}

async function armed(pg: Playground, t: ReturnType<typeof startTry>): Promise<any> {
  let j: any
  const ok = await until(async () => !!(j = await journal(pg))?.timer, 15_000)
  assert.ok(ok, `the try was armed (${JSON.stringify(t.out())})`)
  return j
}

async function pidAlive(pg: Playground, pid: number): Promise<boolean> {
  return (await pg.run('sh', ['-c', `kill -0 ${pid} 2>/dev/null && echo yes || true`])).stdout.trim() === 'yes'
}

/** The change of `changed` is in place. */
async function changeInPlace(pg: Playground) {
  assert.deepEqual(await addrs(pg, 'ns1', 'veth1'), ['10.0.0.1/24', '10.1.0.1/24'])
  assert.equal((await link(pg, 'ns1', 'veth1')).mtu, 9000)
  assert.ok(await link(pg, '', 'veth4'), 'the new pair exists')
  assert.deepEqual(await netnsList(pg), ['ns1', 'ns2', 'ns3'])
}

test('try: not confirmed in time → reverted byte-equal, exit 1, result "reverted", outcome by timeout', async () => {
  await withPg(async (pg) => {
    const before = await prepared(pg)
    const t = startTry(pg, 2)
    const j = await armed(pg, t)
    await changeInPlace(pg)
    assert.ok(await pidAlive(pg, j.timer.pid), 'the timer runs inside the playground')
    const {code} = await t.closed
    const {stdout, stderr} = t.out()
    assert.equal(code, 1, stdout + stderr)
    const json = JSON.parse(stdout)
    assert.equal(json.result, 'reverted')
    assert.equal(json.error.code, 'NOT_CONFIRMED')
    assert.deepEqual({outcome: json.try.outcome, by: json.try.by, seconds: json.try.seconds}, {outcome: 'reverted', by: 'timeout', seconds: 2})
    assert.ok(json.try.reverted.includes(KEY.iface('veth3')))
    assert.ok(json.changes.length > 0)
    assert.equal(await settledSnapshot(pg, before, 8000), before)
    assert.equal(await journal(pg), undefined, 'the journal is gone')
    const again = await pg.lnx(['plan', '-f', tmpFile('base.json', JSON.stringify(base))])
    assert.equal(again.code, 0, again.stderr)
    assert.match(again.stdout, /no changes/)
  })
})

test('try: SIGHUP to the waiting lnx (its terminal hung up) → the detached timer reverts byte-equal', async () => {
  await withPg(async (pg) => {
    const before = await prepared(pg)
    const t = startTry(pg, 2)
    const j = await armed(pg, t)
    process.kill(-t.child.pid!, 'SIGHUP')
    const {signal} = await t.closed
    assert.equal(signal, 'SIGHUP', 'the waiting lnx died with its terminal')
    await changeInPlace(pg)
    assert.ok(await until(async () => !(await journal(pg)), 15_000), 'the timer decided')
    assert.equal(await settledSnapshot(pg, before, 8000), before)
    assert.ok(await until(async () => !(await pidAlive(pg, j.timer.pid))), 'the timer is done')
    const o = JSON.parse((await pg.run('sh', ['-c', 'cat /run/lnx/*.try-outcome.json'])).stdout)
    assert.deepEqual({id: o.id, outcome: o.outcome, by: o.by}, {id: j.id, outcome: 'reverted', by: 'timeout'})
  })
})

test('try: kill -9 of the waiting lnx → the detached timer reverts byte-equal', async () => {
  await withPg(async (pg) => {
    const before = await prepared(pg)
    const t = startTry(pg, 2)
    await armed(pg, t)
    t.child.kill('SIGKILL')
    const {signal} = await t.closed
    assert.equal(signal, 'SIGKILL')
    await changeInPlace(pg)
    assert.ok(await until(async () => !(await journal(pg)), 15_000), 'the timer decided')
    assert.equal(await settledSnapshot(pg, before, 8000), before)
  })
})

test('try: lnx confirm keeps the change; while pending, a second try, plan, apply and imperative verbs are refused (exit 4, naming it)', async () => {
  await withPg(async (pg) => {
    await prepared(pg)
    const t = startTry(pg, 30)
    const j = await armed(pg, t)
    const other = tmpFile('other.json', JSON.stringify(base))
    for (const args of [['apply', '-f', other, '--try', '5'], ['plan', '-f', other], ['apply', '-f', other], ['delete', '-f', other], ['interface', 'set', 'veth1', '--add-ip', '10.5.0.1/24'], ['namespace', 'add', 'nsx']]) {
      const r = await pg.lnxJson(args)
      assert.equal(r.code, 4, `${args.join(' ')}: ${r.stdout}${r.stderr}`)
      assert.equal(r.json.error.code, 'TRY_PENDING')
      assert.ok(r.json.error.message.includes(t.file) && r.json.error.message.includes(`pid ${j.pid}`), r.json.error.message)
      assert.match(r.json.error.hint, /lnx confirm/)
    }
    const doc = await pg.lnxJson(['doctor'])
    const tc = doc.json.checks.find((c: any) => c.name === 'try')
    assert.deepEqual({ok: tc.ok, required: tc.required}, {ok: false, required: false}, JSON.stringify(tc))
    assert.match(tc.found, new RegExp(`pid ${j.pid}.*waits for confirmation; reverts at \\d\\d:\\d\\d:\\d\\d \\(timer pid ${j.timer.pid}\\)`))
    assert.match(tc.fix, /lnx confirm/)
    const text = await pg.lnx(['plan', '-f', other])
    assert.match(text.stderr, /waiting for confirmation; it reverts at \d\d:\d\d:\d\d unless confirmed/)
    assert.deepEqual(await netnsList(pg), ['ns1', 'ns2', 'ns3'], 'nothing of the refused commands ran')
    const c = await pg.lnxJson(['confirm'])
    assert.equal(c.code, 0, c.stdout + c.stderr)
    assert.deepEqual({id: c.json.id, result: c.json.result, files: c.json.files}, {id: j.id, result: 'confirmed', files: [t.file]})
    assert.ok(c.json.items.includes(KEY.iface('veth3')))
    const {code} = await t.closed
    const json = JSON.parse(t.out().stdout)
    assert.equal(code, 0, t.out().stderr)
    assert.equal(json.result, 'applied')
    assert.deepEqual({outcome: json.try.outcome, by: json.try.by}, {outcome: 'confirmed', by: 'confirm'})
    assert.ok(await until(async () => !(await pidAlive(pg, j.timer.pid))), 'confirm stops the timer')
    await changeInPlace(pg)
    const p = await pg.lnx(['plan', '-f', t.file, '--prune'])
    assert.equal(p.code, 0, p.stderr)
    assert.match(p.stdout, /no changes/)
    const none = await pg.lnxJson(['confirm'])
    assert.equal(none.code, 2)
    assert.match(none.json.error.message, /no --try is pending.*confirmed/)
  })
})

test('try: lnx rollback reverts at once, byte-equal; the waiting apply reports it (exit 1)', async () => {
  await withPg(async (pg) => {
    const before = await prepared(pg)
    const t = startTry(pg, 60)
    const j = await armed(pg, t)
    await changeInPlace(pg)
    const r = await pg.lnxJson(['rollback'])
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.deepEqual({id: r.json.id, result: r.json.result}, {id: j.id, result: 'reverted'})
    assert.equal(await settledSnapshot(pg, before, 8000), before)
    const {code} = await t.closed
    assert.equal(code, 1)
    const json = JSON.parse(t.out().stdout)
    assert.deepEqual({result: json.result, outcome: json.try.outcome, by: json.try.by}, {result: 'reverted', outcome: 'reverted', by: 'rollback'})
    assert.ok(await until(async () => !(await pidAlive(pg, j.timer.pid))), 'rollback stops the timer')
    const none = await pg.lnxJson(['rollback'])
    assert.equal(none.code, 2)
    assert.equal(none.json.error.code, 'INVALID')
  })
})

test('try: nothing to change → no try is armed, exit 0', async () => {
  await withPg(async (pg) => {
    await prepared(pg)
    const r = await pg.lnxJson(['apply', '-f', tmpFile('same.json', JSON.stringify(base)), '--try', '30'])
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.equal(r.json.result, 'applied')
    assert.equal(r.json.try, undefined)
    assert.equal(await journal(pg), undefined)
    const bad = await pg.lnx(['apply', '-f', tmpFile('same.json', JSON.stringify(base)), '--try', '5', '--dry-run'])
    assert.equal(bad.code, 2, bad.stderr)
  })
})

test('try: Enter on the terminal confirms (a pty through script(1)); Ctrl-C (SIGINT) while waiting reverts at once', async () => {
  await withPg(async (pg) => {
    await prepared(pg)
    const file = tmpFile('tty.json', JSON.stringify(changed))
    // script(1) gives lnx a terminal on stdin/stderr; what the test writes to script's stdin is typed on it.
    const tty = spawn('nsenter', ['-t', String(pg.pid), '-n', '-m', '--', 'script', '-qfec', `${process.execPath} ${LNX} apply -f ${file} --prune --try 30`, '/dev/null'], {
      env: {...process.env, NO_COLOR: '1'},
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let out = ''
    tty.stdout.on('data', (d) => (out += d))
    const closed = new Promise<number | null>((resolve) => tty.on('close', (c) => resolve(c)))
    assert.ok(await until(async () => /press Enter/.test(out), 15_000), `the prompt offers Enter: ${out}`)
    const j = await journal(pg)
    tty.stdin.write('\r')
    assert.equal(await closed, 0, out)
    assert.match(out, /confirmed: kept \(Enter\)/)
    assert.equal(await journal(pg), undefined)
    assert.ok(await until(async () => !(await pidAlive(pg, j.timer.pid))), 'Enter stops the timer')
    await changeInPlace(pg)

    // A try interrupted with SIGINT (Ctrl-C) is reverted now, not at the deadline.
    await settle(pg)
    const confirmed = await pg.snapshot()
    const more = structuredClone(changed)
    more.interfaces[1].ip_addresses = ['10.0.0.2/24', '10.0.0.3/24']
    const t = startTry(pg, 60, more, [])
    await armed(pg, t)
    assert.deepEqual(await addrs(pg, 'ns2', 'veth2'), ['10.0.0.2/24', '10.0.0.3/24'])
    t.child.kill('SIGINT')
    const {code} = await t.closed
    assert.equal(code, 1, t.out().stderr)
    const json = JSON.parse(t.out().stdout)
    assert.deepEqual({result: json.result, outcome: json.try.outcome, by: json.try.by}, {result: 'reverted', outcome: 'reverted', by: 'signal'})
    assert.equal(await settledSnapshot(pg, confirmed, 8000), confirmed)
  })
})

test('try: adopting a NIC whose address the item does not list (strips it) is undone whole at the deadline: address and alias back', async () => {
  await withPg(async (pg) => {
    await pg.sh('ip link add ext0 type veth peer name ext1 && ip addr add 10.50.0.1/24 dev ext0 && ip addr add 10.50.0.7/24 dev ext0 && ip link set ext0 up && ip link set ext1 up')
    await settle(pg)
    const before = await pg.snapshot()
    const cfg = {interfaces: [{name: 'uplink', type: 'EXISTING', host_if_name: 'ext0', enabled: true, ip_addresses: ['10.60.0.1/24']}]}
    const t = startTry(pg, 2, cfg, [])
    await armed(pg, t)
    assert.deepEqual(await addrs(pg, '', 'ext0'), ['10.60.0.1/24'], 'the try stripped the operator\'s addresses')
    const {code} = await t.closed
    assert.equal(code, 1, t.out().stdout + t.out().stderr)
    assert.equal(await settledSnapshot(pg, before, 8000), before)
    assert.deepEqual(await addrs(pg, '', 'ext0'), ['10.50.0.1/24', '10.50.0.7/24'])
    assert.equal((await link(pg, '', 'ext0')).ifalias, undefined)
  })
})
