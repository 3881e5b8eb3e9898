// plan / apply / delete for the CLI: load → check privileges → lock → reconcile (services/reconcile.ts: observe →
// plan → execute → verify, reverting on failure) → exit code. The CLI's own parts live here: the run session
// (lock and signal handlers, session.ts) held across --wait, whose passes are woken by events (services/wait.ts).
import {EXIT, LnxError, type ItemError} from '../errors.js'
import {loadDesired} from '../config/index.js'
import type {Desired} from '../model/types.js'
import type {Observation} from '../kernel/observe.js'
import {probeIp} from '../kernel/run.js'
import type {Cmd} from '../engine/contract.js'
import {takeEarly, withSession, type Early} from '../engine/session.js'
import {assertNoTry} from '../engine/try-journal.js'
import {refuseIfAgent} from '../engine/claim.js'
import {checkPrivileges, planOnly, reconcile, revertRun, toJson, type ReconcileOutcome, type RunScope} from './reconcile.js'
import {waitForPending, type Round} from './wait.js'
import {mark, markStart} from '../engine/timings.js'

export {checkPrivileges, revertRun, toJson}

import type {ChangeJson, PlanResult} from './result.js'
export type {ChangeJson, PlanResult}

export interface EngineOptions extends RunScope {
  mode: 'plan' | 'apply' | 'delete'
  dryRun?: boolean
  /** --prune with a config that names nothing: allowed only when asked (it deletes everything lnx owns). */
  allowEmpty?: boolean
  waitSeconds?: number
  lockTimeoutSeconds?: number
  /** Announcements and progress (stderr, TTY only — the command decides). */
  say?: (msg: string) => void
  /**
   * Called after a successful apply, still under the lock, with every command the run applied and the kernel as
   * read before it (with its raw reads): `apply --try` hands them to its journal before anyone else can run.
   */
  beforeUnlock?: (run: {applied: Cmd[]; before: Observation}) => Promise<void>
  /** The run's early start (runFiles): the kernel read ahead is used by the first pass only. */
  early?: Early
}

export interface EngineOutput {
  result: PlanResult
  exitCode: number
  warnings: ItemError[]
  /** plan / dry-run: the kernel as read for this plan (lnx graph draws it without reading again). */
  obs?: Observation
}

export async function runFiles(files: string[], opts: EngineOptions): Promise<EngineOutput> {
  markStart()
  // The kernel is read (under the lock, when free) while lnx loads and the config is read and validated.
  const early = await takeEarly(files, opts.mode !== 'plan' && !opts.dryRun)
  try {
    let loaded: Awaited<ReturnType<typeof loadDesired>>
    try {
      loaded = await loadDesired(files)
    } catch (e) {
      const sig = early?.interrupted()
      throw sig ? new LnxError('INTERRUPTED', `interrupted by ${sig} before anything was changed`) : e
    }
    mark('read+validate')
    return await runDesired(loaded.desired, {...opts, early}, loaded.warnings)
  } finally {
    await early?.end()
  }
}

export async function runDesired(desired: Desired, opts: EngineOptions, warnings: ItemError[] = []): Promise<EngineOutput> {
  if (opts.prune && opts.mode !== 'delete' && !opts.allowEmpty && !desired.interfaces.length && !desired.routes.length && !desired.arps.length) {
    throw new LnxError('INVALID', 'the config is empty: with --prune it would delete everything lnx owns', {
      hint: 'pass --allow-empty if that is what you want (an empty file or pipe is a valid config)',
    })
  }
  await checkPrivileges()
  await assertNoTry()
  const acting = opts.mode !== 'plan' && !opts.dryRun
  if (!acting) {
    const {plan: p, obs} = await planOnly(desired, {...opts, ahead: opts.early?.ahead})
    const result = toJson(p)
    return {result, exitCode: opts.mode === 'plan' ? EXIT.OK : result.pending.length ? EXIT.PENDING : EXIT.OK, warnings: [...warnings, ...p.foreignStrips], obs}
  }
  await probeIp()
  if (opts.prune || opts.mode === 'delete') await refuseIfAgent(opts.label, opts.mode === 'delete' ? 'delete' : 'apply --prune')
  // The lock and the signal handlers span the whole run, --wait included (session.ts): a signal at any moment either
  // ends the run before anything changed or makes the running pass stop and revert; later signals are ignored.
  return withSession({lockTimeoutSeconds: opts.lockTimeoutSeconds, say: opts.say, early: opts.early}, async (session) => {
    const logger = {info: (m: string) => opts.say?.(m)}
    // A try may have started while this run waited for the lock.
    await assertNoTry()
    const allChanges: ChangeJson[] = []
    const allApplied: Cmd[] = []
    let before: Observation | undefined
    const done = async (out: EngineOutput): Promise<EngineOutput> => {
      if (opts.beforeUnlock && before) await opts.beforeUnlock({applied: allApplied, before})
      return out
    }
    let ahead = opts.early?.ahead
    const pass = async () => {
      const outcome = await reconcile(desired, {...opts, mode: opts.mode as 'apply' | 'delete', locked: true, keepReads: !!opts.beforeUnlock && !before, ahead}, session.signal, logger)
      ahead = undefined
      if (outcome.cause) throw outcome.cause
      // The first pass read the kernel before anything of this run changed it: --try reverts to that.
      before ??= outcome.before
      if (!allChanges.length) warnings = [...warnings, ...outcome.stripped]
      allChanges.push(...outcome.report.changes)
      allApplied.push(...outcome.applied)
      return outcome
    }
    let last = await pass()
    if (opts.waitSeconds && ((!failed(last) && last.pending.length) || vanished(last)) && !session.interrupted()) last = await waitPasses(desired, last, pass, opts, session.signal)
    if (failed(last)) return {result: withChanges(last.report, allChanges), exitCode: EXIT.FAILED, warnings}
    // A signal while waiting for pending items ends the wait; what the passes applied is complete and verified.
    const sig = session.interrupted()
    return done(output(last, allChanges, warnings, sig && last.pending.length ? `interrupted by ${sig} while waiting for pending items; what was applied stays` : undefined))
  })
}

/**
 * A result listing the changes of every round of `--wait`: its summary counts what `changes` lists. `result` is the
 * last round's: what an earlier round created or updated, that round finds unchanged — counted once, as changed.
 */
function withChanges<R extends PlanResult>(result: R, changes: ChangeJson[]): R {
  const count = (a: ChangeJson['action']) => changes.filter((c) => c.action === a).length
  const again = new Set([...result.changes.map((c) => c.key), ...result.pending.map((p) => p.key)])
  const earlier = new Set(changes.slice(0, changes.length - result.changes.length).filter((c) => c.action !== 'delete' && !again.has(c.key)).map((c) => c.key))
  const unchanged = Math.max(0, result.summary.unchanged - earlier.size)
  return {...result, changes, summary: {...result.summary, create: count('create'), update: count('update'), delete: count('delete'), unchanged}}
}

const failed = (o: ReconcileOutcome) => o.report.result !== 'applied' && o.report.result !== 'pending'

/**
 * A pass reverted because a link it meant to change was gone by then — a veth end going with a stopped container's
 * namespace, which the kernel tears down a moment after the container's events. Under --wait it is tried again.
 */
const vanished = (o: ReconcileOutcome) => o.report.result === 'reverted' && o.report.error?.code === 'KERNEL' && /Cannot find device|No such device/.test(o.report.error.message)

/** The CLI's view of the last pass: every pass's changes, and what the last one left pending. */
function output(last: ReconcileOutcome, changes: ChangeJson[], warnings: ItemError[], note?: string): EngineOutput {
  const w = [...(last.report.warnings ?? []), ...(note ? [note] : [])]
  const result: PlanResult = withChanges({
    ...last.report,
    pending: last.pending,
    summary: {...last.report.summary, pending: last.pending.length},
    ...(w.length ? {warnings: w} : {}),
    result: last.pending.length ? 'pending' : 'applied',
  }, changes)
  return {result, exitCode: last.pending.length ? EXIT.PENDING : EXIT.OK, warnings}
}

/**
 * --wait: one more pass per wake-up (services/wait.ts: container events, `ip monitor link`) until nothing is pending,
 * the time is up or a signal arrives (the session's) — no polling.
 */
async function waitPasses(desired: Desired, first: ReconcileOutcome, pass: () => Promise<ReconcileOutcome>, opts: EngineOptions, signal: AbortSignal): Promise<ReconcileOutcome> {
  const containers = desired.interfaces.some((d) => d.ns.type === 'MICROSERVICE')
  const round = (o: ReconcileOutcome): Round => ({pending: o.pending, watch: o.watch, containers, final: failed(o) && !vanished(o), retry: vanished(o), again: o.readyNow})
  let last = first
  await waitForPending(round(first), {timeoutMs: opts.waitSeconds! * 1000, signal, log: opts.say, step: async () => round((last = await pass()))})
  return last
}
