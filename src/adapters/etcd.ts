// etcd v3 through the kept `etcd3` client (gRPC, reconnecting watches that resume from their last revision): read a
// prefix with the revision it was read at, then watch it from the next revision, one callback per watch response
// (etcd delivers one transaction's events together).
import type {Etcd3, Watcher} from 'etcd3'

export interface KV {
  key: string
  value: string
}

export interface EtcdEvent {
  type: 'put' | 'delete'
  key: string
  value?: string
}

export interface WatchHandlers {
  batch(events: EtcdEvent[], revision: number): void
  connected(): void
  disconnected(reason: string): void
  /** The watch cannot go on (e.g. the revision was compacted): the caller resyncs. */
  lost(reason: string): void
}

export interface EtcdClient {
  readPrefix(prefix: string): Promise<{kvs: KV[]; revision: number}>
  watchPrefix(prefix: string, fromRevision: number, h: WatchHandlers): Promise<{cancel(): Promise<void>}>
  close(): void
}

/** Watch reconnects: 250 ms doubling to 2 s (the library's default waits up to 30 s). */
function backoff(ms: number): {duration: number; next(): ReturnType<typeof backoff>} {
  return {duration: ms, next: () => backoff(Math.min(ms * 2, 2000))}
}

export async function connectEtcd(endpoints: string[]): Promise<EtcdClient> {
  // Loaded only by the agent: the gRPC stack costs ~100 ms to import.
  const {Etcd3: Client} = await import('etcd3')
  const client: Etcd3 = new Client({hosts: endpoints, dialTimeout: 3000, faultHandling: {watchBackoff: backoff(250) as any}})
  return {
    async readPrefix(prefix) {
      const r = await client.getAll().prefix(prefix).exec()
      return {kvs: r.kvs.map((kv) => ({key: kv.key.toString('utf8'), value: kv.value.toString('utf8')})), revision: Number(r.header.revision)}
    },
    async watchPrefix(prefix, fromRevision, h) {
      const w: Watcher = await client.watch().prefix(prefix).startRevision(String(fromRevision)).create()
      w.on('data', (res) => {
        if (!res.events.length) return
        const events = res.events.map((e) => ({
          type: e.type === 'Put' ? ('put' as const) : ('delete' as const),
          key: e.kv.key.toString('utf8'),
          ...(e.type === 'Put' ? {value: e.kv.value.toString('utf8')} : {}),
        }))
        h.batch(events, Number(res.header.revision))
      })
      w.on('connected', () => h.connected())
      w.on('disconnected', (e) => h.disconnected(e.message))
      w.on('error', (e) => h.lost(e.message))
      return {cancel: () => w.cancel()}
    },
    close: () => client.close(),
  }
}
