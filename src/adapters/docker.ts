// The Docker Engine API client: dockerd and podman's compatible service, over DOCKER_HOST (unix:// or tcp://) or
// /var/run/docker.sock. node:http rather than dockerode: lnx needs three GETs and one NDJSON stream, and dockerode
// would bring docker-modem and ssh2 (with optional native parts) for them.
import type {IncomingMessage, RequestOptions} from 'node:http'

/** Where the engine listens, as lnx reaches it. */
export interface EngineEndpoint {
  /** How messages name it: the socket path or the URL. */
  where: string
  socketPath?: string
  host?: string
  port?: number
}

/** The engine cannot be reached or answered in a way lnx cannot use. */
export class EngineUnreachable extends Error {
  constructor(readonly where: string, readonly detail: string) {
    super(`container engine not reachable at ${where} (${detail})`)
    this.name = 'EngineUnreachable'
  }
}

export const DEFAULT_SOCKET = '/var/run/docker.sock'

/** DOCKER_HOST → endpoint; an unsupported scheme is reported as unreachable (with why) when first used. */
export function engineEndpoint(env: NodeJS.ProcessEnv = process.env): EngineEndpoint | {error: string; where: string} {
  const host = env.DOCKER_HOST
  if (!host) return {where: DEFAULT_SOCKET, socketPath: DEFAULT_SOCKET}
  if (host.startsWith('unix://')) {
    const socketPath = host.slice('unix://'.length)
    return {where: socketPath, socketPath}
  }
  if (/^(tcp|http):\/\//.test(host)) {
    const u = new URL(host.replace(/^tcp:/, 'http:'))
    return {where: host, host: u.hostname, port: Number(u.port || 2375)}
  }
  return {where: host, error: `DOCKER_HOST=${host}: unsupported scheme (use unix:///path/docker.sock or tcp://host:port)`}
}

/** A running container as lnx needs it (from /containers/{id}/json). */
export interface Container {
  id: string
  name: string
  /** The container's first process, in the engine's PID namespace. */
  pid: number
  env: string[]
  /** ISO time; "newest" compares these. */
  startedAt: string
}

/** One event of GET /events (the fields lnx reads). */
export interface EngineEvent {
  type: string
  action: string
  id: string
  name?: string
}

const API = '/v1.41'

export class DockerEngine {
  readonly where: string
  private readonly ep: EngineEndpoint | undefined
  private readonly badConfig: string | undefined

  constructor(endpoint = engineEndpoint()) {
    this.where = endpoint.where
    if ('error' in endpoint) this.badConfig = endpoint.error
    else this.ep = endpoint
  }

  /** Whether DOCKER_HOST names the engine or lnx only tries the default socket (quiet when it is absent). */
  static explicit(env: NodeJS.ProcessEnv = process.env): boolean {
    return !!env.DOCKER_HOST
  }

  private async open(path: string, timeoutMs: number | undefined, signal?: AbortSignal): Promise<IncomingMessage> {
    if (this.badConfig) throw new EngineUnreachable(this.where, this.badConfig)
    const {request} = await import('node:http')
    const opts: RequestOptions = {...(this.ep!.socketPath ? {socketPath: this.ep!.socketPath} : {host: this.ep!.host, port: this.ep!.port}), path, method: 'GET', signal}
    return new Promise((resolve, reject) => {
      const req = request(opts, resolve)
      if (timeoutMs) req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)))
      req.on('error', (e: NodeJS.ErrnoException) => {
        if (e.name === 'AbortError') reject(e)
        else reject(new EngineUnreachable(this.where, e.code === 'ENOENT' ? 'no socket' : e.code === 'ECONNREFUSED' ? 'connection refused' : e.message))
      })
      req.end()
    })
  }

  private async get(path: string, timeoutMs = 5000): Promise<{status: number; body: string}> {
    const res = await this.open(path, timeoutMs)
    return new Promise((resolve, reject) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => (body += d))
      res.on('end', () => resolve({status: res.statusCode ?? 0, body}))
      res.on('error', (e) => reject(new EngineUnreachable(this.where, e.message)))
    })
  }

  private async getJson(path: string): Promise<any> {
    const r = await this.get(path)
    if (r.status !== 200) throw new EngineUnreachable(this.where, `GET ${path}: HTTP ${r.status} ${r.body.trim().slice(0, 120)}`)
    try {
      return JSON.parse(r.body)
    } catch {
      throw new EngineUnreachable(this.where, `GET ${path}: not JSON`)
    }
  }

  /** GET /_ping: the engine's answer ("OK"). */
  async ping(timeoutMs = 2000): Promise<string> {
    const r = await this.get('/_ping', timeoutMs)
    if (r.status !== 200) throw new EngineUnreachable(this.where, `HTTP ${r.status}`)
    return r.body.trim() || 'OK'
  }

  /** Running containers, inspected (the list does not carry the environment). */
  async running(): Promise<Container[]> {
    const list: any[] = await this.getJson(`${API}/containers/json`)
    const inspected = await Promise.all(
      list.map(async (c) => {
        try {
          return await this.getJson(`${API}/containers/${encodeURIComponent(c.Id)}/json`)
        } catch (e) {
          // Gone between the list and the inspect: no longer running.
          if (e instanceof EngineUnreachable && /HTTP 404/.test(e.detail)) return null
          throw e
        }
      }),
    )
    const out: Container[] = []
    for (const j of inspected) {
      if (!j?.State?.Running || !j.State.Pid) continue
      out.push({id: j.Id, name: String(j.Name ?? '').replace(/^\//, ''), pid: j.State.Pid, env: j.Config?.Env ?? [], startedAt: j.State.StartedAt ?? j.Created ?? ''})
    }
    return out
  }

  /**
   * Container events until the signal aborts or the engine closes the stream. Resolves once subscribed (the
   * engine answered), with a promise of the stream's end. podman 4.3 neither ORs values of one filter key nor
   * takes key-only label filters: lnx subscribes to every container event and filters itself.
   */
  async events(onEvent: (e: EngineEvent) => void, signal: AbortSignal): Promise<{ended: Promise<void>}> {
    const filters = encodeURIComponent(JSON.stringify({type: ['container']}))
    const res = await this.open(`${API}/events?filters=${filters}`, undefined, signal)
    if (res.statusCode !== 200) {
      res.resume()
      throw new EngineUnreachable(this.where, `GET /events: HTTP ${res.statusCode}`)
    }
    const ended = new Promise<void>((resolve) => {
      let buf = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => {
        buf += d
        let nl: number
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl).trim()
          buf = buf.slice(nl + 1)
          if (!line) continue
          try {
            const j = JSON.parse(line)
            const type = String(j.Type ?? j.type ?? '')
            if (type !== 'container') continue
            onEvent({type, action: String(j.Action ?? j.status ?? ''), id: String(j.Actor?.ID ?? j.id ?? ''), name: j.Actor?.Attributes?.name})
          } catch {
            // A line that is not JSON carries nothing lnx can use.
          }
        }
      })
      res.on('end', resolve)
      res.on('error', () => resolve())
      res.on('close', resolve)
    })
    return {ended}
  }
}

export const LABEL_VAR = 'MICROSERVICE_LABEL'

/** The label a container's environment declares, if any. */
export function microserviceLabel(env: string[]): string | undefined {
  const e = env.find((x) => x.startsWith(`${LABEL_VAR}=`))
  return e === undefined ? undefined : e.slice(LABEL_VAR.length + 1)
}

/** Running containers by MICROSERVICE_LABEL, newest first. */
export function byLabel(containers: Container[]): Map<string, Container[]> {
  const m = new Map<string, Container[]>()
  for (const c of containers) {
    const l = microserviceLabel(c.env)
    if (l === undefined || l === '') continue
    if (!m.has(l)) m.set(l, [])
    m.get(l)!.push(c)
  }
  for (const cs of m.values()) cs.sort((a, b) => (timeKey(b.startedAt) > timeKey(a.startedAt) ? 1 : timeKey(b.startedAt) < timeKey(a.startedAt) ? -1 : a.id.localeCompare(b.id)))
  return m
}

/** RFC 3339 with nanoseconds (trailing zeros trimmed, as the engines print it) → comparable nanoseconds. */
export function timeKey(iso: string): bigint {
  const m = /^(.*?:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(iso)
  const ms = Date.parse(m ? m[1] + m[3] : iso)
  if (Number.isNaN(ms)) return 0n
  return BigInt(ms) * 1_000_000n + BigInt((m?.[2] ?? '').padEnd(9, '0').slice(0, 9) || '0')
}
