// A private playground per test: a process in new network + mount namespaces with its own tmpfs on /run (so
// /run/netns and lnx's lock live there) and a fresh sysfs. Every command of the test enters it with nsenter;
// when the holder process dies, the namespaces and every link in them vanish. The host is never touched.
import {spawn, type ChildProcess} from 'node:child_process'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const LNX = join(ROOT, 'bin', 'run.js')

export interface Out {
  stdout: string
  stderr: string
  code: number
}

export function exec(file: string, args: string[], opts: {input?: string; env?: Record<string, string>} = {}): Promise<Out> {
  return new Promise((resolve, reject) => {
    // No input → stdin closed: a child that exits before reading a pipe (ip, ls) would make Node raise EPIPE.
    const p = spawn(file, args, {env: {...process.env, NO_COLOR: '1', ...opts.env}, stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    p.stdout!.on('data', (d) => (stdout += d))
    p.stderr!.on('data', (d) => (stderr += d))
    p.on('error', reject)
    p.on('close', (code) => resolve({stdout, stderr, code: code ?? -1}))
    if (p.stdin) {
      p.stdin.on('error', () => {})
      p.stdin.end(opts.input)
    }
  })
}

export class Playground {
  private constructor(private holder: ChildProcess, readonly pid: number) {}

  static async create(): Promise<Playground> {
    const holder = spawn('unshare', ['--net', '--mount', '--propagation', 'private', '--',
      'sh', '-c', 'mount -t tmpfs tmpfs /run && mkdir -p /run/netns && mount -t sysfs none /sys && echo ready && exec sleep 100000'],
    {stdio: ['ignore', 'pipe', 'inherit']})
    await new Promise<void>((resolve, reject) => {
      holder.on('error', reject)
      holder.on('exit', (c) => reject(new Error(`playground exited with ${c}`)))
      holder.stdout!.once('data', () => resolve())
    })
    holder.removeAllListeners('exit')
    return new Playground(holder, holder.pid!)
  }

  /** A command inside the playground. */
  run(file: string, args: string[], opts: {input?: string; env?: Record<string, string>} = {}): Promise<Out> {
    return exec('nsenter', ['-t', String(this.pid), '-n', '-m', '--', file, ...args], opts)
  }

  /** A shell script inside the playground (test set-up only: lnx itself never uses a shell). */
  async sh(script: string): Promise<Out> {
    const r = await this.run('sh', ['-ec', script])
    if (r.code !== 0) throw new Error(`set-up failed (${r.code}): ${script}\n${r.stderr}`)
    return r
  }

  /** lnx inside the playground. */
  lnx(args: string[], opts: {input?: string; env?: Record<string, string>} = {}): Promise<Out> {
    return this.run(process.execPath, [LNX, ...args], opts)
  }

  /** lnx with --json, parsed. */
  async lnxJson(args: string[], opts: {input?: string; env?: Record<string, string>} = {}): Promise<Out & {json: any}> {
    const r = await this.lnx([...args, '--json'], opts)
    let json: any
    try {
      json = JSON.parse(r.stdout)
    } catch {
      throw new Error(`not JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`)
    }
    return {...r, json}
  }

  /** Independent reader: `ip -json` of one namespace ("" = the playground's own). */
  async ipJson(ns: string, ...args: string[]): Promise<any> {
    const r = await this.run('ip', [...(ns ? ['-n', ns] : []), '-json', ...args])
    if (r.code !== 0) throw new Error(`ip ${args.join(' ')} failed: ${r.stderr}`)
    return JSON.parse(r.stdout || '[]')
  }

  /** A normalised picture of every namespace (links, addresses, routes, neighbours), for byte-equality checks. */
  async snapshot(): Promise<string> {
    const names = (await this.run('ls', ['/run/netns'])).stdout.split('\n').filter(Boolean).sort()
    const out: Record<string, unknown> = {}
    for (const ns of ['', ...names]) {
      out[ns || '(default)'] = {
        links: await this.ipJson(ns, '-d', 'addr', 'show'),
        routes: await this.ipJson(ns, 'route', 'show', 'table', 'all'),
        neigh: (await this.ipJson(ns, 'neigh', 'show')).filter((n: any) => (n.state ?? []).includes('PERMANENT')),
      }
    }
    // Counters and timers change on their own.
    const volatile = new Set(['stats64', 'valid_life_time', 'preferred_life_time', 'operstate', 'tentative'])
    return JSON.stringify(out, (k, v) => (volatile.has(k) ? undefined : v), 2)
  }

  async destroy() {
    this.holder.kill('SIGKILL')
    await new Promise((r) => setTimeout(r, 10))
  }
}

/** Runs fn in a fresh playground that is always destroyed, even on failure. */
export async function withPlayground<T>(fn: (pg: Playground) => Promise<T>): Promise<T> {
  const pg = await Playground.create()
  try {
    return await fn(pg)
  } finally {
    await pg.destroy()
  }
}
