// A CLI run whose config is a regular file takes the lock (when free at once) and reads the kernel before it reads
// and validates the config (session.ts startEarly, issue 16): the reads run beside the validation. What was read
// must still be what the plan sees: a namespace replaced since is read again; and the run's process count stays small.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {addrs, apply, link, tmpFile, until, veth, withPg} from './engine-helpers.ts'
import {start} from './reliability-helpers.ts'

const cfg = {
  interfaces: [
    veth('v1', 'v2', 'ns1', {ip_addresses: ['10.0.1.1/24']}), veth('v2', 'v1', 'ns1', {ip_addresses: ['10.0.1.2/24']}),
    veth('v3', 'v4', 'ns2', {ip_addresses: ['10.0.2.1/24']}), veth('v4', 'v3', 'ns2'),
    veth('v5', 'v6', 'ns3'), veth('v6', 'v5', 'ns4'),
  ],
}

const timings = (stderr: string) => JSON.parse(/^lnx-timings (\{.*\})$/m.exec(stderr)![1])

test('read ahead: a no-op from a file reads all namespaces in a few processes, none after the validation', async () => {
  await withPg(async (pg) => {
    const r0 = await apply(pg, cfg)
    assert.equal(r0.code, 0, r0.stdout + r0.stderr)
    const f = tmpFile('ahead.json', JSON.stringify(cfg))
    const r = await pg.lnx(['apply', '-f', f], {env: {LNX_TIMINGS: '1', LNX_VERBOSE: '1'}})
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.match(r.stdout, /nothing to do/)
    // flock, ip -V and the read parents (the default namespace read by the first one itself).
    const t = timings(r.stderr)
    assert.ok(t.processes <= 6, `processes: ${t.processes}`)
    assert.doesNotMatch(r.stderr, /^\$ ip -d -j -force -batch -$/m, 'no separate read of the default namespace')
  })
})

test('read ahead: a namespace replaced between the read and the plan is read again (its objects re-made)', async () => {
  await withPg(async (pg) => {
    const r0 = await apply(pg, cfg)
    assert.equal(r0.code, 0, r0.stdout + r0.stderr)
    const f = tmpFile('ahead2.json', JSON.stringify(cfg))
    const trace = tmpFile('ahead2.trace', '')
    // The session pauses after its lock — long after the reads ahead were done.
    const run = start(pg, ['apply', '-f', f], {LNX_TEST_PAUSE_AFTER: 'lock', LNX_TEST_PAUSE_MS: '3000', LNX_TEST_TRACE: trace})
    assert.ok(await until(async () => /locked/.test(readFileSync(trace, 'utf8')), 15_000), 'the session took the lock')
    await pg.sh('ip netns del ns2 && ip netns add ns2')
    assert.equal(await link(pg, 'ns2', 'v3'), undefined)
    const out = await run.done
    assert.equal(out.code, 0, out.stdout + out.stderr)
    assert.ok(await link(pg, 'ns2', 'v3'), 'v3 re-made in the new ns2')
    assert.deepEqual(await addrs(pg, 'ns2', 'v3'), ['10.0.2.1/24'])
  })
})

test('read ahead: a config on stdin is read first, then the kernel (the run may wait on its input)', async () => {
  await withPg(async (pg) => {
    const r = await pg.lnx(['apply', '-f', '-'], {input: JSON.stringify(cfg), env: {LNX_TIMINGS: '1'}})
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.ok(await link(pg, 'ns4', 'v6'))
  })
})
