// `lnx agent --grpc`: the vpp-agent's gRPC configurator (ligato.configurator.ConfiguratorService) served with
// @grpc/grpc-js from the repository's own .proto files, which are wire-identical to the vpp-agent's. gRPC is one
// more northbound source: it owns the keys it put, a full resync replaces only those, and its transactions are
// queued with every other source's by the backend (the agent). Semantics: docs/reference/vpp-agent-northbound.md §3.
import {readFile} from 'node:fs/promises'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import type * as GrpcJs from '@grpc/grpc-js'
import {LnxError} from '../errors.js'
import {configOf, foreignParts, refuseForeign, requestItems, requestKeys, toLinuxConfig, type KeyedItem, type LinuxItems} from './grpc-config.js'
import {passes, type NotificationLog} from './notify.js'

/** proto/ of the package: two levels up from src/agent, dist/agent and dist/bundle alike. */
export const PROTO_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'proto')
export const SERVICE = 'ligato.configurator.ConfiguratorService'

/** What a gRPC transaction came to. */
export interface TxnOutcome {
  /** The transaction was refused before any change (INVALID: e.g. a key another source owns) or failed and was
   * reverted (FAILED); the message says why. */
  error?: {code: 'INVALID' | 'FAILED'; message: string}
  /** Keys of this transaction still pending (waiting for something outside lnx) after it ran. */
  pending: string[]
  /** The transaction's sequence number, sent back as the `seqnum` response header as the vpp-agent does. */
  seq?: number
}

/** The agent as the configurator sees it: the gRPC source's items, its transactions, the kernel. */
export interface ConfiguratorBackend {
  label: string
  /** The items received through gRPC (Get). */
  configured(): KeyedItem[]
  /**
   * One transaction of the gRPC source, queued with every other source's: put these items and remove these keys,
   * or with resync replace everything gRPC owns by `put` (never another source's items).
   */
  transact(t: {put: KeyedItem[]; remove: string[]; resync: boolean}): Promise<TxnOutcome>
  /** Which of these keys are pending now (wait_done polls it). */
  pending(keys: string[]): Promise<string[]> | string[]
  /** The kernel's state as the vpp-agent's Dump reports it. */
  dump(): Promise<LinuxItems>
}

export interface GrpcServerOptions {
  /** host:port, :port, port (loopback) or unix:/path. */
  listen: string
  backend: ConfiguratorBackend
  notifications: NotificationLog
  tls?: {cert: string; key: string}
  log?: (msg: string) => void
  /** How often wait_done looks at the pending keys. */
  pollMs?: number
}

export interface GrpcServer {
  /** The address it listens on, with the port chosen when 0 was asked for. */
  address: string
  port: number
  close(): Promise<void>
}

/** "9111" and ":9111" listen on loopback; anything else is taken as given. */
export function listenAddress(s: string): string {
  if (s.startsWith('unix:')) return s
  if (/^\d+$/.test(s)) return `127.0.0.1:${s}`
  if (/^:\d+$/.test(s)) return `127.0.0.1${s}`
  if (!/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d+$/.test(s)) {
    throw new LnxError('INVALID', `--grpc ${s}: not an address to listen on`, {hint: 'host:port, e.g. 127.0.0.1:9111, or a port alone for loopback'})
  }
  return s
}

type Status = GrpcJs.status
function grpcError(grpc: typeof GrpcJs, e: unknown): Partial<GrpcJs.StatusObject> {
  if (e instanceof LnxError) {
    const lines = e.errors?.length
      ? e.errors.map((x) => `${[x.file, x.key, x.path].filter(Boolean).join(': ')}: ${x.message}${x.hint ? ` (${x.hint})` : ''}`)
      : [`${e.message}${e.hint ? ` (${e.hint})` : ''}`]
    const code: Status = e.code === 'INVALID' ? grpc.status.INVALID_ARGUMENT : e.code === 'INTERNAL' ? grpc.status.INTERNAL : grpc.status.FAILED_PRECONDITION
    return {code, details: lines.join('; ')}
  }
  return {code: grpc.status.INTERNAL, details: (e as Error)?.message ?? String(e)}
}

const FOREIGN = Symbol('foreign parts')
const withCode = (code: number, message: string) => Object.assign(new Error(message), {grpcCode: code})

export async function startGrpcServer(opts: GrpcServerOptions): Promise<GrpcServer> {
  const grpc = await import('@grpc/grpc-js')
  const loader = await import('@grpc/proto-loader')
  const def = await loader.load('ligato/configurator/configurator.proto', {
    includeDirs: [PROTO_DIR],
    // The loader's canonical form: proto field names, enums by name; absent fields stay absent.
    keepCase: true,
    enums: String,
    longs: Number,
    defaults: false,
    arrays: true,
    oneofs: false,
  })
  const svc = def[SERVICE] as GrpcJs.ServiceDefinition
  // Update and Delete keep what the raw request says about the non-Linux parts (see foreignParts).
  const withRaw = (m: GrpcJs.MethodDefinition<any, any>) => ({
    ...m,
    requestDeserialize: (buf: Buffer) => {
      const req = m.requestDeserialize(buf)
      Object.defineProperty(req, FOREIGN, {value: foreignParts(buf)})
      return req
    },
  })
  const service = {...svc, Update: withRaw(svc.Update), Delete: withRaw(svc.Delete)}
  const {backend} = opts
  const log = opts.log ?? (() => {})
  const streams = new Set<GrpcJs.ServerWritableStream<any, any>>()

  /** wait_done: until none of these keys is pending, the call's deadline passes, or the client gives up. */
  async function waitDone(call: GrpcJs.ServerUnaryCall<any, any>, keys: string[]): Promise<void> {
    const deadline = Number(call.getDeadline())
    let left = keys
    while (left.length) {
      if (call.cancelled) throw withCode(grpc.status.CANCELLED, 'cancelled by the client')
      if (Date.now() >= deadline) {
        throw withCode(grpc.status.DEADLINE_EXCEEDED, `the deadline passed while ${left.length} item${left.length === 1 ? '' : 's'} stayed pending: ${left.join(', ')}`)
      }
      await new Promise((r) => setTimeout(r, Math.min(opts.pollMs ?? 100, Math.max(0, deadline - Date.now()))))
      left = await backend.pending(left)
    }
  }

  async function transaction(call: GrpcJs.ServerUnaryCall<any, any>, t: {put: KeyedItem[]; remove: string[]; resync: boolean}, wait: boolean) {
    const out = await backend.transact(t)
    if (out.seq !== undefined) {
      const md = new grpc.Metadata()
      md.set('seqnum', String(out.seq))
      call.sendMetadata(md)
    }
    if (out.error) throw new LnxError(out.error.code === 'INVALID' ? 'INVALID' : 'KERNEL', out.error.message)
    const mine = new Set([...t.put.map((i) => i.key), ...t.remove])
    const pending = out.pending.filter((k) => mine.has(k))
    if (wait && pending.length) await waitDone(call, pending)
  }

  const unary = (name: string, fn: (call: GrpcJs.ServerUnaryCall<any, any>) => Promise<unknown>) =>
    (call: GrpcJs.ServerUnaryCall<any, any>, cb: GrpcJs.sendUnaryData<any>) => {
      const started = Date.now()
      fn(call).then(
        (res) => {
          // Reads are not worth a line each; changes are (the agent logs their transaction too).
          if (name === 'Update' || name === 'Delete') log(`grpc ${name}: ok (${Date.now() - started} ms)`)
          cb(null, res)
        },
        (e) => {
          const st = (e as any)?.grpcCode !== undefined ? {code: (e as any).grpcCode, details: (e as Error).message} : grpcError(grpc, e)
          log(`grpc ${name}: ${grpc.status[st.code!]}: ${st.details}`)
          cb(st as GrpcJs.ServiceError)
        },
      )
    }

  const server = new grpc.Server()
  server.addService(service, {
    Get: unary('Get', async () => ({config: configOf(toLinuxConfig(backend.configured()))})),
    Dump: unary('Dump', async () => ({dump: configOf(await backend.dump())})),
    Update: unary('Update', async (call) => {
      const req = call.request
      refuseForeign(req[FOREIGN] ?? [])
      const {items} = await requestItems(req.update?.linux_config, 'UpdateRequest.update')
      await transaction(call, {put: items, remove: [], resync: !!req.full_resync}, !!req.wait_done)
      return {}
    }),
    Delete: unary('Delete', async (call) => {
      const req = call.request
      refuseForeign(req[FOREIGN] ?? [])
      const keys = await requestKeys(req.delete?.linux_config, 'DeleteRequest.delete')
      await transaction(call, {put: [], remove: keys, resync: false}, !!req.wait_done)
      return {}
    }),
    Notify: (call: GrpcJs.ServerWritableStream<any, any>) => {
      const filters: unknown[] = call.request?.filters ?? []
      const send = (r: {notification: any}) => {
        if (passes(r.notification, filters)) call.write(r)
      }
      for (const r of opts.notifications.since(Number(call.request?.idx ?? 0))) send(r)
      const off = opts.notifications.subscribe(send)
      streams.add(call)
      const done = () => {
        off()
        streams.delete(call)
      }
      call.on('cancelled', done)
      call.on('close', done)
      call.on('error', done)
    },
  })

  const address = listenAddress(opts.listen)
  const pem = (file: string, flag: string) =>
    readFile(file).catch((e) => {
      throw new LnxError('INVALID', `${flag} ${file}: cannot read: ${e.code === 'ENOENT' ? 'no such file' : e.message}`)
    })
  let creds: GrpcJs.ServerCredentials
  try {
    creds = opts.tls
      ? grpc.ServerCredentials.createSsl(null, [{cert_chain: await pem(opts.tls.cert, '--grpc-tls-cert'), private_key: await pem(opts.tls.key, '--grpc-tls-key')}], false)
      : grpc.ServerCredentials.createInsecure()
  } catch (e) {
    throw e instanceof LnxError ? e : new LnxError('INVALID', `--grpc-tls-cert/--grpc-tls-key: ${(e as Error).message}`)
  }
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(address, creds, (err, p) => (err ? reject(new LnxError('INVALID', `--grpc ${address}: cannot listen: ${err.message}`)) : resolve(p))))
  const shown = address.startsWith('unix:') ? address : address.replace(/:\d+$/, `:${port}`)
  log(`grpc: ${SERVICE} on ${shown}${opts.tls ? ' (TLS)' : ''}`)
  return {
    address: shown,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of streams) s.end()
        streams.clear()
        const t = setTimeout(() => server.forceShutdown(), 2000)
        server.tryShutdown(() => {
          clearTimeout(t)
          resolve()
        })
      }),
  }
}
