// Runs the agent until `stop` aborts: sources, transactions, HTTP, gRPC. The command (commands/agent.ts) only parses flags.
import {Agent} from './agent.js'
import {LnxError} from '../errors.js'
import {parseListen, serve} from './http.js'
import {makeLog, type AgentLog, type LogFormat} from './log.js'
import {GrpcSource} from './grpc-source.js'

export interface RunAgentOptions {
  etcd: string[]
  label: string
  http: string
  logFormat: LogFormat
  allowEmpty: boolean
  /** The gRPC configurator: where it listens, and its TLS certificate and key files. */
  grpc?: {listen: string; tls?: {cert: string; key: string}}
}

export async function runAgent(o: RunAgentOptions, stop: AbortSignal): Promise<void> {
  for (const e of o.etcd) {
    if (!/^https?:\/\/[^/\s]+$/.test(e)) throw new LnxError('INVALID', `--etcd ${JSON.stringify(e)} is not an endpoint URL`, {hint: 'http://HOST:PORT (or https://), several comma-separated'})
  }
  parseListen(o.http)
  // A wrong --grpc address is a usage error too, reported before anything starts.
  if (o.grpc) (await import('./grpc.js')).listenAddress(o.grpc.listen)
  const log = makeLog(o.logFormat)
  const agent = new Agent({etcd: o.etcd, label: o.label, http: o.http, allowEmpty: o.allowEmpty, log})
  const stopped = new Promise<void>((resolve) => (stop.aborted ? resolve() : stop.addEventListener('abort', () => resolve(), {once: true})))
  const grpcSource = o.grpc ? new GrpcSource(agent) : undefined
  if (grpcSource) agent.addSource(grpcSource)
  await agent.claimLabel()
  let http: Awaited<ReturnType<typeof serve>>
  try {
    http = await serve(agent, o.http)
  } catch (e) {
    await agent.stop()
    throw e
  }
  const {server, address} = http
  log.log('info', 'agent started', {label: o.label, pid: process.pid, http: `http://${address}/`, etcd: o.etcd.join(',')})
  let grpc: Awaited<ReturnType<typeof startGrpc>> | undefined
  try {
    const starting = agent.start()
    starting.catch(() => {})
    await Promise.race([starting, stopped])
    // gRPC requests are transactions on the whole desired set: they wait for the sources' first read (etcd's full
    // resync), or a request could prune items etcd has not delivered yet.
    if (grpcSource && !stop.aborted) grpc = await startGrpc(agent, grpcSource, o.grpc!, log)
    await stopped
  } finally {
    await grpc?.close()
    await agent.stop()
    server.closeAllConnections?.()
    await new Promise((r) => server.close(() => r(undefined)))
    log.log('info', 'agent stopped', {label: o.label})
    // Everything is closed; a handle some library still holds must not keep a stopped agent alive.
    setTimeout(() => process.exit(), 2000).unref()
  }
}

async function startGrpc(agent: Agent, source: GrpcSource, o: NonNullable<RunAgentOptions['grpc']>, log: AgentLog) {
  const {startGrpcServer} = await import('./grpc.js')
  const {LinkWatcher, NotificationLog} = await import('./notify.js')
  const {observe} = await import('../kernel/observe.js')
  const notifications = new NotificationLog()
  const watcher = new LinkWatcher({label: agent.label, log: notifications, observe: () => observe({extra: agent.extraHandles()}),
    onError: (e) => log.log('warn', 'link watcher', {error: e.message})})
  await watcher.start()
  // Every transaction (etcd's too) may create or move owned links: the watcher reads again.
  const poke = () => watcher.poke()
  agent.listeners.add(poke)
  const server = await startGrpcServer({
    listen: o.listen,
    tls: o.tls,
    backend: source.backend(),
    notifications,
    log: (msg) => log.log('info', msg),
  })
  source.listening(server.address)
  const host = server.address.replace(/^unix:.*/, 'unix').replace(/:\d+$/, '').replace(/^\[|\]$/g, '')
  const loopback = host === 'unix' || host === 'localhost' || /^127\./.test(host) || host === '::1'
  if (!loopback && !o.tls) log.log('warn', 'gRPC listens beyond loopback without TLS', {grpc: server.address, hint: 'use --grpc-tls-cert/--grpc-tls-key'})
  return {
    close: async () => {
      agent.listeners.delete(poke)
      watcher.stop()
      await server.close()
    },
  }
}
