// `lnx agent`: northbound sources (etcd; gRPC beside it, each owning its own keys) feed one desired set; every change batch is one reconcile transaction on the same engine as the CLI (services/reconcile.ts), one
// at a time. Pending items and drift are woken by `ip monitor`; failures are retried with backoff.
import {reconcile, checkPrivileges, type ReconcileOutcome} from '../services/reconcile.js'
import {probeIp, type NsHandle} from '../kernel/run.js'
import {observe} from '../kernel/observe.js'
import {namedHandle, nsId} from '../kernel/namespaces.js'
import {DEFAULT_HANDLE} from '../kernel/namespaces.js'
import {watchKernel, type KernelWatch} from '../kernel/monitor.js'
import {ownedConfig} from '../engine/owned-config.js'
import {claimLabel, type Claim} from '../engine/claim.js'
import {describeTry, journalPath, readJournal} from '../engine/try-journal.js'
import {watch, type FSWatcher} from 'node:fs'
import {basename, dirname} from 'node:path'
import type {Pending} from '../engine/contract.js'
import {waitForPending, type Round} from '../services/wait.js'
import {arpKey, interfaceKey, routeKey} from '../model/keys.js'
import type {NsRef} from '../model/types.js'
import {buildDesired, forgetKey, sectionOf, type Built, type NbItem, type Rejection} from './desired.js'
import {EtcdSource} from './etcd-source.js'
import type {AgentLog} from './log.js'

export interface AgentOptions {
  etcd: string[]
  label: string
  http?: string
  allowEmpty: boolean
  log: AgentLog
}

export interface TxnRecord {
  id: number
  source: string
  revision?: number
  started: string
  duration_ms: number
  counts: {create: number; update: number; delete: number; pending: number; rejected: number}
  result: ReconcileOutcome['result'] | 'refused-empty'
  error?: string
  drift?: string[]
}

/** A northbound source: owns a set of keys; tells the agent when they changed. */
export interface Source {
  name: string
  items(): NbItem[]
  state(): Record<string, unknown>
  stop(): Promise<void>
}

interface Want {
  sources: Set<string>
  revision?: number
  resync: boolean
  /** Callers waiting for the transaction that takes this change in (submit). */
  waiters: ((r: TxnResult) => void)[]
}

/** What the transaction that took a submitted change in came to. */
export interface TxnResult {
  /** The transaction's id (its log line, /status), when it was recorded. */
  id?: number
  result: TxnRecord['result']
  /** The engine's error code (INVALID, COLLISION, KERNEL, VERIFY, …) and message, when it did not succeed. */
  error?: {code: string; message: string; key?: string}
  pending: Pending[]
  rejected: Rejection[]
}

const HISTORY = 50

/**
 * Neighbour entries the kernel itself moves between states (REACHABLE → STALE → … on every busy link) are none of
 * lnx's: its own are PERMANENT with protocol 76, and iproute2 prints that protocol on every line about them (even
 * "… FAILED proto 76" when one is deleted). Skipping the others keeps a busy host from waking the agent all the time.
 */
export const transientNeighbour = (line: string) => /\b(REACHABLE|STALE|DELAY|PROBE|INCOMPLETE|FAILED|NOARP)\s*$/.test(line)

/** Model key → the item as desired (normalised), to tell what a transaction's store change touched. */
const builtValues = new WeakMap<Built, Map<string, string>>()
function valuesOf(b: Built): Map<string, string> {
  let m = builtValues.get(b)
  if (!m) {
    m = new Map()
    for (const i of [...b.desired.interfaces, ...b.desired.routes, ...b.desired.arps]) m.set(i.key, JSON.stringify(i))
    builtValues.set(b, m)
  }
  return m
}

export class Agent {
  readonly label: string
  readonly txns: TxnRecord[] = []
  pending: Pending[] = []
  rejected: Rejection[] = []
  built?: Built
  /** The desired set the last transaction reconciled to (drift is judged against it). */
  private lastApplied?: Built
  started = new Date().toISOString()
  private sources: Source[] = []
  private lastGood = new Map<string, string>()
  private txnId = 0
  private want: Want | null = null
  private draining: Promise<void> | null = null
  private stopping = false
  private abort = new AbortController()
  private retryMs = 0
  private retryTimer?: NodeJS.Timeout
  private kernelTimer?: NodeJS.Timeout
  /** The wait for pending items (services/wait.ts): container events and `ip monitor link`, one round per wake-up. */
  private waiter?: AbortController
  private lastOutcome?: ReconcileOutcome
  private kernel?: KernelWatch
  private claim?: Claim
  private pruneSuspended = false
  /** Set while a pending `apply --try` holds transactions back; its watch wakes the agent when the try is decided. */
  private heldByTry?: FSWatcher
  /** Subscribers told after every transaction (the web page's live updates). */
  readonly listeners = new Set<() => void>()

  constructor(readonly opts: AgentOptions) {
    this.label = opts.label
  }

  private log = (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => this.opts.log.log(level, msg, fields)

  /** A source beside etcd (gRPC); added before start(), so that the first full resync counts its keys. */
  addSource(s: Source): void {
    this.sources.push(s)
  }

  /** The source that has this model key, if any. */
  ownerOf(key: string): string | undefined {
    return this.sources.find((s) => s.items().some((i) => i.key === key))?.name
  }

  /**
   * Queues a transaction for a source whose items changed and resolves with its outcome (the gRPC configurator
   * answers with it). Serialized with every other transaction like kick().
   */
  submit(source: string): Promise<TxnResult> {
    if (this.stopping) return Promise.resolve({result: 'refused', error: {code: 'INTERRUPTED', message: 'the agent is stopping'}, pending: this.pending, rejected: this.rejected})
    // A source's own change means the store is in use, as an etcd put does: pruning resumes.
    this.pruneSuspended = false
    return new Promise((resolve) => {
      // Waiting on the want kick() is about to take (it starts draining at once when idle).
      this.want ??= {sources: new Set(), resync: false, waiters: []}
      this.want.waiters.push(resolve)
      this.kick(source)
    })
  }

  /** Checks the host and claims the label (exit 4 when another agent has it). */
  async claimLabel(): Promise<void> {
    await checkPrivileges()
    await probeIp()
    this.claim = await claimLabel({pid: process.pid, label: this.label, etcd: this.opts.etcd.join(','), http: this.opts.http, started: this.started})
  }

  /** Starts the sources; resolves once they run. */
  async start(): Promise<void> {
    this.kernel = watchKernel(['link', 'address', 'route', 'neigh'], (ns, line) => {
      if (transientNeighbour(line)) return
      if (process.env.LNX_VERBOSE) this.log('info', 'kernel event', {namespace: ns.label || 'default', line: line.trim()})
      this.kernelChanged()
    })
    this.kernel.watch([DEFAULT_HANDLE])
    const etcd = new EtcdSource({
      endpoints: this.opts.etcd,
      label: this.label,
      log: this.opts.log,
      changed: (c) => {
        // A delete is the key's last word until a valid value comes: a bad value put after it brings nothing back.
        for (const k of c.deleted ?? []) forgetKey(this.lastGood, k)
        if (c.puts) this.pruneSuspended = false
        this.kick('etcd', {revision: c.revision, resync: c.resync})
      },
    })
    // etcd first: of two sources with one key, the first keeps it.
    this.sources.unshift(etcd)
    await etcd.start()
  }

  /** Graceful stop: no new transactions; the one in flight stops after its running step and reverts. */
  async stop(): Promise<void> {
    if (this.stopping) return
    this.stopping = true
    this.log('info', 'stopping', {label: this.label})
    this.abort.abort('SIGTERM')
    clearTimeout(this.retryTimer)
    clearTimeout(this.kernelTimer)
    this.waiter?.abort()
    this.kernel?.close()
    this.heldByTry?.close()
    await this.draining
    for (const s of this.sources) await s.stop().catch(() => {})
    this.claim?.release()
  }

  sourceState(): Record<string, unknown> {
    return Object.fromEntries(this.sources.map((s) => [s.name, s.state()]))
  }

  /** The namespace reference a logical interface was configured with (the REST dump reports it). */
  configuredNs(name: string): NsRef | undefined {
    return this.built?.desired.interfaces.find((i) => i.name === name)?.ns
  }

  /** PID/FD namespaces of the desired items: the dumps read them too. */
  extraHandles(): NsHandle[] {
    const out: NsHandle[] = []
    for (const i of this.built?.desired.interfaces ?? []) {
      if (i.ns.type === 'PID') out.push({label: `pid:${i.ns.ref}`, path: `/proc/${i.ns.ref}/ns/net`, isDefault: false})
      if (i.ns.type === 'FD') out.push({label: i.ns.ref, path: i.ns.ref, isDefault: false})
    }
    return out
  }

  /** Resolves when no transaction is queued or running (tests and the stop path). */
  async idle(): Promise<void> {
    while (this.draining) await this.draining
  }

  private kick(source: string, o: {revision?: number; resync?: boolean} = {}) {
    if (this.stopping) return
    this.want ??= {sources: new Set(), resync: false, waiters: []}
    this.want.sources.add(source)
    if (o.revision !== undefined) this.want.revision = Math.max(this.want.revision ?? 0, o.revision)
    if (o.resync) this.want.resync = true
    if (!this.draining) {
      this.draining = this.drain().finally(() => {
        this.draining = null
      })
    }
  }

  private async drain() {
    while (this.want && !this.stopping) {
      const w = this.want
      this.want = null
      let r: TxnResult
      try {
        r = await this.transaction(w)
      } catch (e) {
        this.log('error', 'transaction crashed', {error: (e as Error).message})
        this.scheduleRetry()
        r = {result: 'failed', error: {code: 'INTERNAL', message: (e as Error).message}, pending: this.pending, rejected: this.rejected}
      }
      for (const f of w.waiters) f(r)
    }
    // Stopping with a change still queued: its callers hear so instead of waiting forever.
    if (this.stopping && this.want?.waiters.length) {
      const r: TxnResult = {result: 'refused', error: {code: 'INTERRUPTED', message: 'the agent is stopping'}, pending: this.pending, rejected: this.rejected}
      for (const f of this.want.waiters.splice(0)) f(r)
    }
  }

  /** Kernel changes: a short quiet period, then one check (drift repair, pending items whose wait is over). */
  private kernelChanged() {
    if (this.stopping) return
    clearTimeout(this.kernelTimer)
    this.kernelTimer = setTimeout(() => this.kick('kernel'), 100)
  }

  private scheduleRetry() {
    if (this.stopping) return
    this.retryMs = this.retryMs ? Math.min(this.retryMs * 2, 60_000) : 1000
    clearTimeout(this.retryTimer)
    this.log('info', 'retrying', {in_ms: this.retryMs})
    this.retryTimer = setTimeout(() => this.kick('retry'), this.retryMs)
  }

  private async transaction(w: Want): Promise<TxnResult> {
    // Numbered when recorded: a quiet check that changes nothing is not a transaction.
    const id = this.txnId + 1
    const t0 = Date.now()
    const source = [...w.sources].join('+')
    const items = this.sources.flatMap((s) => s.items())
    const quiet = w.sources.size === 1 && (w.sources.has('kernel') || w.sources.has('pending'))
    // A new desired set (or a retry) supersedes the wait: it starts a new one if still pending.
    if (w.sources.has('etcd') || w.sources.has('retry')) {
      this.waiter?.abort()
      this.waiter = undefined
    }
    let built: Built
    try {
      built = await buildDesired(items, this.lastGood, (key) => this.kernelValue(key))
    } catch (e) {
      this.finish({id, source, revision: w.revision, started: new Date(t0).toISOString(), duration_ms: Date.now() - t0, counts: {create: 0, update: 0, delete: 0, pending: 0, rejected: 0}, result: 'invalid', error: (e as Error).message})
      this.scheduleRetry()
      return {id, result: 'invalid', error: {code: 'INVALID', message: (e as Error).message}, pending: this.pending, rejected: this.rejected}
    }
    this.reportRejections(built.rejected)
    if (w.resync && !items.some((i) => sectionOf(i.key)) && !this.opts.allowEmpty) {
      // An empty store at start-up (wrong endpoint, wrong label, wiped data) must not wipe the host.
      const owned = ownedConfig(await observe(), this.label)
      const n = owned.interfaces.length + owned.routes.length + owned.arp_entries.length
      if (n) {
        this.pruneSuspended = true
        this.built = built
        const error = `full resync read no keys for label ${this.label}: ${n} owned item(s) kept (start with --allow-empty to let an empty store prune them)`
        this.finish({id, source, revision: w.revision, started: new Date(t0).toISOString(), duration_ms: Date.now() - t0, counts: {create: 0, update: 0, delete: 0, pending: 0, rejected: 0}, result: 'refused-empty', error})
        return {id, result: 'refused-empty', error: {code: 'REFUSED', message: error}, pending: this.pending, rejected: this.rejected}
      }
    }
    const prevBuilt = this.lastApplied
    this.built = built
    const held = await this.holdForTry()
    if (held) {
      const error = `held back: an ${describeTry(held.journal)} is waiting for its decision (lnx confirm keeps it, lnx rollback reverts it); the agent goes on once it is decided`
      // Recorded once per try (and for each new desired set meanwhile): the kernel's own wake-ups are not transactions.
      if (held.first || w.sources.has('etcd') || w.sources.has('grpc')) {
        this.finish({id, source, revision: w.revision, started: new Date(t0).toISOString(), duration_ms: Date.now() - t0, counts: {create: 0, update: 0, delete: 0, pending: 0, rejected: built.rejected.length}, result: 'refused', error})
      }
      return {id, result: 'refused', error: {code: 'TRY_PENDING', message: error}, pending: this.pending, rejected: this.rejected}
    }
    this.lastApplied = built
    const outcome = await reconcile(built.desired, {label: this.label, prune: !this.pruneSuspended}, this.abort.signal, {info: (m) => this.log('info', m, {txn: id})})
    const s = outcome.summary
    const changed = s.create + s.update + s.delete
    const rec: TxnRecord = {
      id, source, revision: w.revision, started: new Date(t0).toISOString(), duration_ms: Date.now() - t0,
      counts: {create: s.create, update: s.update, delete: s.delete, pending: outcome.pending.length, rejected: built.rejected.length},
      result: outcome.result,
      ...(outcome.error ? {error: outcome.error.message} : {}),
    }
    // In a kernel-woken pass, what changed and was not pending before repairs an out-of-band change (drift).
    const wasPending = new Set(this.pending.map((p) => p.key))
    const ofPending = (key: string) => wasPending.has(key) || [...wasPending].some((k) => k.startsWith('config/linux/interfaces/v2/interface/') && key.startsWith(`linux/interface/${k.split('/').at(-1)}/`))
    // The agent knows the desired set it applied last: a change of an item whose value is new in this transaction
    // (a key just put) is the store's change, not drift — only an item the store did not change can have drifted.
    const storeUnchanged = (key: string) => {
      if (!prevBuilt) return true
      const owner = key.startsWith('linux/interface/') ? interfaceKey(key.split('/')[2]) : key
      const before = valuesOf(prevBuilt).get(owner)
      return before !== undefined && before === valuesOf(built).get(owner)
    }
    const drift = [...new Set(outcome.changes.filter((c) => (c.drift || (quiet && !ofPending(c.key))) && storeUnchanged(c.key)).map((c) => c.key))]
    if (drift.length) rec.drift = drift
    this.pending = outcome.pending
    const recorded = !quiet || changed || (outcome.result !== 'done' && outcome.result !== 'pending')
    if (recorded) this.finish(rec)
    else this.notify()
    if (rec.drift) this.log('warn', 'drift repaired', {txn: id, keys: rec.drift})
    if (outcome.result === 'done' || outcome.result === 'pending') {
      this.retryMs = 0
      clearTimeout(this.retryTimer)
    } else this.scheduleRetry()
    this.lastOutcome = outcome
    if (outcome.pending.length && !this.waiter) this.waitForPending(outcome)
    await this.watchNamespaces()
    return {...(recorded ? {id} : {}), result: outcome.result, ...(outcome.error ? {error: outcome.error} : {}), pending: outcome.pending, rejected: built.rejected}
  }

  /**
   * Pending items wait the CLI's way (services/wait.ts): woken by container events (when MICROSERVICE namespaces are
   * wanted) and `ip monitor link`, each wake-up one more transaction; no polling. An hour without news re-arms it.
   */
  private waitForPending(first: ReconcileOutcome) {
    if (this.stopping) return
    const ac = new AbortController()
    this.waiter = ac
    const containers = () => (this.built?.desired.interfaces ?? []).some((i) => i.ns.type === 'MICROSERVICE')
    const round = (o: ReconcileOutcome): Round => ({pending: o.pending, watch: o.watch, containers: containers(), final: o.result !== 'done' && o.result !== 'pending', again: o.readyNow})
    void waitForPending(round(first), {
      timeoutMs: 3_600_000,
      signal: ac.signal,
      log: (m) => this.log('info', m),
      step: async () => {
        this.kick('pending')
        await this.idle()
        return round(this.lastOutcome ?? first)
      },
    })
      .then(({end}) => {
        if (this.waiter !== ac) return
        this.waiter = undefined
        if (end === 'timeout' && this.lastOutcome?.pending.length) this.waitForPending(this.lastOutcome)
      })
      .catch((e) => {
        if (this.waiter === ac) this.waiter = undefined
        this.log('warn', 'waiting for pending items failed', {error: (e as Error).message})
      })
  }

  /**
   * A pending `apply --try` owns the host's state until it is confirmed or reverted: a transaction now would plan
   * against a state the try's timer may revert under it, and the revert would undo the agent's changes too (the CLI
   * refuses to run for the same reason). The agent holds back and watches the journal's directory, so the decision
   * (confirm, rollback, timer) wakes it at once; a slow re-check covers a watch that misses the event.
   */
  private async holdForTry() {
    const j = await readJournal().catch(() => undefined)
    if (!j) {
      if (this.heldByTry) {
        this.heldByTry.close()
        this.heldByTry = undefined
        this.log('info', 'apply --try decided: transactions go on')
      }
      return undefined
    }
    let first = false
    if (!this.heldByTry) {
      const path = await journalPath()
      const wake = () => {
        if (!this.stopping) this.kick('try')
      }
      try {
        this.heldByTry = watch(dirname(path), (_, f) => {
          if (!f || f === basename(path)) wake()
        })
      } catch {
        const t = setInterval(wake, 1000)
        this.heldByTry = {close: () => clearInterval(t), on: () => undefined} as unknown as FSWatcher
      }
      this.heldByTry.on('error', () => {})
      first = true
    }
    clearTimeout(this.retryTimer)
    this.retryTimer = setTimeout(() => this.kick('try'), 5000)
    return {journal: j, first}
  }

  private finish(rec: TxnRecord) {
    this.txnId = rec.id
    this.txns.push(rec)
    if (this.txns.length > HISTORY) this.txns.shift()
    const {counts: c} = rec
    this.log(rec.result === 'done' || rec.result === 'pending' ? 'info' : rec.result === 'refused-empty' ? 'warn' : 'error', 'transaction', {
      txn: rec.id, source: rec.source, revision: rec.revision, create: c.create, update: c.update, delete: c.delete, pending: c.pending, rejected: c.rejected,
      result: rec.result, duration_ms: rec.duration_ms, ...(rec.error ? {error: rec.error} : {}),
    })
    this.notify()
  }

  private notify() {
    for (const l of this.listeners) l()
  }

  private reportRejections(now: Rejection[]) {
    const before = new Map(this.rejected.map((r) => [r.origin, r.reason]))
    for (const r of now) {
      if (before.get(r.origin) !== r.reason) this.log('warn', 'key rejected', {key: r.origin, reason: r.reason})
    }
    this.rejected = now
  }

  /** What the kernel has for a model key now: the fallback of a rejected key that has no earlier valid value. */
  private kernelSnapshot?: {at: number; st: ReturnType<typeof ownedConfig>}
  private async kernelValue(key: string): Promise<string | undefined> {
    if (!this.kernelSnapshot || Date.now() - this.kernelSnapshot.at > 500) this.kernelSnapshot = {at: Date.now(), st: ownedConfig(await observe(), this.label)}
    const st = this.kernelSnapshot.st
    const hit =
      st.interfaces.find((i) => interfaceKey(i.name!) === key) ??
      st.arp_entries.find((a) => arpKey(a.interface!, a.ip_address!) === key) ??
      st.routes.find((r) => routeKey(r.dst_network!, r.outgoing_interface!) === key)
    return hit ? JSON.stringify(hit) : undefined
  }

  /** ip monitor in the default namespace and in every namespace the desired items live in. */
  private async watchNamespaces() {
    if (!this.kernel || this.stopping) return
    const handles: NsHandle[] = [DEFAULT_HANDLE, ...this.extraHandles()]
    const named = new Set((this.built?.desired.interfaces ?? []).filter((i) => i.ns.type === 'NSID').map((i) => i.ns.ref))
    for (const n of named) if (await nsId(namedHandle(n).path)) handles.push(namedHandle(n))
    // A change made before a new monitor listened would go unseen: look once more when it has started.
    if (this.kernel.watch(handles)) setTimeout(() => this.kernelChanged(), 300)
  }
}

