// A gRPC client process inside a playground (test/helpers/grpc-client.mjs: the repository's protos through
// @grpc/proto-loader, nothing of lnx's server code), driven from the test by JSON lines.
import {spawn, type ChildProcess} from 'node:child_process'
import {join} from 'node:path'
import {ROOT, type Playground} from './playground.ts'

export interface Answer {
  id: number
  ok?: boolean
  response?: any
  header?: Record<string, string>
  code?: string
  details?: string
  event?: any
  end?: boolean
}

export class GrpcClient {
  private next = 1
  private waiters = new Map<number, (a: Answer) => void>()
  private events = new Map<number, {list: any[]; wake?: () => void; ended?: Answer}>()
  private stderr = ''

  private constructor(private p: ChildProcess) {
    let buf = ''
    p.stdout!.setEncoding('utf8')
    p.stdout!.on('data', (d: string) => {
      buf += d
      let i
      while ((i = buf.indexOf('\n')) >= 0) {
        const a: Answer = JSON.parse(buf.slice(0, i))
        buf = buf.slice(i + 1)
        const s = this.events.get(a.id)
        if (s && (a.event || a.end || a.ok === false)) {
          if (a.event) s.list.push(a.event)
          else s.ended = a
          s.wake?.()
          continue
        }
        this.waiters.get(a.id)?.(a)
        this.waiters.delete(a.id)
      }
    })
    p.stderr!.on('data', (d) => (this.stderr += d))
    // A client that dies answers every call still waiting, instead of leaving the test hanging.
    p.on('close', (code) => {
      const a = {ok: false, code: 'CLIENT_EXITED', details: `the client process exited (${code}): ${this.stderr.slice(-2000)}`}
      for (const [id, w] of this.waiters) w({id, ...a})
      this.waiters.clear()
      for (const [id, s] of this.events) {
        s.ended ??= {id, ...a}
        s.wake?.()
      }
    })
  }

  /** ca: a CA certificate file → TLS. */
  static start(pg: Playground, address: string, ca?: string): GrpcClient {
    const p = spawn('nsenter', ['-t', String(pg.pid), '-n', '-m', '--', process.execPath, join(ROOT, 'test', 'helpers', 'grpc-client.mjs'), address, ...(ca ? [ca] : [])],
      {stdio: ['pipe', 'pipe', 'pipe']})
    return new GrpcClient(p)
  }

  private send(m: Record<string, unknown>) {
    this.p.stdin!.write(JSON.stringify(m) + '\n')
  }

  /** A unary call; resolves with the answer (ok or the gRPC status). */
  call(method: string, request: unknown = {}, deadlineMs = 30_000): Promise<Answer> {
    const id = this.next++
    return new Promise((resolve) => {
      this.waiters.set(id, resolve)
      this.send({id, method, request, deadlineMs})
    })
  }

  /** Sends bytes built elsewhere (a vpp-agent client's message) to a unary method. */
  raw(method: string, bytes: Uint8Array, deadlineMs = 30_000): Promise<Answer> {
    const id = this.next++
    return new Promise((resolve) => {
      this.waiters.set(id, resolve)
      this.send({id, raw: method, hex: Buffer.from(bytes).toString('hex'), deadlineMs})
    })
  }

  /** Opens a Notify stream; events are collected until cancel(). */
  notify(request: unknown = {}): Stream {
    const id = this.next++
    const s: {list: any[]; wake?: () => void; ended?: Answer} = {list: []}
    this.events.set(id, s)
    this.send({id, method: 'Notify', request})
    return {
      events: s.list,
      /** Resolves when an event satisfying pred has arrived (or rejects when the stream ends first). */
      until: (pred, what, ms = 20_000) =>
        new Promise((resolve, reject) => {
          // Not a speed check: a bound so that a missing event fails with what did arrive instead of hanging.
          const timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms; got ${JSON.stringify(s.list)}`)), ms)
          const check = () => {
            const hit = s.list.find(pred)
            if (hit) {
              clearTimeout(timer)
              return resolve(hit)
            }
            if (s.ended) {
              clearTimeout(timer)
              return reject(new Error(`stream ended before ${what}: ${JSON.stringify(s.ended)}; got ${JSON.stringify(s.list)}`))
            }
            s.wake = check
          }
          check()
        }),
      cancel: () => this.send({id, cancel: true}),
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.p.on('close', () => resolve())
      this.p.stdin!.end()
      setTimeout(() => this.p.kill('SIGKILL'), 3000).unref()
    })
  }

  get log(): string {
    return this.stderr
  }
}

export interface Stream {
  events: any[]
  until(pred: (e: any) => boolean, what: string, ms?: number): Promise<any>
  cancel(): void
}
