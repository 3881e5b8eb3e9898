// `apply --try SECONDS` (netplan try, nmstate checkpoints): apply and verify, then keep the change only if someone
// confirms it in time. The decision must not depend on the process that applied: before it waits, the journal
// (try-journal.ts) is written and a detached timer process (own session, no terminal) is started; the timer reverts
// at the deadline even when the terminal hangs up or lnx is killed. confirm, rollback and the timer decide under the
// namespace lock, so exactly one of them acts on a journal; the waiting apply only reports what was decided.
import {randomBytes} from 'node:crypto'
import {LnxError} from '../errors.js'
import {assemble, parseNamespace, type Observation} from '../kernel/observe.js'
import {DEFAULT_HANDLE} from '../kernel/namespaces.js'
import {refuseIfAgent} from './claim.js'
import {spawnDetached, type NsHandle} from '../kernel/run.js'
import type {Cmd} from './contract.js'
import {acquireLock} from './lock.js'
import {checkPrivileges, revertRun, runFiles, type EngineOptions, type EngineOutput, type PlanResult} from '../services/cli-run.js'
import {
  JOURNAL_VERSION, readJournal, readOutcome, removeJournal, startTime, timerAlive, timerLogPath, writeJournal, writeOutcome,
  type TryJournal, type TryOutcome,
} from './try-journal.js'

export interface TryInfo {
  id: string
  seconds: number
  deadline: string
  outcome: TryOutcome['outcome']
  by: TryOutcome['by']
  reverted?: string[]
  errors?: string[]
}

export interface TryOptions {
  seconds: number
  /** Enter on this terminal confirms (apply on a TTY, without --json). */
  enterConfirms: boolean
  /** Where the detached timer runs from: node and lnx's entry script. */
  self: {node: string; script: string}
  /** Told once the change is applied and the clock runs. */
  onWaiting?: (j: TryJournal, applied: EngineOutput) => void
}

/** Handles as the journal stores them → handles of this process (lnx's own namespace is /proc/<pid>/ns/net). */
function localHandle(h: NsHandle): NsHandle {
  return h.isDefault ? DEFAULT_HANDLE : h
}

function localCmds(cmds: Cmd[], oldDefault: string): Cmd[] {
  const fix = (c: Cmd): Cmd => ({
    ...c,
    ns: localHandle(c.ns),
    ...(c.line ? {line: c.line.split(' ').map((t) => (t === oldDefault ? DEFAULT_HANDLE.path : t)).join(' ')} : {}),
    undo: c.undo.map(fix),
  })
  return cmds.map(fix)
}

function beforeOf(j: TryJournal): Observation {
  return assemble(j.before.map((n) => parseNamespace(localHandle(n.handle), n.id, n.reads)))
}

function journalFor(applied: Cmd[], before: Observation, files: string[], opts: EngineOptions & {seconds: number}): TryJournal {
  const now = Date.now()
  return {
    version: JOURNAL_VERSION,
    id: randomBytes(6).toString('hex'),
    label: opts.label,
    pid: process.pid,
    files,
    seconds: opts.seconds,
    started: new Date(now).toISOString(),
    deadline: new Date(now + opts.seconds * 1000).toISOString(),
    defaultPath: DEFAULT_HANDLE.path,
    applied,
    before: before.namespaces.map((n) => {
      if (!n.reads) throw new LnxError('INTERNAL', `the observation of ${n.handle.label || 'the default namespace'} kept no raw reads`)
      return {handle: n.handle, id: n.id, reads: n.reads}
    }),
    keys: [...new Set(applied.map((c) => c.key))],
  }
}

/** apply, then wait for the decision; the result says how it ended. */
export async function applyTry(files: string[], opts: EngineOptions & TryOptions): Promise<EngineOutput & {try?: TryInfo}> {
  // The agent would hold back while the try waits, then reconcile its label back to the store: the try could only be
  // undone by it. Refused up front, like apply --prune.
  await refuseIfAgent(opts.label, 'apply --try')
  let journal: TryJournal | undefined
  const out = await runFiles(files, {
    ...opts,
    beforeUnlock: async ({applied, before}) => {
      if (!applied.length) return
      const j = journalFor(applied, before, files, opts)
      try {
        await writeJournal(j)
        // Test-only fault hooks are for the apply, not for the timer's revert.
        const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('LNX_TEST_')))
        const pid = await spawnDetached(opts.self.node, [opts.self.script, 'rollback', '--timer', j.id], {log: await timerLogPath(), env})
        j.timer = {pid, start: await startTime(pid)}
        await writeJournal(j)
      } catch (e) {
        // No safety net, no change: undo now rather than leave a try nobody would revert.
        await removeJournal()
        await revertRun(applied, before, opts.label)
        throw new LnxError('INTERNAL', `could not arm the --try timer (${(e as Error).message}); the change was reverted`)
      }
      journal = j
    },
  })
  if (!journal) return out
  opts.onWaiting?.(journal, out)
  const outcome = await waitForDecision(journal, opts)
  const info: TryInfo = {
    id: journal.id,
    seconds: journal.seconds,
    deadline: journal.deadline,
    outcome: outcome.outcome,
    by: outcome.by,
    ...(outcome.reverted ? {reverted: outcome.reverted} : {}),
    ...(outcome.errors?.length ? {errors: outcome.errors} : {}),
  }
  if (outcome.outcome === 'confirmed') return {...out, try: info}
  const why = outcome.by === 'timeout' ? `not confirmed within ${journal.seconds} s` : outcome.by === 'signal' ? 'interrupted while waiting for confirmation' : 'rolled back (lnx rollback)'
  const result: PlanResult = {
    ...out.result,
    result: outcome.outcome === 'reverted' ? 'reverted' : 'failed',
    error: {code: 'NOT_CONFIRMED', message: outcome.outcome === 'reverted' ? `${why}: reverted` : `${why}; revert incomplete: ${(outcome.errors ?? []).join('; ')}`},
    reverted: outcome.reverted ?? journal.keys,
  }
  return {...out, result, exitCode: 1, try: info}
}

/**
 * Waits until confirm, rollback or the timer has decided (the journal is gone and the outcome names this try).
 * Enter confirms from here; SIGINT/SIGTERM roll back at once. A hang-up needs no handler: this process dies and the
 * timer decides. Should the timer itself be gone at the deadline, this process reverts in its place.
 */
async function waitForDecision(j: TryJournal, opts: TryOptions): Promise<TryOutcome> {
  let acting: Promise<TryOutcome> | undefined
  const act = (f: () => Promise<TryOutcome>) => (acting ??= f().catch((e) => ({id: j.id, outcome: 'failed' as const, by: 'signal' as const, at: new Date().toISOString(), errors: [(e as Error).message]})))
  const onSig = () => void act(() => decide(j.id, 'rollback', 'signal'))
  process.on('SIGINT', onSig)
  process.on('SIGTERM', onSig)
  const stdin = process.stdin
  const onData = (d: Buffer) => {
    if (d.includes(10) || d.includes(13)) void act(() => decide(j.id, 'confirm', 'enter'))
  }
  if (opts.enterConfirms && stdin.isTTY) {
    stdin.on('data', onData)
    stdin.resume()
  }
  try {
    const deadline = Date.parse(j.deadline)
    for (;;) {
      if (acting) return await acting
      const cur = await readJournal()
      if (!cur || cur.id !== j.id) {
        const o = await readOutcome()
        if (o?.id === j.id) return o
        return {id: j.id, outcome: 'failed', by: 'rollback', at: new Date().toISOString(), errors: ['the try journal vanished without an outcome']}
      }
      if (Date.now() > deadline + 3000 && !(await timerAlive(cur))) void act(() => decide(j.id, 'rollback', 'timeout'))
      await new Promise((r) => setTimeout(r, 100))
    }
  } finally {
    process.off('SIGINT', onSig)
    process.off('SIGTERM', onSig)
    if (opts.enterConfirms && stdin.isTTY) {
      stdin.off('data', onData)
      stdin.pause()
    }
  }
}

/**
 * Confirms or reverts the pending try (only the one named by id, when given), under the lock: one decision per try,
 * whoever comes first. Returns undefined when there is nothing (left) to decide.
 */
async function decideLocked(id: string | undefined, what: 'confirm' | 'rollback', by: TryOutcome['by'], lockTimeoutMs: number): Promise<{j: TryJournal; o: TryOutcome} | undefined> {
  const lock = await acquireLock({timeoutMs: lockTimeoutMs})
  try {
    const j = await readJournal()
    if (!j || (id && j.id !== id)) return undefined
    // The timer must not wake up to a journal that is being decided (it would wait for the lock, then find none).
    if (by !== 'timeout' && j.timer && (await timerAlive(j))) {
      try {
        process.kill(j.timer.pid, 'SIGTERM')
      } catch {
        // Gone meanwhile.
      }
    }
    let o: TryOutcome
    if (what === 'confirm') {
      o = {id: j.id, outcome: 'confirmed', by, at: new Date().toISOString()}
    } else {
      const r = await revertRun(localCmds(j.applied, j.defaultPath), beforeOf(j), j.label)
      o = {id: j.id, outcome: r.ok ? 'reverted' : 'failed', by, at: new Date().toISOString(), reverted: j.keys, ...(r.ok ? {} : {errors: r.errors})}
    }
    await writeOutcome(o)
    await removeJournal()
    return {j, o}
  } finally {
    await lock.release()
  }
}

async function decide(id: string, what: 'confirm' | 'rollback', by: TryOutcome['by']): Promise<TryOutcome> {
  const d = await decideLocked(id, what, by, 10 * 60_000)
  if (d) return d.o
  const o = await readOutcome()
  if (o?.id === id) return o
  throw new LnxError('INTERNAL', 'the try was decided elsewhere without an outcome')
}

export interface TryDecision {
  id: string
  result: 'confirmed' | 'reverted' | 'failed'
  files: string[]
  started: string
  deadline: string
  /** Keys of the items the try changed (kept, or reverted). */
  items: string[]
  errors?: string[]
}

async function nothingPending(what: string): Promise<LnxError> {
  const o = await readOutcome()
  const last = o ? ` (the last one was ${o.outcome === 'confirmed' ? 'confirmed' : o.outcome === 'reverted' ? 'reverted' : 'reverted incompletely'} at ${new Date(o.at).toTimeString().slice(0, 8)}${o.by === 'timeout' ? ', not confirmed in time' : ''})` : ''
  return new LnxError('INVALID', `no --try is pending: nothing to ${what}${last}`, {hint: 'lnx apply -f FILE --try SECONDS starts one'})
}

/** `lnx confirm` / `lnx rollback` (and the timer: `rollback --timer ID`, which waits for the deadline first). */
export async function decideTry(what: 'confirm' | 'rollback', opts: {timerId?: string; lockTimeoutSeconds?: number} = {}): Promise<TryDecision> {
  await checkPrivileges()
  if (opts.timerId) await sleepUntilDeadline(opts.timerId)
  const d = await decideLocked(opts.timerId, what, opts.timerId ? 'timeout' : what, opts.timerId ? 10 * 60_000 : (opts.lockTimeoutSeconds ?? 60) * 1000)
  if (!d) throw await nothingPending(what)
  return {
    id: d.j.id,
    result: d.o.outcome,
    files: d.j.files,
    started: d.j.started,
    deadline: d.j.deadline,
    items: d.j.keys,
    ...(d.o.errors?.length ? {errors: d.o.errors} : {}),
  }
}

/** The timer: sleeps until its try's deadline; a hang-up cannot stop it, confirm/rollback end it with SIGTERM. */
async function sleepUntilDeadline(id: string): Promise<void> {
  process.on('SIGHUP', () => {})
  const j = await readJournal()
  if (!j || j.id !== id) throw await nothingPending('roll back')
  const ms = Date.parse(j.deadline) - Date.now()
  if (ms > 0) await new Promise((r) => setTimeout(r, ms))
}
