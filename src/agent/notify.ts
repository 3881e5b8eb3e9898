// The Notify stream of the gRPC configurator: UPDOWN notifications (ligato.linux.Notification) of the links this
// label owns, kept in a numbered log so that a client resumes from the next_idx it last saw. `ip monitor link`
// (one per namespace holding an owned link, and the default one) only wakes the watcher up; what changed is
// read back with the ordinary observation, so the stream reports the same state every other view shows.
import {observe as observeKernel, handleKey, type Observation, type OLink} from '../kernel/observe.js'
import {ownedView} from '../kernel/owned.js'
import {KINDS, kindOfKernel} from '../kinds/index.js'
import {DEFAULT_HANDLE} from '../kernel/namespaces.js'
import {watchKernel, type KernelWatch} from '../kernel/monitor.js'
import type {NsHandle} from '../kernel/run.js'

export type Status = 'UNKNOWN_STATUS' | 'UP' | 'DOWN' | 'DELETED'

export interface InterfaceState {
  name: string
  internal_name: string
  type: string
  if_index: number
  admin_status: Status
  oper_status: Status
  last_change: number
  phys_address: string
  speed: number
  mtu: number
}

export interface Notification {
  linux_notification: {interface: {type: 'UPDOWN'; state: InterfaceState}}
}

export interface NotifyResponse {
  next_idx: number
  notification: Notification
}

/** How many notifications a client can catch up on (the vpp-agent keeps as many). */
export const KEEP = 1000

/** Numbered notifications: the i-th pushed has next_idx i+1; a client resumes with idx = the last next_idx it saw. */
export class NotificationLog {
  private buf: NotifyResponse[] = []
  private count = 0
  private subs = new Set<(r: NotifyResponse) => void>()

  push(notification: Notification): NotifyResponse {
    const r = {next_idx: this.count + 1, notification}
    this.buf[this.count % KEEP] = r
    this.count++
    for (const s of this.subs) s(r)
    return r
  }

  /** Every kept notification from index idx on (older ones are gone: the oldest kept comes first). */
  since(idx: number): NotifyResponse[] {
    const from = Math.max(idx, this.count - KEEP, 0)
    const out: NotifyResponse[] = []
    for (let i = from; i < this.count; i++) out.push(this.buf[i % KEEP])
    return out
  }

  subscribe(fn: (r: NotifyResponse) => void): () => void {
    this.subs.add(fn)
    return () => this.subs.delete(fn)
  }

  get size(): number {
    return this.count
  }
}

const isEmpty = (v: unknown) =>
  v === undefined || v === null || v === '' || v === 0 || v === '0' || v === false || (Array.isArray(v) && v.length === 0) ||
  (typeof v === 'object' && !Array.isArray(v) && Buffer.isBuffer(v) && v.length === 0)

/** A filter matches when every field set in it equals the notification's (sub-messages compared the same way). */
export function matchesFilter(filter: unknown, value: unknown): boolean {
  if (isEmpty(filter)) return true
  if (typeof filter !== 'object' || Array.isArray(filter)) return String(filter) === String(value)
  if (typeof value !== 'object' || value === null) return false
  for (const [k, f] of Object.entries(filter as Record<string, unknown>)) {
    if (!matchesFilter(f, (value as Record<string, unknown>)[k])) return false
  }
  return true
}

/** No filters → everything; otherwise the notification must match one of them. */
export const passes = (n: Notification, filters: unknown[] | undefined) => !filters?.length || filters.some((f) => matchesFilter(f, n))

/** The vpp-agent's mapping from link kind to interface type (its link watcher's): by the kernel kind alone. */
function kindType(l: OLink): string {
  return (kindOfKernel(l.kind) ?? KINDS.find((k) => k.hostName === l.name))?.type ?? 'UNDEFINED'
}

export function stateOf(l: OLink, now = Date.now()): InterfaceState {
  return {
    name: l.alias ?? '',
    internal_name: l.name,
    type: kindType(l),
    if_index: l.ifindex,
    admin_status: l.up ? 'UP' : 'DOWN',
    oper_status: l.oper === 'UP' ? 'UP' : 'DOWN',
    last_change: Math.floor(now / 1000),
    phys_address: l.mac,
    speed: 0,
    mtu: l.mtu,
  }
}

const updown = (state: InterfaceState): Notification => ({linux_notification: {interface: {type: 'UPDOWN', state}}})

/** `ip monitor link`'s first line of a message: "[Deleted ]3: name@peer: <FLAGS> mtu … state DOWN …". */
export function parseMonitorLine(line: string): {ifindex: number; deleted: boolean; up: boolean; oper: string} | null {
  const m = line.match(/^(Deleted )?(\d+): [^:]+: <([^>]*)>.*? state (\S+)/)
  if (!m) return null
  return {ifindex: Number(m[2]), deleted: !!m[1], up: m[3].split(',').includes('UP'), oper: m[4]}
}

export interface LinkWatcherOptions {
  label: string
  log: NotificationLog
  /** Reads the kernel (default: the ordinary observation). */
  observe?: () => Promise<Observation>
  /** Coalesces a burst of kernel events into one read. */
  settleMs?: number
  onError?: (e: Error) => void
}

/**
 * Watches the owned links' admin and operational state. The first read is the baseline (nothing is sent for it);
 * later, a link that appears, changes state or disappears (DELETED) becomes one notification.
 */
export class LinkWatcher {
  private last = new Map<string, InterfaceState>()
  /** Owned links by namespace and ifindex (from the last read): a monitor line about one is sent at once. */
  private byIndex = new Map<string, string>()
  /** When a monitor line last set a link's state: a read begun before that knows less about it. */
  private lineAt = new Map<string, number>()
  private monitor?: KernelWatch
  private timer?: NodeJS.Timeout
  private running?: Promise<void>
  private again = false
  private stopped = false
  private started = false

  constructor(private opts: LinkWatcherOptions) {}

  async start(): Promise<void> {
    this.monitor = watchKernel(['link'], (ns, line) => {
      this.fromLine(ns, line)
      this.poke()
    })
    await this.read()
    this.started = true
  }

  /** Something may have changed (a kernel event, a finished transaction): read again soon. */
  poke(): void {
    if (this.stopped || this.timer) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      void this.readSerialized()
    }, this.opts.settleMs ?? 50)
  }

  /** Resolves once a read that started after this call is done (tests and wait loops). */
  async settle(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer)
      this.timer = undefined
    }
    await this.readSerialized()
  }

  /**
   * The monitor's own line says an owned link went up or down: sent now, not at the next read, which may come after
   * the agent has already repaired it (a DOWN that lasted a few milliseconds still shows).
   */
  private fromLine(ns: NsHandle, line: string) {
    if (!this.started || this.stopped) return
    const e = parseMonitorLine(line)
    const name = e && this.byIndex.get(`${handleKey(ns)}/${e.ifindex}`)
    const p = name ? this.last.get(name) : undefined
    if (!e || !name || !p) return
    const admin: Status = e.deleted ? 'DELETED' : e.up ? 'UP' : 'DOWN'
    const oper: Status = e.deleted ? 'DELETED' : e.oper === 'UP' ? 'UP' : 'DOWN'
    if (admin === p.admin_status && oper === p.oper_status) return
    const next = {...p, admin_status: admin, oper_status: oper, last_change: Math.floor(Date.now() / 1000)}
    if (e.deleted) {
      this.last.delete(name)
      this.byIndex.delete(`${handleKey(ns)}/${e.ifindex}`)
    } else this.last.set(name, next)
    this.lineAt.set(name, Date.now())
    this.opts.log.push(updown(next))
  }

  stop(): void {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    this.monitor?.close()
  }

  private readSerialized(): Promise<void> {
    // A read in flight loops once more before it resolves: awaiting it covers a read begun after this call.
    if (this.running) {
      this.again = true
      return this.running
    }
    this.running = (async () => {
      try {
        do {
          this.again = false
          await this.read()
        } while (this.again && !this.stopped)
      } catch (e) {
        this.opts.onError?.(e as Error)
      } finally {
        this.running = undefined
      }
    })()
    return this.running
  }

  private async read(): Promise<void> {
    if (this.stopped) return
    const began = Date.now()
    const obs = await (this.opts.observe ?? (() => observeKernel()))()
    const now = Date.now()
    const seen = new Map<string, InterfaceState>()
    const byIndex = new Map<string, string>()
    const watched: NsHandle[] = [DEFAULT_HANDLE]
    for (const ns of obs.namespaces) {
      let owns = false
      for (const l of ns.links) {
        const v = ownedView(l, this.opts.label)
        if (!v) continue
        owns = true
        seen.set(v.name, stateOf(l, now))
        byIndex.set(`${handleKey(ns.handle)}/${l.ifindex}`, v.name)
      }
      if (owns && !ns.handle.isDefault) watched.push(ns.handle)
    }
    if (this.started) {
      for (const [name, s] of seen) {
        const p = this.last.get(name)
        if (p && (this.lineAt.get(name) ?? 0) >= began) {
          seen.set(name, p)
          continue
        }
        if (!p || p.admin_status !== s.admin_status || p.oper_status !== s.oper_status || p.if_index !== s.if_index) this.opts.log.push(updown(s))
      }
      for (const [name, p] of this.last) {
        if (!seen.has(name)) this.opts.log.push(updown({...p, admin_status: 'DELETED', oper_status: 'DELETED', last_change: Math.floor(now / 1000)}))
      }
    }
    this.last = seen
    this.byIndex = byIndex
    // A monitor ends with its namespace; the next read starts the ones still wanted.
    this.monitor?.watch(watched)
  }
}
