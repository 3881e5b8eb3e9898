// One apply at a time per network namespace tree: a lock file under /run named after the inode of the caller's
// network namespace (never inside /run/netns). The file holds "pid starttime"; a holder that died frees it.
import {mkdir, open, readFile, stat, unlink} from 'node:fs/promises'
import {LnxError} from '../errors.js'

export const LOCK_DIR = '/run/lnx'

export interface Lock {
  path: string
  release(): Promise<void>
}

async function startTime(pid: number): Promise<string | null> {
  try {
    const s = await readFile(`/proc/${pid}/stat`, 'utf8')
    return s.slice(s.lastIndexOf(')') + 2).split(' ')[19] ?? null
  } catch {
    return null
  }
}

async function holderAlive(path: string): Promise<{alive: boolean; pid?: number}> {
  try {
    const [pid, st] = (await readFile(path, 'utf8')).trim().split(' ')
    const now = await startTime(Number(pid))
    return {alive: now !== null && now === st, pid: Number(pid)}
  } catch {
    return {alive: false}
  }
}

export async function acquireLock(opts: {timeoutMs: number; onWait?: (holder: number | undefined) => void}): Promise<Lock> {
  const ns = await stat('/proc/self/ns/net')
  await mkdir(LOCK_DIR, {recursive: true})
  const path = `${LOCK_DIR}/netns-${ns.ino}.lock`
  const me = `${process.pid} ${await startTime(process.pid)}\n`
  const deadline = Date.now() + opts.timeoutMs
  let announced = false
  for (;;) {
    try {
      const fh = await open(path, 'wx')
      await fh.writeFile(me)
      await fh.close()
      let released = false
      return {
        path,
        async release() {
          if (released) return
          released = true
          await unlink(path).catch(() => {})
        },
      }
    } catch (e: any) {
      if (e.code !== 'EEXIST') throw new LnxError('LOCKED', `cannot create the lock ${path}: ${e.message}`)
    }
    const h = await holderAlive(path)
    if (!h.alive) {
      // A crashed holder: remove its file and try again (unlink races are harmless: only one `wx` open wins).
      await unlink(path).catch(() => {})
      continue
    }
    if (Date.now() >= deadline) {
      throw new LnxError('LOCKED', `another lnx run (pid ${h.pid}) holds the lock ${path}`, {hint: 'wait for it, or raise --lock-timeout'})
    }
    if (!announced) {
      opts.onWait?.(h.pid)
      announced = true
    }
    await new Promise((r) => setTimeout(r, 50))
  }
}
