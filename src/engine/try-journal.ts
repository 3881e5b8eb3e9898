// The journal of a pending `apply --try`: under /run/lnx (gone with a reboot, like the changes it would undo), one
// per network namespace tree (named after the inode of /proc/self/ns/net, like the lock). It holds everything a
// revert needs, so that a process other than the one that applied — the detached timer, `lnx rollback` — can
// undo the run: the commands applied with their undo lines, and the kernel as read before the run.
import {mkdir, readFile, rename, stat, unlink, writeFile} from 'node:fs/promises'
import {LnxError} from '../errors.js'
import type {Cmd} from './contract.js'
import type {NsHandle} from '../kernel/run.js'
import {LOCK_DIR} from './lock.js'

export const JOURNAL_VERSION = 1

export interface TryJournal {
  version: number
  id: string
  label: string
  /** The apply that made it (it waits for the decision while alive). */
  pid: number
  files: string[]
  seconds: number
  started: string
  deadline: string
  /** The detached process that reverts at the deadline. */
  timer?: {pid: number; start: string | null}
  /** The path lnx's own namespace had in the applying process: undo lines name it (taps moved back). */
  defaultPath: string
  /** Every command the run applied, in order, with its undo lines. */
  applied: Cmd[]
  /** The kernel before the run: per namespace, its handle, id and the four `ip -json` arrays it was read from. */
  before: {handle: NsHandle; id: string; reads: any[][]}[]
  /** Keys of the items the run changed (for messages). */
  keys: string[]
}

/** How the last try ended: what a waiting `apply --try` reports, and what `confirm`/`rollback` name when none is pending. */
export interface TryOutcome {
  id: string
  outcome: 'confirmed' | 'reverted' | 'failed'
  by: 'enter' | 'confirm' | 'timeout' | 'rollback' | 'signal'
  at: string
  reverted?: string[]
  errors?: string[]
}

async function base(): Promise<string> {
  const ns = await stat('/proc/self/ns/net')
  return `${LOCK_DIR}/netns-${ns.ino}`
}

export const journalPath = async () => `${await base()}.try.json`
export const outcomePath = async () => `${await base()}.try-outcome.json`
export const timerLogPath = async () => `${await base()}.try-timer.log`

async function writeAtomic(path: string, data: unknown): Promise<void> {
  await mkdir(LOCK_DIR, {recursive: true, mode: 0o700})
  const tmp = `${path}.${process.pid}.tmp`
  await writeFile(tmp, JSON.stringify(data), {mode: 0o600})
  await rename(tmp, path)
}

async function readJson<T>(path: string): Promise<T | undefined> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (e: any) {
    if (e.code === 'ENOENT') return undefined
    throw new LnxError('KERNEL', `cannot read ${path}: ${e.message}`)
  }
  try {
    return JSON.parse(text) as T
  } catch {
    throw new LnxError('INTERNAL', `${path} is not a valid try journal`, {hint: `remove it once you have checked the host (lnx plan shows its state)`})
  }
}

export async function readJournal(): Promise<TryJournal | undefined> {
  const j = await readJson<TryJournal>(await journalPath())
  if (j && j.version !== JOURNAL_VERSION) {
    throw new LnxError('INTERNAL', `the try journal ${await journalPath()} has version ${j.version}; this lnx reads ${JOURNAL_VERSION}`, {hint: 'decide it with the lnx that wrote it'})
  }
  return j
}

export const writeJournal = async (j: TryJournal) => writeAtomic(await journalPath(), j)
export const removeJournal = async () => unlink(await journalPath()).catch(() => {})
export const readOutcome = async () => readJson<TryOutcome>(await outcomePath())
export const writeOutcome = async (o: TryOutcome) => writeAtomic(await outcomePath(), o)

/** "pid starttime" identity: a pid alone may be reused by the time it is signalled. */
export async function startTime(pid: number): Promise<string | null> {
  try {
    const s = await readFile(`/proc/${pid}/stat`, 'utf8')
    return s.slice(s.lastIndexOf(')') + 2).split(' ')[19] ?? null
  } catch {
    return null
  }
}

export async function timerAlive(j: TryJournal): Promise<boolean> {
  return !!j.timer && (await startTime(j.timer.pid)) === j.timer.start
}

const clock = (iso: string) => new Date(iso).toTimeString().slice(0, 8)

export function describeTry(j: TryJournal): string {
  const n = j.keys.length
  return `apply --try of ${j.files.join(', ')} (pid ${j.pid}, started ${clock(j.started)}, ${n} item${n === 1 ? '' : 's'} changed)`
}

/**
 * plan, apply, delete and the imperative verbs refuse to run while a try waits for its decision: they would plan
 * against a state that may be reverted under them, and the revert would undo their changes too.
 */
export async function assertNoTry(): Promise<void> {
  const j = await readJournal()
  if (!j) return
  const alive = await timerAlive(j)
  const when = alive ? `it reverts at ${clock(j.deadline)} unless confirmed` : 'its timer is gone (killed or rebooted away): it reverts only when told'
  throw new LnxError('TRY_PENDING', `an ${describeTry(j)} is waiting for confirmation; ${when}`, {
    hint: 'lnx confirm keeps it, lnx rollback reverts it now',
  })
}
