// The summary counts each item once: what a run creates, a later plan counts as unchanged — named namespaces
// included — and `apply --wait` does not count what an earlier round made again as unchanged in the last round.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {withPg, SEED, link} from './engine-helpers.ts'

test('summary: apply --wait counts each item once over its rounds; a re-plan counts every item (namespaces too) unchanged', async () => {
  await withPg(async (pg) => {
    // VPP's tap appears while apply waits: a second round adopts it.
    await pg.sh('(sleep 1.5; ip tuntap add dev tap-host mode tap) >/dev/null 2>&1 &')
    const r = await pg.lnxJson(['apply', '-f', SEED, '--wait', '15'])
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.ok(await link(pg, 'ns2', 'tap-host'), 'the second round adopted the tap')
    const changes: any[] = r.json.changes
    for (const action of ['create', 'update', 'delete']) assert.equal(r.json.summary[action], changes.filter((c) => c.action === action).length, action)
    // A fresh host: nothing was there to leave unchanged.
    assert.equal(r.json.summary.unchanged, 0, JSON.stringify(r.json.summary))
    const made = new Set(changes.filter((c) => c.action !== 'delete').map((c) => c.key))
    assert.ok(made.has('linux/namespace/NSID/ns1') && made.has('linux/namespace/NSID/ns2'), [...made].join(' '))

    const p = await pg.lnxJson(['plan', '-f', SEED])
    assert.equal(p.code, 0, p.stdout + p.stderr)
    assert.deepEqual(p.json.changes, [])
    assert.deepEqual(p.json.summary, {create: 0, update: 0, delete: 0, pending: 0, unchanged: made.size})
  })
})
