// One owner per label: a running `lnx agent` claims its label with an flock on /run/lnx/agent-<netns>-<label>.json
// (held by a child `flock … cat` whose stdin is a pipe from the agent: when the agent dies, however, the pipe
// closes and the kernel drops the lock — nothing stale to judge). The CLI refuses `--prune` and `delete` for a
// claimed label (exit 4), naming the agent: the agent would fight it.
import {mkdir, readFile, stat, writeFile} from 'node:fs/promises'
import {LnxError} from '../errors.js'
import {runTool, start, type Started} from '../kernel/run.js'
import {LOCK_DIR} from './lock.js'

export interface AgentInfo {
  pid: number
  label: string
  etcd?: string
  http?: string
  started: string
}

const BUSY = 75

async function claimPath(label: string): Promise<string> {
  const ns = await stat('/proc/self/ns/net')
  return `${LOCK_DIR}/agent-${ns.ino}-${label}.json`
}

/** The agent holding `label` in this network namespace tree, if one runs. */
export async function agentFor(label: string): Promise<AgentInfo | undefined> {
  const path = await claimPath(label)
  try {
    await stat(path)
  } catch {
    return undefined
  }
  const r = await runTool('flock', ['--shared', '--nonblock', '--conflict-exit-code', String(BUSY), path, 'true'])
  if (r.exitCode !== BUSY) return undefined
  try {
    return JSON.parse(await readFile(path, 'utf8'))
  } catch {
    return {pid: 0, label, started: ''}
  }
}

/** CLI side: a pruning or deleting run for a label an agent owns is refused (exit 4). */
export async function refuseIfAgent(label: string, what: string): Promise<void> {
  const a = await agentFor(label)
  if (!a) return
  const where = [a.etcd && `etcd ${a.etcd}`, a.http && `http ${a.http}`].filter(Boolean).join(', ')
  throw new LnxError('LOCKED', `${what} refused: lnx agent (pid ${a.pid}${where ? `, ${where}` : ''}) manages label ${label}`, {
    hint: 'change the desired state in the agent\'s etcd keys, or stop the agent first',
  })
}

export interface Claim {
  release(): void
}

/** Agent side: takes the label or fails naming the agent that has it. */
export async function claimLabel(info: AgentInfo): Promise<Claim> {
  await mkdir(LOCK_DIR, {recursive: true})
  const path = await claimPath(info.label)
  const holder: Started = start('flock', ['--exclusive', '--nonblock', '--conflict-exit-code', String(BUSY), path, 'cat'])
  // cat echoes what we send only once flock has the lock and started it.
  const got = await new Promise<boolean>((resolve) => {
    holder.onLine(() => resolve(true))
    void holder.exited.then(() => resolve(false))
    holder.write('claimed\n')
  })
  if (!got) {
    const other = await agentFor(info.label).catch(() => undefined)
    holder.stop()
    throw new LnxError('LOCKED', `another lnx agent${other ? ` (pid ${other.pid})` : ''} already manages label ${info.label} here${holder.stderr() ? `: ${holder.stderr().trim()}` : ''}`)
  }
  await writeFile(path, `${JSON.stringify(info)}\n`)
  return {release: () => holder.stop()}
}
