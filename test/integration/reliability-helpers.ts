// Helpers of reliability*.test.ts (not a test file itself): lnx started so that a test can signal it or its whole
// process group at a chosen moment, the lock probed with flock(1) from outside, a large config generated.
import {spawn} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {LNX} from '../helpers/playground.ts'
import type {Playground, Out} from '../helpers/playground.ts'

export interface Started {
  /** The lnx process (nsenter execs it: same pid), leader of its own process group. */
  pid: number
  done: Promise<Out>
  stderr: () => string
}

/** lnx inside the playground as the leader of a new process group, as a shell runs a foreground job. */
export function start(pg: Playground, args: string[], env: Record<string, string> = {}): Started {
  const child = spawn('nsenter', ['-t', String(pg.pid), '-n', '-m', '--', process.execPath, LNX, ...args], {
    env: {...process.env, NO_COLOR: '1', ...env},
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (d) => (stdout += d))
  child.stderr!.on('data', (d) => (stderr += d))
  const done = new Promise<Out>((resolve) => child.on('close', (c, s) => resolve({stdout, stderr, code: c ?? (s ? 128 : -1)})))
  return {pid: child.pid!, done, stderr: () => stderr}
}

/** The argv of each direct child of pid (read from /proc, fast enough to catch a running batch). */
export function children(pid: number): string[][] {
  try {
    const ids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)
    return ids.map((c) => {
      try {
        return readFileSync(`/proc/${c}/cmdline`, 'utf8').split('\0').filter(Boolean)
      } catch {
        return []
      }
    })
  } catch {
    return []
  }
}

/** Polls (every ms) until a child of pid matches; false when lnx ended or ms passed first. */
export async function waitChild(pid: number, match: (argv: string[]) => boolean, ms = 20_000): Promise<boolean> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (children(pid).some(match)) return true
    try {
      readFileSync(`/proc/${pid}/stat`)
    } catch {
      return false
    }
    await new Promise((r) => setTimeout(r, 1))
  }
  return false
}

/** An `ip -batch` of the apply (reads and reverts run with -force), in the default namespace or in a named one. */
export const changeBatch = (where: 'default' | 'named') => (argv: string[]) =>
  argv[0] === 'ip' && argv.includes('-batch') && !argv.includes('-force') && (where === 'named' ? argv.includes('-n') : !argv.includes('-n'))
/** A read of the kernel (observation). */
export const readBatch = (argv: string[]) => argv[0] === 'ip' && argv.includes('-batch') && argv.includes('-force') && argv.includes('-j')
/** A batch of a revert. */
export const undoBatch = (argv: string[]) => argv[0] === 'ip' && argv.includes('-batch') && argv.includes('-force') && !argv.includes('-j')

export async function lockPath(pg: Playground): Promise<string> {
  const ino = (await pg.sh('stat -L -c %i /proc/self/ns/net')).stdout.trim()
  return `/run/lnx/netns-${ino}.lock`
}

/** Whether the lock is free, asked with flock(1) from outside lnx. */
export async function lockFree(pg: Playground): Promise<boolean> {
  const f = await lockPath(pg)
  const r = await pg.run('sh', ['-c', `mkdir -p /run/lnx; flock -n ${f} true`])
  return r.code === 0
}

/** Another process holding the lock (flock on the file, the file left empty as a creating run would have it). */
export async function holdLock(pg: Playground): Promise<{pid: number; release: () => Promise<void>}> {
  const f = await lockPath(pg)
  const r = await pg.sh(`mkdir -p /run/lnx; : > ${f}
    sh -c 'exec 9>>"$0"; flock -x 9; exec sleep 30' ${f} >/dev/null 2>&1 &
    echo $!
    while flock -n ${f} true; do sleep 0.01; done`)
  const pid = Number(r.stdout.trim())
  return {pid, release: async () => void (await pg.run('kill', [String(pid)]))}
}

/** n veth pairs over 10 namespaces (r0…r9), an address on each end. */
export function bigConfig(n: number, prefix = 'p') {
  const interfaces: object[] = []
  for (let i = 0; i < n; i++) {
    const [a, b] = [`${prefix}${i}a`, `${prefix}${i}b`]
    const net = `10.${100 + (i >> 8)}.${i & 255}`
    interfaces.push({name: a, type: 'VETH', namespace: {type: 'NSID', reference: `r${i % 10}`}, enabled: true, veth: {peer_if_name: b}, ip_addresses: [`${net}.1/24`]})
    interfaces.push({name: b, type: 'VETH', namespace: {type: 'NSID', reference: `r${(i + 1) % 10}`}, enabled: true, veth: {peer_if_name: a}, ip_addresses: [`${net}.2/24`]})
  }
  return {interfaces}
}

export const netnsFiles = async (pg: Playground) => (await pg.run('ls', ['-A', '/run/netns'])).stdout.split('\n').filter(Boolean).sort()
