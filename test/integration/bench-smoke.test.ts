// `npm run bench` must start on a fresh build: its groups that need no playground (start-up, planning) run here at a
// small scale, so that a bench broken by a restructuring (it once looked for a file the planner split removed) fails
// the suite instead of the next person who measures.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {join} from 'node:path'
import {ROOT} from '../helpers/playground.ts'

test('bench: the version and planning groups run on this build and report their figures', () => {
  const r = spawnSync(process.execPath, [join(ROOT, 'bench', 'run.mjs'), '--quick', '--only', 'version,plan', '--version-runs', '1', '--plan-runs', '1', '--plan-items', '1000', '--json'], {cwd: ROOT, encoding: 'utf8', timeout: 120_000})
  assert.equal(r.status, 0, r.stderr)
  const out = JSON.parse(r.stdout)
  assert.equal(out.lnx, join(ROOT, 'bin', 'run.js'))
  assert.deepEqual(out.failures, [])
  assert.ok(out.metrics['version.lnx'].medianMs > 0, JSON.stringify(out.metrics))
  const [p] = out.planning
  assert.ok(p.items >= 1000, JSON.stringify(p))
  assert.equal(p.noop.changes, 0, 'the no-op plan of an applied state is empty')
  assert.ok(p.fresh.changes > p.items, 'a fresh plan creates every item (and the namespaces)')
})
