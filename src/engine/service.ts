// plan / apply / delete for the CLI: load → check privileges → lock → reconcile (services/reconcile.ts: observe →
// plan → execute → verify, reverting on failure) → exit code. The CLI's own parts live here: signal handlers,
// the lock held across --wait, polling for pending items.
import {EXIT, type ItemError} from '../errors.js'
import {loadDesired} from '../config/index.js'
import type {Desired} from '../model/types.js'
import type {Observation} from '../kernel/observe.js'
import {probeIp} from '../kernel/run.js'
import type {Change, Pending} from './plan.js'
import {acquireLock} from './lock.js'
import {checkPrivileges, planOnly, reconcile, toJson} from '../services/reconcile.js'

export {checkPrivileges, toJson}

export interface ChangeJson {
  action: Change['action']
  kind: Change['kind']
  key: string
  namespace: string
  detail: string
  commands: string[]
  drift?: boolean
}

export interface PlanResult {
  changes: ChangeJson[]
  pending: Pending[]
  summary: {create: number; update: number; delete: number; pending: number; unchanged: number}
  warnings?: string[]
  result?: 'applied' | 'pending' | 'reverted' | 'failed'
  error?: {code: string; message: string; key?: string}
  reverted?: string[]
}

export interface EngineOptions {
  label: string
  mode: 'plan' | 'apply' | 'delete'
  dryRun?: boolean
  prune?: boolean
  noRollback?: boolean
  waitSeconds?: number
  lockTimeoutSeconds?: number
  deleteNamespaces?: boolean
  /** Imperative: the changes are the user's own, never drift. */
  imperative?: boolean
  /** Announcements and progress (stderr, TTY only — the command decides). */
  say?: (msg: string) => void
}

export interface EngineOutput {
  result: PlanResult
  exitCode: number
  warnings: ItemError[]
  /** plan / dry-run: the kernel as read for this plan (lnx graph draws it without reading again). */
  obs?: Observation
}

export async function runFiles(files: string[], opts: EngineOptions): Promise<EngineOutput> {
  const {desired, warnings} = await loadDesired(files)
  return runDesired(desired, opts, warnings)
}

export async function runDesired(desired: Desired, opts: EngineOptions, warnings: ItemError[] = []): Promise<EngineOutput> {
  await checkPrivileges()
  const acting = opts.mode !== 'plan' && !opts.dryRun
  if (!acting) {
    const {plan: p, obs} = await planOnly(desired, opts)
    const result = toJson(p)
    return {result, exitCode: opts.mode === 'plan' ? EXIT.OK : result.pending.length ? EXIT.PENDING : EXIT.OK, warnings, obs}
  }
  await probeIp()
  const lock = await acquireLock({
    timeoutMs: (opts.lockTimeoutSeconds ?? 60) * 1000,
    onWait: (pid) => opts.say?.(`waiting for another lnx run (pid ${pid ?? '?'}) to finish…`),
  })
  const logger = {info: (m: string) => opts.say?.(m)}
  try {
    const allChanges: ChangeJson[] = []
    const deadline = Date.now() + (opts.waitSeconds ?? 0) * 1000
    for (;;) {
      const outcome = await withSignals((signal) => reconcile(desired, {...opts, mode: opts.mode as 'apply' | 'delete', locked: true}, signal, logger))
      if (outcome.cause) throw outcome.cause
      allChanges.push(...outcome.report.changes)
      if (outcome.report.result !== 'applied' && outcome.report.result !== 'pending') {
        return {result: {...outcome.report, changes: allChanges}, exitCode: EXIT.FAILED, warnings}
      }
      if (!outcome.planned.length && !outcome.pending.length) {
        return {result: {...outcome.report, changes: allChanges, pending: []}, exitCode: EXIT.OK, warnings}
      }
      if (Date.now() >= deadline) {
        const result = {...outcome.report, changes: allChanges, pending: outcome.pending, result: 'pending' as const}
        result.summary = {...result.summary, pending: outcome.pending.length}
        return {result, exitCode: EXIT.PENDING, warnings}
      }
      opts.say?.(`waiting for ${outcome.pending.length} pending item${outcome.pending.length === 1 ? '' : 's'}…`)
      await new Promise((r) => setTimeout(r, 500))
    }
  } finally {
    await lock.release()
  }
}

/** SIGINT/SIGTERM during a pass stop it after the running step and revert what it did (the CLI's behaviour). */
async function withSignals<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ac = new AbortController()
  const onSig = (s: NodeJS.Signals) => ac.abort(s)
  process.on('SIGINT', onSig)
  process.on('SIGTERM', onSig)
  try {
    return await fn(ac.signal)
  } finally {
    process.off('SIGINT', onSig)
    process.off('SIGTERM', onSig)
  }
}
