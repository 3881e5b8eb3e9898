// Shared helpers of agent*.test.ts (not a test file itself): a real etcd (Debian's etcd-server) and the real agent
// (bin/run.js agent), both inside a test playground, talking over that playground's own loopback — its ports are
// free by construction (a fresh network namespace), and nothing leaves the machine. Kernel state is checked with
// raw `ip -json`; HTTP with curl inside the playground.
import {spawn, type ChildProcess} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {LNX, ROOT, type Out, type Playground} from '../helpers/playground.ts'
import {tempDir} from '../helpers/tmp.ts'

export {until} from './engine-helpers.ts'

export interface Bg {
  child: ChildProcess
  pid: number
  out(): string
  err(): string
  exited: Promise<number | null>
  /** The agent's JSON log lines (stderr with --log-format json). */
  logs(): any[]
}

/** A long-running process inside the playground (nsenter execs it: the pid is the process itself). */
export function bg(pg: Playground, file: string, args: string[], env: Record<string, string> = {}): Bg {
  const child = spawn('nsenter', ['-t', String(pg.pid), '-n', '-m', '--', file, ...args], {env: {...process.env, NO_COLOR: '1', ...env}, stdio: ['ignore', 'pipe', 'pipe']})
  let out = ''
  let err = ''
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (err += d))
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)))
  return {
    child, pid: child.pid!, out: () => out, err: () => err, exited,
    logs: () => err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)),
  }
}

export const tmp = (name: string) => tempDir(name)

/** A single-member etcd on the playground's loopback. */
export async function startEtcd(pg: Playground, o: {dir?: string; client?: number; peer?: number; name?: string} = {}): Promise<Bg & {endpoint: string; dir: string}> {
  await pg.sh('ip link set dev lo up')
  const dir = o.dir ?? tmp('etcd')
  const client = o.client ?? 23790
  const peer = o.peer ?? 23800
  const name = o.name ?? 'e0'
  const endpoint = `http://127.0.0.1:${client}`
  const p = bg(pg, 'etcd', ['--name', name, '--data-dir', join(dir, name), '--listen-client-urls', endpoint, '--advertise-client-urls', endpoint,
    '--listen-peer-urls', `http://127.0.0.1:${peer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peer}`, '--initial-cluster', `${name}=http://127.0.0.1:${peer}`,
    '--max-txn-ops', '2000', '--log-level', 'error'])
  await waitHttp(pg, `${endpoint}/health`, p)
  return {...p, endpoint, dir}
}

export async function waitHttp(pg: Playground, url: string, p?: Bg, ms = 20000): Promise<void> {
  const end = Date.now() + ms
  for (;;) {
    const r = await pg.run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', url])
    if (r.stdout === '200') return
    if (Date.now() > end) throw new Error(`${url} not up: ${p?.err().slice(-2000) ?? ''}`)
    await new Promise((res) => setTimeout(res, 100))
  }
}

export function etcdctl(pg: Playground, endpoints: string, args: string[], input?: string): Promise<Out> {
  return pg.run('etcdctl', args, {env: {ETCDCTL_API: '3', ETCDCTL_ENDPOINTS: endpoints, ETCDCTL_DIAL_TIMEOUT: '3s'}, ...(input !== undefined ? {input} : {})})
}

export async function get(pg: Playground, url: string): Promise<{status: number; body: string; type: string}> {
  const r = await pg.run('curl', ['-s', '-S', '-D', '-', url])
  const i = r.stdout.indexOf('\r\n\r\n')
  const head = r.stdout.slice(0, i)
  return {status: Number(head.split(' ')[1]), body: r.stdout.slice(i + 4), type: head.match(/content-type: (.*)/i)?.[1]?.trim() ?? ''}
}

export interface AgentProc extends Bg {
  url: string
  /** The transaction log lines. */
  txns(): any[]
}

export async function startAgent(pg: Playground, o: {etcd: string; http?: string; label?: string; args?: string[]; env?: Record<string, string>}): Promise<AgentProc> {
  const http = o.http ?? '127.0.0.1:29191'
  const p = bg(pg, process.execPath, [LNX, 'agent', '--etcd', o.etcd, '--http', http, '--log-format', 'json', ...(o.label ? ['--label', o.label] : []), ...(o.args ?? [])], o.env)
  const url = `http://${http}`
  await waitHttp(pg, `${url}/healthz`, p)
  return {...p, url, txns: () => p.logs().filter((l) => l.msg === 'transaction')}
}

export async function stop(p: Bg, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  p.child.kill(signal)
  return p.exited
}

/** The seed's etcdctl lines, verbatim from docs/reference/linux-plugins.md: [verb, key, value?]. */
export function seedLines(): {verb: 'put' | 'del'; key: string; value?: string; line: string}[] {
  const doc = readFileSync(join(ROOT, 'docs', 'reference', 'linux-plugins.md'), 'utf8')
  const out = []
  for (const line of doc.split('\n')) {
    const m = line.match(/^etcdctl (put|del) (\S+)(?: '(.*)')?$/)
    if (m) out.push({verb: m[1] as 'put' | 'del', key: m[2], value: m[3], line})
  }
  return out
}

/** Runs one seed line as the doc writes it (the shell quoting of its value removed, nothing else). */
export const seedRun = (pg: Playground, endpoint: string, l: {verb: string; key: string; value?: string}) =>
  etcdctl(pg, endpoint, [l.verb, l.key, ...(l.value !== undefined ? [l.value] : [])])

export const ipj = (pg: Playground, ns: string, ...args: string[]) => pg.ipJson(ns, ...args)

/** The DOM Debian's chromium renders for a URL (headless, inside the playground, scripts run). */
export async function browserDom(pg: Playground, url: string): Promise<string> {
  const r = await pg.run('chromium', ['--headless', '--no-sandbox', '--disable-gpu', `--user-data-dir=${tmp('chromium')}`, '--virtual-time-budget=1000', '--dump-dom', url])
  if (r.code !== 0 || !r.stdout.includes('</html>')) throw new Error(`chromium failed (${r.code}): ${r.stderr.slice(-1500)}`)
  return r.stdout
}
