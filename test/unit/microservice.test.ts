// The pure parts of MICROSERVICE support and of --wait: which container holds a label, how the engine is found, the
// verify step's view of items that became ready mid-run, and the wait loop's ends (no engine, no root needed).
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {byLabel, engineEndpoint, microserviceLabel, timeKey, type Container} from '../../src/adapters/docker.ts'
import {microserviceWarnings} from '../../src/engine/microservices.ts'
import {verify} from '../../src/services/reconcile.ts'
import {waitForPending, type Round} from '../../src/services/wait.ts'
import type {Change, Plan} from '../../src/engine/contract.ts'

const c = (id: string, name: string, label: string | undefined, startedAt: string): Container => ({
  id, name, pid: 100, env: ['PATH=/bin', ...(label === undefined ? [] : [`MICROSERVICE_LABEL=${label}`])], startedAt,
})

test('engine endpoint: DOCKER_HOST unix:// and tcp://, else /var/run/docker.sock; other schemes are an error', () => {
  assert.deepEqual(engineEndpoint({}), {where: '/var/run/docker.sock', socketPath: '/var/run/docker.sock'})
  assert.deepEqual(engineEndpoint({DOCKER_HOST: 'unix:///tmp/p.sock'}), {where: '/tmp/p.sock', socketPath: '/tmp/p.sock'})
  assert.deepEqual(engineEndpoint({DOCKER_HOST: 'tcp://10.0.0.1:2376'}), {where: 'tcp://10.0.0.1:2376', host: '10.0.0.1', port: 2376})
  assert.match((engineEndpoint({DOCKER_HOST: 'ssh://me@host'}) as any).error, /unsupported scheme/)
})

test('a container\'s label comes from its environment; the newest running one wins, to the nanosecond', () => {
  assert.equal(microserviceLabel(['A=1', 'MICROSERVICE_LABEL=web']), 'web')
  assert.equal(microserviceLabel(['MICROSERVICE_LABELS=x']), undefined)
  // Engines trim trailing zeros of the fraction: .76 is later than .7604 only if compared as numbers — it is not.
  assert.ok(timeKey('2026-12-01T16:59:33.7604Z') > timeKey('2026-12-01T16:59:33.76Z'))
  assert.ok(timeKey('2026-12-01T16:59:34Z') > timeKey('2026-12-01T16:59:33.999999999Z'))
  const m = byLabel([
    c('a', 'old', 'web', '2026-12-01T16:59:33.76Z'),
    c('b', 'new', 'web', '2026-12-01T16:59:33.7604Z'),
    c('x', 'other', 'db', '2026-12-01T10:00:00Z'),
    c('y', 'plain', undefined, '2026-12-01T10:00:00Z'),
  ])
  assert.deepEqual([...m.keys()].sort(), ['db', 'web'])
  assert.deepEqual(m.get('web')!.map((x) => x.name), ['new', 'old'])
  const w = microserviceWarnings({lookup: {byLabel: m}}, ['web', 'db', 'web'])
  assert.equal(w.length, 1)
  assert.match(w[0], /^2 running containers have MICROSERVICE_LABEL=web: new \(b\), old \(a\); using new \(b\), the newest$/)
  assert.deepEqual(microserviceWarnings({lookup: {error: 'x'}, unreachable: 'container engine not reachable at /s (no socket)'}, []), [])
  assert.match(microserviceWarnings({lookup: {error: 'x'}, unreachable: 'container engine not reachable at /s (no socket)'}, ['web'])[0], /not reachable at \/s \(no socket\): MICROSERVICE items are pending/)
})

const change = (key: string): Change => ({action: 'create', kind: key.startsWith('config/linux/interfaces') ? 'interface' : 'address', key, namespace: '', detail: key, cmds: []})
const plan = (changes: string[], pending: string[] = []): Plan => ({changes: changes.map(change), pending: pending.map((key) => ({key, reason: 'r'})), unchanged: 0, warnings: []})
const IF = (n: string) => `config/linux/interfaces/v2/interface/${n}`

test('verify: an item that was pending and became ready during the run (and its addresses) is pending for the next run, not a failed apply', () => {
  const done = plan([IF('v1'), IF('v2')], [IF('tap1')])
  const again = plan([IF('tap1'), 'linux/interface/tap1/address/static/10.0.0.1/24'])
  const v = verify(done, again)
  assert.deepEqual(v.wrong, [])
  assert.deepEqual(v.pending.map((p) => p.key), [IF('tap1'), 'linux/interface/tap1/address/static/10.0.0.1/24'])
  assert.match(v.pending[0].reason, /became ready/)
  // What the run itself did, still differing, is a failure as before; so is anything it did not wait for.
  assert.deepEqual(verify(done, plan([IF('v1')])).wrong.map((x) => x.key), [IF('v1')])
  assert.deepEqual(verify(done, plan(['linux/interface/v1/address/static/10.0.0.2/24'])).wrong.length, 1)
})

const round = (pending: number, extra: Partial<Round> = {}): Round => ({
  pending: Array.from({length: pending}, (_, i) => ({key: `k${i}`, reason: 'r'})), watch: [], containers: false, ...extra,
})

test('wait: done at once when nothing is pending; a round that became ready runs again without an event; timeout; abort', async () => {
  let steps = 0
  assert.equal((await waitForPending(round(0), {timeoutMs: 10_000, step: async () => round(0)})).end, 'done')
  const again = await waitForPending(round(1, {again: true}), {timeoutMs: 10_000, step: async () => (steps++, round(0))})
  assert.equal(again.end, 'done')
  assert.equal(steps, 1)
  const t = await waitForPending(round(1), {timeoutMs: 200, step: async () => (steps++, round(1))})
  assert.equal(t.end, 'timeout')
  assert.equal(steps, 1, 'no event, no round: nothing polls')
  const ac = new AbortController()
  setTimeout(() => ac.abort(), 50)
  assert.equal((await waitForPending(round(1), {timeoutMs: 10_000, signal: ac.signal, step: async () => round(1)})).end, 'aborted')
  assert.equal((await waitForPending(round(1, {final: true}), {timeoutMs: 10_000, step: async () => round(1)})).end, 'final')
})

test('wait: a round that failed on a vanished link runs again after a pause, a few times at most, then it is final', async () => {
  let steps = 0
  const ok = await waitForPending(round(0, {retry: true}), {timeoutMs: 10_000, step: async () => (steps++, round(0))})
  assert.equal(ok.end, 'done')
  assert.equal(steps, 1)
  steps = 0
  const gaveUp = await waitForPending(round(1, {retry: true}), {timeoutMs: 10_000, step: async () => (steps++, round(1, {retry: true}))})
  assert.equal(gaveUp.end, 'final')
  assert.equal(steps, 3)
})
