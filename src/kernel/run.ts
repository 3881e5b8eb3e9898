// The only module that spawns processes (ip, ip -batch, nsenter, ethtool, sysctl). Every batch line is
// validated token by token before it reaches iproute2: no shell, no quoting surprises, no comments.
import {spawn as spawnChild, spawnSync} from 'node:child_process'
import {closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {LnxError} from '../errors.js'
import {countSpawn} from '../engine/timings.js'

/** A namespace lnx runs commands in (the namespace types, config to kernel: engine/plan/namespaces.ts). */
export interface NsHandle {
  /** How plans and errors name it: "" (the namespace lnx runs in), "ns1", "pid:1234", "/path". */
  label: string
  /** Set for named namespaces (/run/netns/<name>): `ip -n <name>`. */
  name?: string
  /** An nsfs path: what `netns` arguments and `nsenter --net=` get. */
  path: string
  isDefault: boolean
  /** Set for a container's namespace (MICROSERVICE): its MICROSERVICE_LABEL. */
  microservice?: string
}

export interface RunResult {
  stdout: string
  stderr: string
  exitCode: number
  /** Set when the process was killed by a signal (a Ctrl-C to the process group reaches it too). */
  signal?: string
}

let shielded = false

/**
 * While shielded (a revert), children run in a process group of their own: a second Ctrl-C at the terminal (sent
 * to lnx's foreground group) reaches lnx, which ignores it, and cannot kill the `ip` that is undoing the changes.
 */
export function shieldChildren(on: boolean): void {
  shielded = on
}

const verbose = () => !!process.env.LNX_VERBOSE || /(^|,)lnx/.test(process.env.DEBUG ?? '')

/**
 * --verbose: one "$ command" line per process, its batch input below it as "  | " lines, all in one write so that
 * processes running side by side (one per namespace) never interleave, and always ending with a newline.
 */
export function verboseText(file: string, argv: string[], input?: string): string {
  const body = input ? input.replace(/\n$/, '').split('\n').map((l) => `  | ${l}\n`).join('') : ''
  return `$ ${[file, ...argv].join(' ')}\n${body}`
}

/** Where commands of a namespace run: plain in ours, `ip -n NAME`, or under nsenter for PID/FD paths. */
export function wrap(ns: NsHandle | undefined, cmd: string, args: string[]): [string, string[]] {
  if (!ns || ns.isDefault) return [cmd, args]
  if (cmd === 'ip' && ns.name) return ['ip', ['-n', ns.name, ...args]]
  return ['nsenter', [`--net=${ns.path}`, '--', cmd, ...args]]
}

type Execa = typeof import('execa').execa
let execaLoad: Promise<Execa> | undefined
/**
 * execa runs the one-off processes (ethtool, sysctl, dot, flock, doctor's probes). Its import costs ≈ 80 ms of CPU, so
 * it is loaded on first use — or early, by prepareRun(), while a run is waiting on the kernel anyway.
 */
export function prepareRun(): Promise<Execa> {
  execaLoad ??= import('execa').then((m) => m.execa)
  return execaLoad
}

/** One process (no shell) through execa, collected whole. The `ip -batch` hot path and the probe use collect(). */
export async function runTool(cmd: string, args: string[], opts: {input?: string; ns?: NsHandle} = {}): Promise<RunResult> {
  const [file, argv] = wrap(opts.ns, cmd, args)
  if (verbose()) process.stderr.write(verboseText(file, argv, opts.input))
  const x = await prepareRun()
  countSpawn()
  try {
    const r = await x(file, argv, {input: opts.input ?? '', reject: false, stripFinalNewline: false, encoding: 'utf8', detached: shielded})
    const stdout = String(r.stdout ?? '')
    const stderr = String(r.stderr ?? '')
    if (r.signal) return {stdout, stderr, exitCode: 128, signal: r.signal}
    if ((r as {code?: string}).code === 'ENOENT' || (r.failed && r.exitCode === undefined)) {
      throw new LnxError('MISSING_TOOL', `${file} is not installed or not on PATH`, {hint: TOOL_HINT[file] ?? 'apt-get install iproute2'})
    }
    return {stdout, stderr, exitCode: r.exitCode ?? 1}
  } catch (e) {
    if (e instanceof LnxError) throw e
    throw new LnxError('MISSING_TOOL', `cannot run ${file}: ${(e as Error).message}`)
  }
}

const TOOL_HINT: Record<string, string> = {nsenter: 'install util-linux', ethtool: 'apt-get install ethtool', dot: 'apt-get install graphviz', flock: 'install util-linux'}

/**
 * One process, no shell: its input written to stdin, stdout and stderr collected whole (text), its exit code or the
 * signal that killed it. The hot path (every `ip -batch`, the iproute2 probe) spawns with node:child_process directly:
 * execa costs ≈ 2 ms more per process (4.5 vs 2.4 ms measured), more than most batches take.
 */
interface Output {
  /** The output goes to this file, not a pipe — a pipe holds 64 KB, and a read started while this thread is busy
   * (validating the config) would stall on it until the thread is free. */
  file?: string
  /** Each line of output as it comes (then not collected): work on it while the process still runs. */
  onLine?: (line: string) => void
}

function collect(file: string, argv: string[], input: string | undefined, output: Output = {}): Promise<RunResult> {
  const stdoutFile = output.file
  countSpawn()
  return new Promise((resolve, reject) => {
    const fd = stdoutFile ? openSync(stdoutFile, 'w', 0o600) : undefined
    let p: ReturnType<typeof spawnChild>
    try {
      p = spawnChild(file, argv, {stdio: [input === undefined ? 'ignore' : 'pipe', fd ?? 'pipe', 'pipe'], detached: shielded})
    } finally {
      if (fd !== undefined) closeSync(fd)
    }
    const out: Buffer[] = []
    const err: Buffer[] = []
    let partial = ''
    if (output.onLine) {
      const onLine = output.onLine
      p.stdout!.setEncoding('utf8')
      p.stdout!.on('data', (d: string) => {
        const lines = (partial + d).split('\n')
        partial = lines.pop()!
        for (const l of lines) onLine(l)
      })
    } else p.stdout?.on('data', (d: Buffer) => out.push(d))
    p.stderr!.on('data', (d: Buffer) => err.push(d))
    p.stdin?.on('error', () => {})
    p.on('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'ENOENT' ? new LnxError('MISSING_TOOL', `${file} is not installed or not on PATH`, {hint: TOOL_HINT[file] ?? 'apt-get install iproute2'}) : e))
    p.on('close', (code, signal) => {
      let stdout = ''
      if (partial) output.onLine!(partial)
      try {
        stdout = stdoutFile ? readFileSync(stdoutFile, 'utf8') : Buffer.concat(out).toString('utf8')
      } catch {
        // No output file: no output.
      }
      if (stdoutFile) rmSync(stdoutFile, {force: true})
      resolve({stdout, stderr: Buffer.concat(err).toString('utf8'), exitCode: signal ? 128 : code ?? 128, ...(signal ? {signal} : {})})
    })
    p.stdin?.end(input)
  })
}

// Tokens a batch line may hold: names (already validated), addresses, numbers, paths, keywords; or "" (clears an alias).
// Tokens are separated by single spaces; one regex per line (not one per token: a big apply sends 10k+ lines).
const LINE = /^(?:[A-Za-z0-9_.:/@+=,-]+|"")(?: (?:[A-Za-z0-9_.:/@+=,-]+|""))*$/

export function checkBatchLine(line: string): void {
  if (!LINE.test(line)) throw new LnxError('INTERNAL', `refusing to send an unsafe ip -batch line: ${JSON.stringify(line)}`, {hint: 'a name or value slipped past validation; this is a bug in lnx'})
}

export interface BatchFailure {
  /** 0-based index of the line that failed; the lines before it were applied. */
  line: number
  message: string
}

export interface BatchResult {
  ok: boolean
  stdout: string
  /** The batch died without saying where (killed by a signal, or no "Command failed" line): how far it got is unknown. */
  unknown?: string
  failure?: BatchFailure
  /** With force: every failed line. */
  failures: BatchFailure[]
}

/** Runs lines through one `ip -batch -` in a namespace. Without force it stops at the first failing line. */
export async function ipBatch(ns: NsHandle | undefined, lines: string[], opts: {force?: boolean; json?: boolean; details?: boolean; onLine?: (line: string) => void} = {}): Promise<BatchResult> {
  for (const l of lines) checkBatchLine(l)
  const args = [...(opts.details ? ['-d'] : []), ...(opts.json ? ['-j'] : []), ...(opts.force ? ['-force'] : []), '-batch', '-']
  const r = await spawnBatch(ns, args, lines.join('\n') + '\n', {onLine: opts.onLine})
  const failures = parseBatchErrors(r.stderr)
  let unknown: string | undefined
  if (r.signal) unknown = `ip -batch was killed by ${r.signal}`
  else if (r.exitCode !== 0 && failures.length === 0) unknown = r.stderr.trim() || `ip exited with ${r.exitCode}`
  if (unknown && !failures.length) failures.push({line: 0, message: unknown})
  return {ok: r.exitCode === 0 && !r.signal, stdout: r.stdout, failure: failures[0], failures, ...(unknown ? {unknown} : {})}
}

/** `ip <args>` in a namespace with the batch on stdin. */
function spawnBatch(ns: NsHandle | undefined, args: string[], input: string | undefined, output?: Output): Promise<RunResult> {
  const [file, argv] = wrap(ns, 'ip', args)
  if (verbose()) process.stderr.write(verboseText(file, argv, input))
  return collect(file, argv, input, output)
}

export interface ChildBatch {
  /** A named namespace (/run/netns/<name>). */
  name: string
  lines: string[]
}

/** How one child batch of a group ended: ok (every line applied), failed at a line (the lines before it applied),
 * not run (an earlier child failed), or unknown (killed, or died without naming a line: any of its lines may be
 * applied — and, since a child whose namespace switch fails goes on with its parent's remaining lines, so may the
 * lines of every later child). */
export type ChildOutcome = {state: 'ok'} | {state: 'failed'; failure: BatchFailure} | {state: 'not-run'} | {state: 'unknown'; message: string}

let groupDir: string | null | undefined
let groupSeq = 0
/** Where child batch files go: a private directory made once per run (0700), removed at exit; null when unusable. */
function batchDir(): string | null {
  if (groupDir !== undefined) return groupDir
  try {
    const dir = mkdtempSync(join(tmpdir(), 'lnx-batch-'))
    // The paths go into batch lines: they must be tokens checkBatchLine accepts.
    if (!LINE.test(dir)) {
      rmSync(dir, {recursive: true, force: true})
      groupDir = null
    } else {
      groupDir = dir
      process.once('exit', () => rmSync(dir, {recursive: true, force: true}))
    }
  } catch {
    groupDir = null
  }
  return groupDir
}

/**
 * Several named namespaces' batches run by one process: an `ip -batch` whose lines are `netns exec NAME ip -batch
 * FILE`, one child per namespace, run one after the other — iproute2 forks them, not lnx (a fork of lnx's large heap
 * costs more than the batch itself on a busy host). The parent runs in the first child's namespace; with `own` it runs
 * in lnx's namespace and runs those lines itself first (the default namespace's reads: one process less). toFile: the
 * output goes through a file (see collect); onLine: each line as it comes, not collected. Returns null when it cannot be used (no private directory): the caller
 * runs one process per namespace instead.
 */
export async function ipBatchGroup(children: ChildBatch[], opts: {force?: boolean; json?: boolean; details?: boolean; own?: string[]; toFile?: boolean; onLine?: (line: string) => void} = {}): Promise<{stdout: string; children: ChildOutcome[]} | null> {
  const dir = batchDir()
  if (!dir || !children.length) return null
  const flags = [...(opts.details ? ['-d'] : []), ...(opts.json ? ['-j'] : []), ...(opts.force ? ['-force'] : [])]
  const files: string[] = []
  for (const c of children) {
    for (const l of c.lines) checkBatchLine(l)
    const f = join(dir, `b${++groupSeq}.batch`)
    writeFileSync(f, c.lines.join('\n') + '\n', {mode: 0o600})
    files.push(f)
  }
  const own = opts.own ?? []
  const parent = [...own, ...children.map((c, i) => `netns exec ${c.name} ip ${[...flags, '-batch', files[i]].join(' ')}`)]
  for (const l of parent) checkBatchLine(l)
  const first: NsHandle | undefined = own.length ? undefined : {label: children[0].name, name: children[0].name, path: `/run/netns/${children[0].name}`, isDefault: false}
  const parentFlags = own.length ? flags : [...(opts.json ? ['-j'] : []), ...(opts.force ? ['-force'] : [])]
  let running: Promise<RunResult>
  if (opts.toFile) {
    // Input and output through files: started while this thread is busy, the group needs nothing from it until read.
    const input = `${files[0]}.parent`
    writeFileSync(input, parent.join('\n') + '\n', {mode: 0o600})
    running = spawnBatch(first, [...parentFlags, '-batch', input], undefined, {file: `${files[0]}.out`})
  } else running = spawnBatch(first, [...parentFlags, '-batch', '-'], parent.join('\n') + '\n', {onLine: opts.onLine})
  // --verbose: each child as the command its parent runs, with the lines of its file.
  if (verbose()) process.stderr.write(children.map((c, i) => verboseText('ip', ['netns', 'exec', c.name, 'ip', ...flags, '-batch', files[i]], c.lines.join('\n'))).join(''))
  const r = await running
  return {stdout: r.stdout, children: groupOutcomes(files, r, !!opts.force, own.length)}
}

/**
 * Pure: how each child of a group ended, from the parent's exit and stderr — "<messages>\nCommand failed FILE:N" from
 * the failing child, then "Command failed -:K" from the parent, which stops there (without -force). Exported for tests.
 */
export function groupOutcomes(files: string[], r: {exitCode: number; signal?: string; stderr: string}, force = false, own = 0): ChildOutcome[] {
  const out: ChildOutcome[] = files.map(() => ({state: 'ok'}))
  if (r.exitCode === 0 && !r.signal) return out
  const unknownFrom = (k: number, message: string) => {
    for (let i = k; i < out.length; i++) out[i] = {state: 'unknown', message}
  }
  if (r.signal) {
    unknownFrom(0, `ip -batch was killed by ${r.signal}`)
    return out
  }
  let msg: string[] = []
  let childFail: {file: string; line: number; message: string} | undefined
  let parentLine: number | undefined
  for (const raw of r.stderr.split('\n')) {
    const m = /^Command failed (.+):(\d+)$/.exec(raw)
    if (!m) {
      if (raw.trim()) msg.push(raw.trim())
      continue
    }
    if (m[1] === '-') {
      // The parent's own lines come before its children's (own): a failure there leaves every child unknown.
      if (parentLine === undefined) parentLine = Number(m[2]) - 1 - own
    } else if (!childFail) childFail = {file: m[1], line: Number(m[2]) - 1, message: msg.join('; ').trim() || 'failed'}
    msg = []
  }
  if (force || parentLine === undefined || parentLine < 0 || parentLine >= files.length) {
    unknownFrom(0, r.stderr.trim() || `ip exited with ${r.exitCode}`)
    return out
  }
  if (childFail && childFail.file === files[parentLine]) {
    out[parentLine] = {state: 'failed', failure: {line: childFail.line, message: childFail.message}}
    for (let i = parentLine + 1; i < out.length; i++) out[i] = {state: 'not-run'}
  } else unknownFrom(parentLine, r.stderr.trim() || `ip exited with ${r.exitCode}`)
  return out
}

/**
 * Starts a process in a session of its own (setsid) with no terminal, its output appended to a log file: it outlives
 * lnx, a hang-up of lnx's terminal (SIGHUP goes to the terminal's session) and a kill -9 of lnx. It inherits lnx's
 * network and mount namespaces, so it acts on the same namespace tree. Returns its pid.
 */
export async function spawnDetached(cmd: string, args: string[], opts: {log: string; env?: NodeJS.ProcessEnv}): Promise<number> {
  if (verbose()) process.stderr.write(`$ ${[cmd, ...args].join(' ')} (detached)\n`)
  const {spawn} = await import('node:child_process')
  const {openSync, closeSync} = await import('node:fs')
  const fd = openSync(opts.log, 'a', 0o600)
  try {
    const p = spawn(cmd, args, {detached: true, stdio: ['ignore', fd, fd], env: opts.env ?? process.env})
    await new Promise<void>((resolve, reject) => {
      p.once('spawn', resolve)
      p.once('error', reject)
    })
    p.unref()
    return p.pid!
  } finally {
    closeSync(fd)
  }
}

/**
 * flock(1) on an fd lnx holds open (passed as the child's fd 3): the lock belongs to the open file description,
 * so it stays taken after the child exits and goes when lnx closes the fd — or dies, even by SIGKILL. Node has no
 * flock of its own. waitSeconds 0 = try once. Resolves true when taken, false on timeout; an abort kills the wait.
 */
export async function flockFd(fd: number, waitSeconds: number, signal?: AbortSignal): Promise<boolean> {
  const args = ['-x', ...(waitSeconds > 0 ? ['-w', String(waitSeconds)] : ['-n']), '3']
  if (verbose()) process.stderr.write(`$ flock ${args.join(' ')}  (the lock file's fd)\n`)
  const {spawn} = await import('node:child_process')
  countSpawn()
  return new Promise((resolve, reject) => {
    const p = spawn('flock', args, {stdio: ['ignore', 'ignore', 'pipe', fd], signal})
    let err = ''
    p.stderr!.on('data', (d: Buffer) => (err += d))
    p.on('error', (e: NodeJS.ErrnoException) => {
      if (e.name === 'AbortError') return
      reject(e.code === 'ENOENT' ? new LnxError('MISSING_TOOL', 'flock is not installed or not on PATH', {hint: 'install util-linux'}) : e)
    })
    p.on('close', (code, sig) => {
      if (code === 0) resolve(true)
      else if (code === 1) resolve(false)
      else if (sig || signal?.aborted) resolve(false)
      else reject(new LnxError('LOCKED', `flock failed: ${err.trim() || `exit ${code}`}`))
    })
  })
}

/** flock(1) on fd, try once, waiting for its exit in this thread (tryLockNow): true when taken. */
export function flockFdNow(fd: number): boolean {
  if (verbose()) process.stderr.write(`$ flock -x -n 3  (the lock file's fd)\n`)
  countSpawn()
  const r = spawnSync('flock', ['-x', '-n', '3'], {stdio: ['ignore', 'ignore', 'ignore', fd]})
  return r.status === 0
}

/** "RTNETLINK answers: File exists\nCommand failed -:3" → line 2 (0-based) with the kernel's message. */
export function parseBatchErrors(stderr: string): BatchFailure[] {
  const out: BatchFailure[] = []
  let msg: string[] = []
  for (const raw of stderr.split('\n')) {
    const m = raw.match(/^Command failed -:(\d+)/)
    if (m) {
      out.push({line: Number(m[1]) - 1, message: msg.join('; ').trim() || 'failed'})
      msg = []
    } else if (raw.trim()) msg.push(raw.trim())
  }
  return out
}

let probed: Promise<void> | undefined

/**
 * What lnx needs from iproute2, checked once per run before anything changes: `ip` itself, JSON output (4.13+)
 * and neighbour protocols (5.8+). Missing → exit 4 saying what.
 */
export function probeIp(): Promise<void> {
  probed ??= (async () => {
    const r = await collect('ip', ['-V'], '')
    const m = r.stdout.match(/iproute2-(?:ss)?v?(\d+)\.(\d+)/) ?? r.stdout.match(/(\d+)\.(\d+)\.\d+/)
    if (r.exitCode !== 0 || !m) throw new LnxError('MISSING_TOOL', `cannot tell the iproute2 version (${(r.stdout + r.stderr).trim() || 'no output'})`, {hint: 'install iproute2 5.8 or newer'})
    const [maj, min] = [Number(m[1]), Number(m[2])]
    if (maj < 5 || (maj === 5 && min < 8)) {
      throw new LnxError('MISSING_TOOL', `iproute2 ${maj}.${min} lacks what lnx needs (JSON output, neighbour protocols: 5.8 or newer)`, {hint: 'install a newer iproute2'})
    }
  })()
  return probed
}

export interface Started {
  /** Lines the process prints on stdout, as they come. */
  onLine(fn: (line: string) => void): void
  write(text: string): void
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>
  stderr(): string
  stop(): void
}

/**
 * A long-running process (`ip monitor`, a lock holder): stdout read line by line, stopped with SIGTERM by stop().
 * It must not outlive lnx: `ip monitor` never reads its stdin, so a killed lnx would leave it running (and holding
 * its namespace) until its next event. setpriv (util-linux) gives it a parent-death signal: the kernel sends it
 * SIGTERM when lnx dies, however.
 */
export function start(cmd: string, args: string[], opts: {ns?: NsHandle} = {}): Started {
  const [inner, innerArgv] = wrap(opts.ns, cmd, args)
  const [file, argv] = ['setpriv', ['--pdeathsig', 'TERM', '--', inner, ...innerArgv]]
  if (verbose()) process.stderr.write(`$ ${[file, ...argv].join(' ')} &\n`)
  countSpawn()
  const p = spawnChild(file, argv, {stdio: ['pipe', 'pipe', 'pipe']})
  const listeners: ((l: string) => void)[] = []
  let buf = ''
  let err = ''
  p.stdout!.setEncoding('utf8')
  p.stdout!.on('data', (d: string) => {
    buf += d
    let i
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i)
      buf = buf.slice(i + 1)
      for (const l of listeners) l(line)
    }
  })
  p.stderr!.on('data', (d: Buffer) => {
    if (err.length < 4096) err += d.toString('utf8')
  })
  p.stdin!.on('error', () => {})
  const exited = new Promise<number | null>((resolve) => {
    p.on('error', (e: NodeJS.ErrnoException) => {
      err += e.code === 'ENOENT' ? `${file} is not installed or not on PATH` : e.message
      resolve(127)
    })
    p.on('close', (code) => resolve(code))
    // A grandchild that inherited its stdout (a command under `timeout`) must not keep lnx alive once it exited.
    p.on('exit', (code) => {
      setTimeout(() => {
        p.stdout!.destroy()
        p.stderr!.destroy()
        resolve(code)
      }, 200).unref()
    })
  })
  return {
    onLine: (fn) => void listeners.push(fn),
    write: (t) => void p.stdin!.write(t),
    exited,
    stderr: () => err,
    stop: () => {
      p.stdin!.end()
      p.kill('SIGTERM')
    },
  }
}
