// One run at a time per network namespace tree: an advisory flock on /run/lnx/netns-<inode>.lock, the inode being
// that of the caller's network namespace (never a file inside /run/netns). The kernel holds the lock for the open
// file, so a holder that dies — even by SIGKILL — frees it; nobody ever judges a holder dead or unlinks its file.
// The file is never removed (an unlink would let a third run lock a fresh inode while a second holds the old one);
// its content, the holder's pid, only names the holder in messages.
import {closeSync, ftruncateSync, mkdirSync, openSync, statSync, writeSync} from 'node:fs'
import {mkdir, open, readFile, stat, type FileHandle} from 'node:fs/promises'
import {LnxError} from '../errors.js'
import {flockFd, flockFdNow} from '../kernel/run.js'

export const LOCK_DIR = '/run/lnx'

export interface Lock {
  path: string
  release(): Promise<void>
}

export async function lockPath(): Promise<string> {
  const ns = await stat('/proc/self/ns/net')
  return `${LOCK_DIR}/netns-${ns.ino}.lock`
}

/** The pid a holder wrote into the lock file (informational: the lock itself is the flock). */
export async function holderPid(path: string): Promise<number | undefined> {
  const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim().split(/\s/)[0])
  return Number.isInteger(pid) && pid > 0 ? pid : undefined
}

let held: {lock: Lock; depth: number} | undefined

/**
 * Takes the lock, waiting up to timeoutMs (announced once through onWait). Re-entrant within one process: an
 * imperative verb holds it across its read, plan and apply, and the engine it calls takes it again.
 */
export async function acquireLock(opts: {timeoutMs: number; onWait?: (holder: number | undefined) => void; signal?: AbortSignal}): Promise<Lock> {
  if (held) {
    held.depth++
    return held.lock
  }
  const path = await lockPath()
  await mkdir(LOCK_DIR, {recursive: true}).catch(() => {})
  let fh: FileHandle
  try {
    fh = await open(path, 'a+')
  } catch (e: any) {
    throw new LnxError('LOCKED', `cannot open the lock ${path}: ${e.message}`, {hint: 'run as root'})
  }
  try {
    let got = await flockFd(fh.fd, 0)
    if (!got && opts.timeoutMs > 0 && !opts.signal?.aborted) {
      opts.onWait?.(await holderPid(path))
      got = await flockFd(fh.fd, opts.timeoutMs / 1000, opts.signal)
    }
    if (opts.signal?.aborted) throw new LnxError('INTERRUPTED', `interrupted by ${String(opts.signal.reason ?? 'a signal')} while waiting for the lock; nothing was changed`)
    if (!got) {
      const pid = await holderPid(path)
      throw new LnxError('LOCKED', `another lnx run${pid ? ` (pid ${pid})` : ''} holds the lock ${path}`, {hint: 'wait for it, or raise --lock-timeout'})
    }
    await fh.truncate(0)
    await fh.write(`${process.pid}\n`)
  } catch (e) {
    await fh.close().catch(() => {})
    throw e
  }
  const lock: Lock = {
    path,
    async release() {
      if (!held || held.lock !== lock) return
      if (--held.depth > 0) return
      held = undefined
      // Closing the only fd of the open file releases the flock.
      await fh.close().catch(() => {})
    },
  }
  held = {lock, depth: 1}
  return lock
}

/**
 * Takes the lock only if it is free this instant, without giving up the thread (a CLI run's start: the kernel is read
 * under it while the config is validated, synchronous work during which no promise would settle); undefined when
 * taken by another run or unusable — the run then takes it as usual, later. Re-entrant like acquireLock.
 */
export function tryLockNow(): Lock | undefined {
  if (held) {
    held.depth++
    return held.lock
  }
  let fd: number | undefined
  try {
    const path = `${LOCK_DIR}/netns-${statSync('/proc/self/ns/net').ino}.lock`
    mkdirSync(LOCK_DIR, {recursive: true})
    fd = openSync(path, 'a+')
    if (!flockFdNow(fd)) {
      closeSync(fd)
      return undefined
    }
    ftruncateSync(fd, 0)
    writeSync(fd, `${process.pid}\n`)
    const mine = fd
    const lock: Lock = {
      path,
      async release() {
        if (!held || held.lock !== lock) return
        if (--held.depth > 0) return
        held = undefined
        closeSync(mine)
      },
    }
    held = {lock, depth: 1}
    return lock
  } catch {
    if (fd !== undefined) closeSync(fd)
    return undefined
  }
}

/** Whether another process holds the lock now (for `lnx doctor`), without waiting. */
export async function lockState(): Promise<{path: string; held: boolean; pid?: number}> {
  const path = await lockPath()
  let fh: FileHandle
  try {
    fh = await open(path, 'r')
  } catch {
    return {path, held: false}
  }
  try {
    const free = await flockFd(fh.fd, 0)
    return free ? {path, held: false} : {path, held: true, pid: await holderPid(path)}
  } finally {
    await fh.close()
  }
}
