// The gRPC configurator as one of the agent's northbound sources: it owns the keys it put (a full resync replaces
// only those, never etcd's), and each request is one agent transaction, queued with every other source's. A
// request that fails — rejected values, a collision, a kernel refusal (reverted by the engine) — leaves gRPC's
// desired set as it was before the request: what the client was told failed is not retried behind its back.
import type {Agent, Source} from './agent.js'
import type {NbItem} from './desired.js'
import type {ConfiguratorBackend, TxnOutcome} from './grpc.js'
import type {KeyedItem} from './grpc-config.js'
import {dumpConfig} from './grpc-dump.js'
import {dumpArps, dumpInterfaces, dumpRoutes, readOwned, type DumpSource} from './rest-dump.js'

export const GRPC_SOURCE = 'grpc'
const origin = (key: string) => `grpc:${key}`

export class GrpcSource implements Source {
  readonly name = GRPC_SOURCE
  private kv = new Map<string, KeyedItem>()
  private queue: Promise<unknown> = Promise.resolve()
  private listen = ''

  constructor(private agent: Agent) {}

  items(): NbItem[] {
    return [...this.kv.values()].map((i) => ({key: i.key, source: this.name, origin: origin(i.key), value: JSON.stringify(i.item)}))
  }

  state(): Record<string, unknown> {
    return {listen: this.listen, keys: this.kv.size}
  }

  async stop(): Promise<void> {}

  listening(address: string) {
    this.listen = address
  }

  /** One request at a time: a failed one restores exactly the set it found. */
  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn)
    this.queue = next.catch(() => {})
    return next
  }

  private transact(t: {put: KeyedItem[]; remove: string[]; resync: boolean}): Promise<TxnOutcome> {
    return this.serialized(async () => {
      for (const key of [...t.put.map((i) => i.key), ...t.remove]) {
        const owner = this.agent.ownerOf(key)
        if (owner && owner !== this.name) {
          return {error: {code: 'FAILED', message: `${key} belongs to the ${owner} source: gRPC neither changes nor removes another source's items`}, pending: []}
        }
      }
      const before = new Map(this.kv)
      if (t.resync) this.kv.clear()
      for (const k of t.remove) this.kv.delete(k)
      for (const i of t.put) this.kv.set(i.key, i)
      const r = await this.agent.submit(this.name)
      const restore = () => {
        this.kv = before
      }
      const mine = new Set(t.put.map((i) => origin(i.key)))
      const rejected = r.rejected.filter((x) => mine.has(x.origin))
      if (rejected.length) {
        // The agent kept the last valid values of these keys (or none): so does gRPC's desired set.
        restore()
        return {error: {code: 'INVALID', message: rejected.map((x) => `${x.key}: ${x.reason}`).join('; ')}, pending: [], seq: r.id}
      }
      if (r.result !== 'done' && r.result !== 'pending') {
        restore()
        const e = r.error ?? {code: 'FAILED', message: r.result}
        const how = r.result === 'failed-reverted' ? ' (reverted)' : r.result === 'failed' ? ' (revert incomplete)' : ''
        return {error: {code: e.code === 'INVALID' ? 'INVALID' : 'FAILED', message: `${e.message}${how}`}, pending: [], seq: r.id}
      }
      return {pending: r.pending.map((p) => p.key), seq: r.id}
    })
  }

  backend(): ConfiguratorBackend {
    const agent = this.agent
    const src: DumpSource = {label: agent.label, configuredNs: (n) => agent.configuredNs(n), get extra() {
      return agent.extraHandles()
    }}
    return {
      label: agent.label,
      configured: () => [...this.kv.values()],
      transact: (t) => this.transact(t),
      pending: (keys) => {
        const now = new Set(agent.pending.map((p) => p.key))
        return keys.filter((k) => now.has(k))
      },
      // The vpp-agent's Dump reads through its REST handlers; so does this one (one read of the namespaces).
      dump: async () => {
        const reads = await readOwned(src)
        return dumpConfig(await dumpInterfaces(src, reads), await dumpRoutes(src, reads), await dumpArps(src, reads))
      },
    }
  }
}
