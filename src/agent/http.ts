// The agent's HTTP server (node:http, loopback by default): the vpp-agent's REST dumps byte for byte, GET
// /configuration as agentctl prints it, /healthz, /status, and the web page at / with its live fragment.
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import {LnxError} from '../errors.js'
import type {Agent} from './agent.js'
import {dumpArps, dumpInterfaces, dumpRoutes, dumpStats, goJson, type DumpSource} from './rest-dump.js'
import {configurationYaml} from './configuration.js'
import {pageHtml, liveFragment, pictureSvg} from './page.js'

export function statusOf(agent: Agent) {
  return {
    label: agent.label,
    pid: process.pid,
    started: agent.started,
    sources: agent.sourceState(),
    pending: agent.pending,
    rejected: agent.rejected.map((r) => ({key: r.origin, reason: r.reason})),
    transactions: agent.txns,
  }
}

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>

function send(res: ServerResponse, status: number, type: string, body: string) {
  res.writeHead(status, {'Content-Type': type, 'Content-Length': Buffer.byteLength(body)})
  res.end(body)
}

/** The vpp-agent's formatter: 200 with the JSON, or 500 with a JSON string naming the error. */
const rest = (f: () => Promise<unknown>): Handler => async (_req, res) => {
  try {
    send(res, 200, 'application/json; charset=UTF-8', goJson(await f()))
  } catch (e) {
    send(res, 500, 'application/json; charset=UTF-8', goJson(`500 Internal server error: request failed: ${(e as Error).message}\n`))
  }
}

export function routes(agent: Agent): Record<string, Handler> {
  const src: DumpSource = {label: agent.label, configuredNs: (n) => agent.configuredNs(n), get extra() {
    return agent.extraHandles()
  }}
  return {
    '/dump/linux/v2/interfaces': rest(() => dumpInterfaces(src)),
    '/dump/linux/v2/arps': rest(() => dumpArps(src)),
    '/dump/linux/v2/routes': rest(() => dumpRoutes(src)),
    '/stats/linux/interfaces': rest(() => dumpStats(src)),
    '/configuration': async (_req, res) => send(res, 200, 'application/yaml', await configurationYaml(agent.built?.items ?? [])),
    '/healthz': async (_req, res) => {
      const etcd = agent.sourceState().etcd as {connected?: boolean} | undefined
      send(res, 200, 'application/json', `${JSON.stringify({status: 'ok', etcd_connected: !!etcd?.connected})}\n`)
    },
    '/status': async (_req, res) => send(res, 200, 'application/json', `${JSON.stringify(statusOf(agent), null, 2)}\n`),
    '/': async (_req, res) => send(res, 200, 'text/html; charset=utf-8', await pageHtml(agent)),
    '/ui/live': async (_req, res) => send(res, 200, 'text/html; charset=utf-8', await liveFragment(agent)),
    '/ui/picture.svg': async (_req, res) => {
      const p = await pictureSvg(agent)
      send(res, 200, p.svg ? 'image/svg+xml' : 'text/plain; charset=utf-8', p.svg ?? p.mermaid)
    },
  }
}

/** "127.0.0.1:9191", "[::1]:9191", ":9191" (loopback) → host and port. */
export function parseListen(s: string): {host: string; port: number} {
  const m = s.match(/^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/)
  if (!m || Number(m[3]) > 65535) throw new LnxError('INVALID', `--http ${JSON.stringify(s)} is not HOST:PORT`, {hint: 'e.g. 127.0.0.1:9191'})
  return {host: m[1] ?? (m[2] || '127.0.0.1'), port: Number(m[3])}
}

export async function serve(agent: Agent, listen: string): Promise<{server: Server; address: string}> {
  const table = routes(agent)
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    const h = table[path]
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed\n')
    if (!h) return send(res, 404, 'text/plain', '404 page not found\n')
    h(req, res).catch((e) => {
      if (!res.headersSent) send(res, 500, 'text/plain', `${(e as Error).message}\n`)
    })
  })
  const {host, port} = parseListen(listen)
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(new LnxError(e.code === 'EADDRINUSE' ? 'LOCKED' : 'INVALID', `cannot listen on ${listen}: ${e.code === 'EADDRINUSE' ? 'the address is in use' : e.message}`, {hint: 'choose another --http HOST:PORT'})))
    server.listen(port, host, () => resolve())
  })
  const a = server.address()
  const address = typeof a === 'object' && a ? `${a.address.includes(':') ? `[${a.address}]` : a.address}:${a.port}` : listen
  return {server, address}
}
