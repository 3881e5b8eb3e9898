// One acting run (apply, delete, an imperative verb, namespace add/delete): the lock, and what SIGINT/SIGTERM do at
// every moment of it. Handlers are installed before the lock is waited for and stay until it is released, so a
// signal never kills lnx between taking the lock and finishing: before anything changed it ends the run (exit 1,
// INTERRUPTED, nothing changed); during execution the executor stops after the running step and the run reverts;
// every further signal is announced and ignored.
import {appendFileSync, readFileSync, statSync} from 'node:fs'
import {LnxError} from '../errors.js'
import {acquireLock, tryLockNow, type Lock} from './lock.js'
import {readAhead, type ReadAhead} from '../kernel/observe.js'
import {probeIp} from '../kernel/run.js'

export interface Session {
  /** The signal that arrived, if one did. */
  interrupted(): string | undefined
  /** Throws INTERRUPTED when a signal arrived (for checkpoints before anything is changed). */
  checkpoint(): void
  /** Aborted when a signal arrives (wakes waits). */
  signal: AbortSignal
}

let active: Session | undefined

export const currentSession = (): Session | undefined => active

export interface SessionOptions {
  lockTimeoutSeconds?: number
  say?: (msg: string) => void
  /** The run's early start (startEarly): a signal that came then ends the session at once, nothing changed. */
  early?: Early
}

export interface Early {
  /** The default and named namespaces, read under the lock (null: not read; the run reads them itself). */
  ahead: Promise<ReadAhead | null>
  /** The signal that arrived since the lock was taken. */
  interrupted(): string | undefined
  /** Gives back the lock (the run's session holds it again meanwhile) and the signal handlers. */
  end(): Promise<void>
}

/**
 * The start of an acting CLI run, before it reads and validates the config: when the lock is free this instant it is
 * taken — a run that would wait validates first and waits afterwards, as before — and the kernel is read under it, so
 * that the reads run beside the validation and their processes are forked from a small heap. From the lock on, a
 * signal is recorded, not fatal: the session that follows ends the run INTERRUPTED, nothing changed (the reads are
 * the only thing running, and an invalid config gives the lock back). Read-only runs (plan, --dry-run) only read
 * ahead: they take no lock, and keep the default signal actions.
 */
export function startEarly(acting: boolean): Early {
  if (!acting) return {ahead: readAhead(), interrupted: () => undefined, end: async () => {}}
  void probeIp().catch(() => {})
  const lock: Lock | undefined = privilegedNow() ? tryLockNow() : undefined
  if (!lock) return {ahead: Promise.resolve(null), interrupted: () => undefined, end: async () => {}}
  let sig: string | undefined
  const onSig = (s: NodeJS.Signals) => void (sig ??= s)
  process.on('SIGINT', onSig)
  process.on('SIGTERM', onSig)
  return {
    ahead: readAhead(),
    interrupted: () => sig,
    end: async () => {
      await lock.release()
      process.off('SIGINT', onSig)
      process.off('SIGTERM', onSig)
    },
  }
}

let begun: {files: string[]; acting: boolean; early: Early} | undefined

/**
 * A run's early start for its config files (regular files only: a pipe or a terminal may keep the run waiting on its
 * input, with the lock taken and Ctrl-C deferred), begun as soon as they are known — by bin/run.js before lnx is even
 * loaded (cli-early.ts), else by the run itself — and taken once by the run (takeEarly).
 */
export function beginEarly(files: string[], acting: boolean): void {
  if (begun || !files.length || !files.every(regularFile)) return
  begun = {files, acting, early: startEarly(acting)}
}

/** The early start begun for exactly these files and this kind of run, taken once; another one is ended. */
export async function takeEarly(files: string[], acting: boolean): Promise<Early | undefined> {
  beginEarly(files, acting)
  const b = begun
  begun = undefined
  if (!b) return undefined
  if (b.acting === acting && b.files.length === files.length && b.files.every((f, i) => f === files[i])) return b.early
  await b.early.end()
  return undefined
}

function regularFile(f: string): boolean {
  try {
    return f !== '-' && statSync(f).isFile()
  } catch {
    return false
  }
}

/** What checkPrivileges (services/reconcile.ts) tests — CAP_NET_ADMIN and CAP_SYS_ADMIN — without giving up the
 * thread: false when in doubt. */
function privilegedNow(): boolean {
  const [CAP_NET_ADMIN, CAP_SYS_ADMIN] = [12, 21]
  try {
    const eff = BigInt(`0x${readFileSync('/proc/self/status', 'utf8').match(/^CapEff:\s*([0-9a-f]+)/m)?.[1] ?? '0'}`)
    return [CAP_NET_ADMIN, CAP_SYS_ADMIN].every((c) => eff & (1n << BigInt(c)))
  } catch {
    return false
  }
}

const nothingChanged = (sig: string) => new LnxError('INTERRUPTED', `interrupted by ${sig} before anything was changed`)

/** Runs fn holding the lock, with signal handling; nested calls (a verb calling the engine) share the session. */
export async function withSession<T>(opts: SessionOptions, fn: (s: Session) => Promise<T>): Promise<T> {
  if (active) return fn(active)
  let sig: string | undefined
  const ac = new AbortController()
  const onSig = (s: NodeJS.Signals) => {
    // The first signal stops the run (a pass that changed something reverts it); the revert must finish, so later
    // ones are announced and ignored.
    if (sig) {
      process.stderr.write('reverting, please wait\n')
      return
    }
    sig = s
    ac.abort(s)
  }
  const session: Session = {
    interrupted: () => sig,
    checkpoint: () => {
      if (sig) throw nothingChanged(sig)
    },
    signal: ac.signal,
  }
  process.on('SIGINT', onSig)
  process.on('SIGTERM', onSig)
  const before = opts.early?.interrupted()
  if (before) onSig(before as NodeJS.Signals)
  let release: (() => Promise<void>) | undefined
  try {
    const lock = await acquireLock({
      timeoutMs: (opts.lockTimeoutSeconds ?? 60) * 1000,
      signal: ac.signal,
      onWait: (pid) => opts.say?.(`waiting for another lnx run (pid ${pid ?? '?'}) to finish…`),
    })
    release = () => lock.release()
    active = session
    trace('locked')
    await testPause('lock', ac.signal)
    session.checkpoint()
    return await fn(session)
  } catch (e) {
    // Whatever failed after a signal (an `ip` read killed with lnx's process group) failed because of it. Changes
    // are reverted inside the run, so an exception that gets here means nothing of this run is left applied.
    if (sig && !(e instanceof LnxError && e.code === 'INTERRUPTED')) throw nothingChanged(sig)
    throw e
  } finally {
    active = undefined
    if (release) {
      trace('released')
      await release()
    }
    process.off('SIGINT', onSig)
    process.off('SIGTERM', onSig)
  }
}

// ------------------------------------------------------------------------------------------------------------
// Test-only hooks (documented in the README; inert unless the variables are set).

/** LNX_TEST_PAUSE_AFTER=<point> sleeps LNX_TEST_PAUSE_MS (3000) at that point — "lock", or a phase name — so a test
 * can signal lnx there; a signal ends the pause early. */
export async function testPause(point: string, signal?: AbortSignal): Promise<void> {
  if (process.env.LNX_TEST_PAUSE_AFTER !== point) return
  const ms = Number(process.env.LNX_TEST_PAUSE_MS ?? 3000)
  await new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms)
    signal?.addEventListener('abort', () => {
      clearTimeout(t)
      resolve()
    }, {once: true})
  })
}

/** LNX_TEST_TRACE=<file>: one line per lock event, "<pid> <locked|released> <monotonic ns>", so a test can prove
 * that runs never overlapped. */
function trace(event: string) {
  const f = process.env.LNX_TEST_TRACE
  if (f) appendFileSync(f, `${process.pid} ${event} ${process.hrtime.bigint()}\n`)
}
