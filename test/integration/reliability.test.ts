// Regression tests of issue 10 (serialized runs, full reverts): the lock is a real flock, imperative verbs read under
// it, a killed batch is reverted, a stray file in /run/netns is skipped, reverts are batched and ordered, a signal
// before execution leaves nothing behind. Kernel state is read with raw `ip -json` (pg.snapshot()).
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {apply, addrs, link, routes, settle, settledSnapshot, tmpFile, until, veth, withPg} from './engine-helpers.ts'
import {bigConfig, changeBatch, holdLock, lockFree, netnsFiles, start, waitChild} from './reliability-helpers.ts'

test('lock: a run holding the lock (flock, its file still empty) is waited for, never taken over → exit 4 LOCKED, nothing changed', async () => {
  await withPg(async (pg) => {
    const holder = await holdLock(pg)
    const before = await pg.snapshot()
    const r = await pg.lnx(['apply', '-f', '-', '--lock-timeout', '1'], {input: JSON.stringify(bigConfig(2))})
    assert.equal(r.code, 4, r.stdout + r.stderr)
    assert.match(r.stderr, /waiting for another lnx run/)
    assert.match(r.stderr, /holds the lock/)
    assert.equal(await pg.snapshot(), before, 'nothing changed while another run held the lock')
    await holder.release()
    const again = await pg.lnx(['apply', '-f', '-', '--lock-timeout', '5'], {input: JSON.stringify(bigConfig(2))})
    assert.equal(again.code, 0, again.stdout + again.stderr)
  })
})

test('lock: a holder killed with SIGKILL frees the lock at once (the kernel drops the flock)', async () => {
  await withPg(async (pg) => {
    const run = start(pg, ['apply', '-f', tmpFile('k.json', JSON.stringify(bigConfig(2)))], {LNX_TEST_PAUSE_AFTER: 'lock', LNX_TEST_PAUSE_MS: '20000'})
    assert.ok(await until(async () => !(await lockFree(pg)), 10_000), 'the run holds the lock')
    process.kill(run.pid, 'SIGKILL')
    await run.done
    assert.ok(await lockFree(pg), 'free after SIGKILL')
    const r = await pg.lnx(['apply', '-f', '-', '--lock-timeout', '0'], {input: JSON.stringify(bigConfig(2))})
    assert.equal(r.code, 0, r.stdout + r.stderr)
  })
})

test('imperative: 6 concurrent `interface set v1 --add-ip` all land (read, plan and execute under the lock)', async () => {
  await withPg(async (pg) => {
    const r0 = await apply(pg, {interfaces: [veth('v1', 'v2', 'ns1', {ip_addresses: ['10.0.0.1/24']}), veth('v2', 'v1', 'ns2')]})
    assert.equal(r0.code, 0, r0.stdout + r0.stderr)
    const ips = [1, 2, 3, 4, 5, 6].map((i) => `10.0.${i}.1/24`)
    const rs = await Promise.all(ips.map((ip) => pg.lnx(['interface', 'set', 'v1', '--add-ip', ip])))
    for (const r of rs) assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.deepEqual(await addrs(pg, 'ns1', 'v1'), ['10.0.0.1/24', ...ips].sort())
  })
})

test('signal: Ctrl-C to the process group kills a running ip -batch midway → what it applied is reverted, byte-equal, lock free', async () => {
  await withPg(async (pg) => {
    const r0 = await apply(pg, {interfaces: [veth('keep1', 'keep2', 'r0', {ip_addresses: ['10.9.0.1/24']}), veth('keep2', 'keep1', 'r1')]})
    assert.equal(r0.code, 0, r0.stdout + r0.stderr)
    await settle(pg)
    const before = await pg.snapshot()
    const cfg = bigConfig(60)
    cfg.interfaces.push(veth('keep1', 'keep2', 'r0', {ip_addresses: ['10.9.0.1/24']}), veth('keep2', 'keep1', 'r1'))
    // LNX_TEST_HANG: the 30th line of the run blocks (a `monitor` line after it) until the batch is killed, so the
    // batch dies with 30 lines applied and nothing on stderr to say so.
    const run = start(pg, ['apply', '-f', tmpFile('hang.json', JSON.stringify(cfg)), '--json'], {LNX_TEST_HANG: '30'})
    assert.ok(await waitChild(run.pid, changeBatch('default')), `a batch runs (${run.stderr()})`)
    process.kill(-run.pid, 'SIGINT')
    const out = await run.done
    assert.equal(out.code, 1, out.stdout + out.stderr)
    const json = JSON.parse(out.stdout)
    assert.equal(json.result, 'reverted', out.stdout)
    assert.equal(json.error.code, 'INTERRUPTED')
    assert.equal(await settledSnapshot(pg, before), before)
    assert.deepEqual(await netnsFiles(pg), ['r0', 'r1'], 'no namespace or half-made file left')
    assert.ok(await lockFree(pg))
  })
})

test('stray file in /run/netns: apply, plan and dump skip it with a warning; doctor names it', async () => {
  await withPg(async (pg) => {
    await pg.sh('touch /run/netns/half-made; ip netns add ns0')
    const cfg = JSON.stringify({interfaces: [veth('v1', 'v2', 'ns1', {ip_addresses: ['10.0.0.1/24']}), veth('v2', 'v1', 'ns2')]})
    for (const cmd of ['plan', 'apply']) {
      const r = await pg.lnxJson([cmd, '-f', '-'], {input: cfg})
      assert.equal(r.code, 0, `${cmd}: ${r.stdout}${r.stderr}`)
      assert.ok((r.json.warnings ?? []).some((w: string) => /\/run\/netns\/half-made is not a network namespace/.test(w)), JSON.stringify(r.json.warnings))
    }
    const text = await pg.lnx(['plan', '-f', '-'], {input: cfg})
    assert.match(text.stdout + text.stderr, /warning: \/run\/netns\/half-made/)
    const d = await pg.lnx(['dump'])
    assert.equal(d.code, 0, d.stderr)
    assert.match(d.stderr, /warning: \/run\/netns\/half-made is not a network namespace/)
    assert.match(d.stdout, /v1/)
    const doc = await pg.lnxJson(['doctor'])
    const c = doc.json.checks.find((x: any) => x.name === 'netns-strays')
    assert.equal(c?.ok, false, JSON.stringify(doc.json.checks))
    assert.match(c.found, /\/run\/netns\/half-made/)
    assert.match(c.fix, /ip netns del half-made/)
    // A config placing an item in a namespace of that name: pending with the reason, never `netns add` over it.
    const p = await pg.lnxJson(['apply', '-f', '-'], {input: JSON.stringify({interfaces: [veth('h1', 'h2', 'half-made'), veth('h2', 'h1', 'ns2')]})})
    assert.equal(p.code, 3, p.stdout + p.stderr)
    assert.match(JSON.stringify(p.json.pending), /half-made is not a network namespace/)
  })
})

test('revert of a long run: undo lines batched per namespace and phase (a handful of ip processes), progress on a terminal', async () => {
  await withPg(async (pg) => {
    const cfg = JSON.stringify(bigConfig(100))
    const dry = await pg.lnxJson(['apply', '-f', '-', '--dry-run'], {input: cfg})
    const n = dry.json.changes.reduce((s: number, c: any) => s + c.commands.length, 0)
    const r = await pg.lnx(['apply', '-f', '-', '-v'], {input: cfg, env: {LNX_TEST_FAULT: String(n)}})
    assert.equal(r.code, 1, r.stdout + r.stderr.slice(-2000))
    assert.match(r.stdout, /^reverted/m)
    // Revert batches: `ip … -force -batch -` without -j (reads carry -j).
    const undoProcs = [...r.stderr.matchAll(/\$ ip[-a-z0-9 ]*-force -batch -/g)].filter((m) => !/ -j /.test(m[0]))
    assert.ok(undoProcs.length > 0)
    assert.ok(undoProcs.length <= 40, `${undoProcs.length} undo processes for 100 pairs`)
    assert.deepEqual(await netnsFiles(pg), [])
    // On a terminal (script(1) gives lnx a pty) the revert is announced.
    const f = tmpFile('tty.json', cfg)
    const t = await pg.run('script', ['-qec', `${process.execPath} ${LNXBIN} apply -f ${f}`, '/dev/null'], {env: {LNX_TEST_FAULT: String(n)}})
    assert.match(t.stdout, /reverting \d+ changes, please wait/, t.stdout.slice(-500) + t.stderr)
    assert.deepEqual(await netnsFiles(pg), [])
  })
})

test('revert after a rename: undo lines name what exists at that moment → "reverted", not "revert incomplete"', async () => {
  await withPg(async (pg) => {
    // One address on the renamed link: the kernel relabels secondary addresses on every rename ("v1:2").
    const cfg = (host: string, gw: string, ips: string[], arps: object[] = []) => ({
      interfaces: [veth('v1', 'v2', 'ns1', {host_if_name: host, ip_addresses: ips}), veth('v2', 'v1', 'ns2', {ip_addresses: ['10.0.0.2/24']})],
      routes: [{outgoing_interface: 'v1', dst_network: '10.9.0.0/24', gw_addr: gw, metric: 100}],
      arp_entries: [{interface: 'v1', ip_address: '10.0.0.50', hw_address: '02:00:00:00:00:50'}, ...arps],
    })
    const r0 = await apply(pg, cfg('v1old', '10.0.0.2', ['10.0.0.1/24']))
    assert.equal(r0.code, 0, r0.stdout + r0.stderr)
    await settle(pg)
    const before = await pg.snapshot()
    // Rename, then (in the same batch) a route update and a new ARP entry, the last line failing: the route's undo
    // runs while the link still has its new name.
    const next = JSON.stringify(cfg('v1new', '10.0.0.3', ['10.0.0.1/24'], [{interface: 'v1', ip_address: '10.0.0.51', hw_address: '02:00:00:00:00:51'}]))
    const dry = await pg.lnxJson(['apply', '-f', '-', '--dry-run'], {input: next})
    const cmds = dry.json.changes.flatMap((c: any) => c.commands)
    assert.match(cmds.at(-1), /neigh replace 10.0.0.51/, cmds.join('\n'))
    assert.ok(cmds.some((c: string) => /route replace 10.9.0.0\/24 via 10.0.0.3 dev v1new/.test(c)), cmds.join('\n'))
    const r = await pg.lnxJson(['apply', '-f', '-'], {input: next, env: {LNX_TEST_FAULT: String(cmds.length)}})
    assert.equal(r.code, 1, r.stdout + r.stderr)
    assert.equal(r.json.result, 'reverted', r.json.error?.message)
    assert.doesNotMatch(r.json.error.message, /revert incomplete/)
    assert.ok(await link(pg, 'ns1', 'v1old'))
    assert.deepEqual((await routes(pg, 'ns1')).filter((x: any) => x.dst === '10.9.0.0/24').map((x: any) => [x.dev, x.gateway]), [['v1old', '10.0.0.2']])
    assert.equal(await settledSnapshot(pg, before), before)
  })
})

test('signal between taking the lock and executing → exit 1 INTERRUPTED, nothing changed, lock free for the next run', async () => {
  await withPg(async (pg) => {
    const before = await pg.snapshot()
    const f = tmpFile('lock-sig.json', JSON.stringify(bigConfig(3)))
    const run = start(pg, ['apply', '-f', f, '--json'], {LNX_TEST_PAUSE_AFTER: 'lock', LNX_TEST_PAUSE_MS: '20000'})
    const lockFile = (await pg.sh('echo /run/lnx/netns-$(stat -L -c %i /proc/self/ns/net).lock')).stdout.trim()
    assert.ok(await until(async () => (await pg.run('cat', [lockFile])).stdout.trim().split(' ')[0] === String(run.pid), 10_000), 'the run took the lock')
    process.kill(run.pid, 'SIGTERM')
    const out = await run.done
    assert.equal(out.code, 1, out.stdout + out.stderr)
    const json = JSON.parse(out.stdout)
    assert.equal(json.error.code, 'INTERRUPTED')
    assert.match(json.error.message, /before anything was changed/)
    assert.equal(await pg.snapshot(), before)
    assert.ok(await lockFree(pg), 'lock released')
    const next = await pg.lnx(['apply', '-f', f, '--lock-timeout', '0'])
    assert.equal(next.code, 0, next.stdout + next.stderr)
  })
})

const LNXBIN = new URL('../../bin/run.js', import.meta.url).pathname

