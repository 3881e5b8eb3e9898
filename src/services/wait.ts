// Waiting for pending items, driven by events rather than polling: container start/stop from the engine's event
// stream, links appearing from `ip monitor link` in the namespaces concerned. An event is only a wake-up: the
// caller's round re-reads everything and applies what it can. No process-wide state (the caller brings an
// AbortSignal and a logger), so the CLI's `apply --wait` and a long-running agent share it.
import {DockerEngine, EngineUnreachable} from '../adapters/docker.js'
import {start, type NsHandle, type Started} from '../kernel/run.js'

/** What one round (observe, plan, apply) left. */
export interface Round {
  pending: {key: string; reason: string}[]
  /** Namespaces whose links can unblock an item: each gets an `ip monitor link`. */
  watch: NsHandle[]
  /** Container events matter: the config places items in MICROSERVICE namespaces. */
  containers: boolean
  /** Stop waiting (the round failed). */
  final?: boolean
  /**
   * The round failed and was reverted because something vanished under it (a link gone with a dying namespace): try
   * again a moment later — a few times, then it is final.
   */
  retry?: boolean
  /** Run another round at once (something became ready while this one applied). */
  again?: boolean
}

export interface WaitOptions {
  /** Give up after this long (exit 3 at the CLI). */
  timeoutMs: number
  signal?: AbortSignal
  log?: (msg: string) => void
  /** The engine whose events are followed (default: DOCKER_HOST or /var/run/docker.sock). */
  engine?: DockerEngine
  /** One round: observe, plan, apply what can be; what is left. */
  step: () => Promise<Round>
}

export type WaitEnd = 'done' | 'timeout' | 'aborted' | 'final'

/** Events come in bursts (a restart is restart, stop, die, init, start): one round after the burst settles. */
const SETTLE_MS = 40
const SETTLE_MAX_MS = 250
/** `ip monitor` subscribes a moment after it starts: links made in between are caught by one more round. */
const MONITOR_GAP_MS = 100
const RECONNECT_MS = [250, 500, 1000, 2000, 4000]
const RETRY_MS = 500
const MAX_RETRIES = 3

/** Container actions that can create or destroy a namespace. */
const CONTAINER_ACTIONS = new Set(['start', 'restart', 'stop', 'die', 'kill', 'destroy', 'remove', 'pause', 'unpause'])

/** A latch that rounds wait on: set by any event, cleared when a round starts. */
class Wakeup {
  private dirty = false
  private lastKick = 0
  private firstKick = 0
  private waiter?: () => void

  kick() {
    const now = Date.now()
    if (!this.dirty) this.firstKick = now
    this.dirty = true
    this.lastKick = now
    this.waiter?.()
  }

  /** true after an event (once its burst settles), false at the deadline or on abort. */
  async next(deadline: number, signal?: AbortSignal): Promise<boolean> {
    for (;;) {
      if (signal?.aborted) return false
      const now = Date.now()
      if (this.dirty) {
        const quietFor = now - this.lastKick
        const waited = now - this.firstKick
        if (quietFor >= SETTLE_MS || waited >= SETTLE_MAX_MS || now >= deadline) {
          this.dirty = false
          return true
        }
        await this.sleep(Math.min(SETTLE_MS - quietFor, SETTLE_MAX_MS - waited, deadline - now), signal, false)
        continue
      }
      if (now >= deadline) return false
      await this.sleep(deadline - now, signal, true)
    }
  }

  private sleep(ms: number, signal: AbortSignal | undefined, wakeOnKick: boolean): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t)
        signal?.removeEventListener('abort', done)
        if (this.waiter === done) this.waiter = undefined
        resolve()
      }
      const t = setTimeout(done, Math.max(0, ms))
      signal?.addEventListener('abort', done)
      if (wakeOnKick) this.waiter = done
    })
  }
}

/**
 * Runs rounds until nothing is pending, the deadline passes, the signal aborts or a round is final. `first` is
 * what the caller's first round left; one more round runs once the subscriptions are in place, since an event
 * between that round and the subscriptions would otherwise be missed.
 */
export async function waitForPending(first: Round, opts: WaitOptions): Promise<{end: WaitEnd; round: Round}> {
  const deadline = Date.now() + opts.timeoutMs
  const wake = new Wakeup()
  const inner = new AbortController()
  const abort = () => inner.abort()
  opts.signal?.addEventListener('abort', abort)
  const monitors = new Map<string, {w: Started; container: boolean}>()
  /** Monitors that ended on their own are not restarted while their namespace stays wanted (no restart loop). */
  const ended = new Set<string>()
  let events: Promise<void> | undefined
  let round = first
  let lastCount = -1

  const say = (r: Round) => {
    if (r.pending.length === lastCount) return
    lastCount = r.pending.length
    const left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000))
    opts.log?.(`waiting for ${r.pending.length} pending item${r.pending.length === 1 ? '' : 's'} (${left} s left): ${r.pending[0].key}: ${r.pending[0].reason}`)
  }

  /** One `ip monitor link` per watched namespace; a container's monitor stops at the container's first event. */
  const syncMonitors = async (r: Round) => {
    const want = new Map(r.watch.map((h) => [`${h.label}\u0000${h.path}`, h]))
    for (const [k, m] of monitors) {
      if (!want.has(k)) {
        m.w.stop()
        monitors.delete(k)
      }
    }
    for (const k of ended) if (!want.has(k)) ended.delete(k)
    let started = false
    for (const [k, h] of want) {
      if (monitors.has(k) || ended.has(k)) continue
      // Under coreutils' timeout: `ip monitor` never reads its stdin, so should lnx be killed it would notice only at
      // its next write — and hold its namespace alive until then.
      const w = start('timeout', [String(Math.ceil((deadline - Date.now()) / 1000) + 5), 'ip', 'monitor', 'link'], {ns: h})
      w.onLine(() => wake.kick())
      monitors.set(k, {w, container: !!h.microservice})
      // A monitor that ends on its own (its namespace is gone, or it could not start) is news too.
      void w.exited.then((code) => {
        if (code === 127) opts.log?.(`cannot watch links in ${h.label || 'the default namespace'}: ${w.stderr().trim()}`)
        if (monitors.get(k)?.w === w) {
          monitors.delete(k)
          ended.add(k)
          wake.kick()
        }
      })
      started = true
    }
    if (started) setTimeout(() => wake.kick(), MONITOR_GAP_MS).unref()
  }

  /**
   * Follows container events, reconnecting when the engine goes away (each reconnect is followed by a round: events
   * may have been missed). A monitor inside a container's namespace holds that namespace alive: they are stopped at
   * once on a container event so that a stopped container's namespace (and the links in it) can go.
   */
  const followEngine = async (engine: DockerEngine) => {
    let attempt = 0
    let reported = false
    while (!inner.signal.aborted) {
      try {
        const sub = await engine.events((e) => {
          if (!CONTAINER_ACTIONS.has(e.action)) return
          for (const [k, m] of monitors) {
            if (!m.container) continue
            m.w.stop()
            monitors.delete(k)
          }
          wake.kick()
        }, inner.signal)
        // Whatever happened before the subscription is read by one round now.
        wake.kick()
        attempt = 0
        reported = false
        await sub.ended
      } catch (e) {
        if (inner.signal.aborted) break
        if (!(e instanceof EngineUnreachable)) throw e
        if (!reported) opts.log?.(`${e.message}: retrying`)
        reported = true
      }
      if (inner.signal.aborted) break
      const ms = RECONNECT_MS[Math.min(attempt++, RECONNECT_MS.length - 1)]
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, ms)
        inner.signal.addEventListener('abort', () => {
          clearTimeout(t)
          resolve()
        })
      })
    }
  }

  let retries = 0
  let notBefore = 0
  /** What a round asks for next: null to go on waiting, or how the wait ends. */
  const after = (r: Round): WaitEnd | null => {
    if (r.retry && retries < MAX_RETRIES) {
      retries++
      notBefore = Date.now() + RETRY_MS
      opts.log?.(`a link vanished while applying; trying again (${retries}/${MAX_RETRIES})`)
      wake.kick()
      return null
    }
    if (r.final || r.retry) return 'final'
    retries = 0
    if (!r.pending.length) return 'done'
    say(r)
    if (r.again) wake.kick()
    return null
  }

  try {
    const end0 = after(round)
    if (end0) return {end: end0, round}
    await syncMonitors(round)
    if (round.containers) {
      const engine = opts.engine ?? new DockerEngine()
      events = followEngine(engine).catch((e) => opts.log?.(`container events: ${(e as Error).message}`))
    }
    for (;;) {
      const woke = await wake.next(deadline, inner.signal)
      if (inner.signal.aborted) return {end: 'aborted', round}
      if (!woke) return {end: round.retry ? 'final' : 'timeout', round}
      if (Date.now() < notBefore) {
        // Give what was vanishing the time to go; a signal or the deadline still end the wait.
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, Math.max(0, Math.min(notBefore, deadline) - Date.now()))
          inner.signal.addEventListener('abort', () => (clearTimeout(t), resolve()), {once: true})
        })
        if (inner.signal.aborted) return {end: 'aborted', round}
      }
      round = await opts.step()
      const end = after(round)
      if (end) return {end, round}
      if (round.containers && !events) events = followEngine(opts.engine ?? new DockerEngine()).catch((e) => opts.log?.(`container events: ${(e as Error).message}`))
      await syncMonitors(round)
    }
  } finally {
    inner.abort()
    opts.signal?.removeEventListener('abort', abort)
    for (const m of monitors.values()) m.w.stop()
    await Promise.all([...monitors.values()].map((m) => m.w.exited))
    await events
  }
}
