// The etcd northbound: the keys under /vnf-agent/<label>/config/linux/ (the vpp-agent's layout). Start-up and any
// lost watch = a full resync (read the prefix, remember the revision); then a watch from the next revision, each
// watch response one change batch. An unreachable etcd is retried (1 s doubling to 30 s) without touching the host.
import {connectEtcd, type EtcdClient, type EtcdEvent} from '../adapters/etcd.js'
import {sectionOf, type NbItem} from './desired.js'
import type {Source} from './agent.js'
import type {AgentLog} from './log.js'

export interface EtcdSourceOptions {
  endpoints: string[]
  label: string
  log: AgentLog
  /** Keys changed: resync = the whole set was read again; deleted = the model keys a delete event removed. */
  changed(c: {revision: number; resync: boolean; puts: boolean; deleted?: string[]}): void
}

export class EtcdSource implements Source {
  readonly name = 'etcd'
  private client?: EtcdClient
  private kv = new Map<string, string>()
  private watch?: {cancel(): Promise<void>}
  private stopped = false
  private connected = false
  private revision = 0
  private lastError = ''
  private readonly agentPrefix: string
  readonly prefix: string

  constructor(private o: EtcdSourceOptions) {
    this.agentPrefix = `/vnf-agent/${o.label}/`
    this.prefix = `${this.agentPrefix}config/linux/`
  }

  items(): NbItem[] {
    // In key order, as etcd lists them (GET /configuration shows them so).
    return [...this.kv].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => ({key: k.slice(this.agentPrefix.length), source: this.name, origin: k, value: v}))
  }

  state() {
    return {endpoints: this.o.endpoints, prefix: this.prefix, connected: this.connected, revision: this.revision, keys: this.kv.size, ...(this.lastError ? {last_error: this.lastError} : {})}
  }

  async start(): Promise<void> {
    this.client = await connectEtcd(this.o.endpoints)
    await this.resync()
  }

  async stop(): Promise<void> {
    this.stopped = true
    await this.watch?.cancel().catch(() => {})
    this.client?.close()
  }

  private async resync(): Promise<void> {
    let delay = 1000
    let announced = false
    while (!this.stopped) {
      try {
        const {kvs, revision} = await this.client!.readPrefix(this.prefix)
        this.kv = new Map(kvs.map((x) => [x.key, x.value]))
        this.revision = revision
        this.connected = true
        this.lastError = ''
        this.o.log.log('info', 'etcd resync', {endpoints: this.o.endpoints.join(','), prefix: this.prefix, keys: kvs.length, revision})
        this.ignoredKeys(kvs.map((x) => x.key))
        this.o.changed({revision, resync: true, puts: kvs.length > 0})
        await this.startWatch(revision + 1)
        return
      } catch (e) {
        this.connected = false
        this.lastError = (e as Error).message
        if (!announced) this.o.log.log('warn', 'etcd unreachable, retrying', {endpoints: this.o.endpoints.join(','), error: this.lastError})
        announced = true
        await new Promise((r) => setTimeout(r, delay))
        delay = Math.min(delay * 2, 30_000)
      }
    }
  }

  private async startWatch(from: number) {
    await this.watch?.cancel().catch(() => {})
    this.watch = await this.client!.watchPrefix(this.prefix, from, {
      batch: (events, revision) => this.batch(events, revision),
      connected: () => {
        if (!this.connected) this.o.log.log('info', 'etcd reconnected', {revision: this.revision})
        this.connected = true
        this.lastError = ''
      },
      disconnected: (reason) => {
        if (this.connected) this.o.log.log('warn', 'etcd disconnected, reconnecting', {error: reason})
        this.connected = false
        this.lastError = reason
      },
      lost: (reason) => {
        this.o.log.log('warn', 'etcd watch lost, resyncing', {error: reason})
        this.connected = false
        void this.resync()
      },
    })
  }

  private batch(events: EtcdEvent[], revision: number) {
    let puts = false
    const deleted: string[] = []
    for (const e of events) {
      if (e.type === 'put') {
        this.kv.set(e.key, e.value ?? '')
        puts = true
      } else {
        this.kv.delete(e.key)
        deleted.push(e.key.slice(this.agentPrefix.length))
      }
    }
    this.revision = revision
    this.ignoredKeys(events.filter((e) => e.type === 'put').map((e) => e.key))
    this.o.changed({revision, resync: false, puts, deleted})
  }

  private ignoredKeys(keys: string[]) {
    for (const k of keys) {
      if (!sectionOf(k.slice(this.agentPrefix.length))) this.o.log.log('warn', 'key ignored: not a Linux interface, ARP or route key lnx handles', {key: k})
    }
  }
}
