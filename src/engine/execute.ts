// Runs a plan: phase by phase, one `ip -batch` per namespace (namespaces of a phase in parallel); tools as their
// own processes. Tracks what was applied so that a failure or a signal can undo exactly that, in reverse.
import {LnxError} from '../errors.js'
import {ipBatch, run, type NsHandle} from '../kernel/run.js'
import {handleKey, READ} from '../kernel/observe.js'
import {PHASES, renderCmd, type Change, type Cmd, type Phase} from './plan.js'

export interface ExecResult {
  applied: Cmd[]
  /** With readBack: each namespace's state read at the end of its last batch (4 JSON arrays), by handle key. */
  reads?: Map<string, any[][]>
  failure?: {cmd?: Cmd; message: string; code: 'KERNEL' | 'INTERRUPTED'}
}

export interface ExecOptions {
  /** Set when SIGINT/SIGTERM arrived: stop after the running step. */
  interrupted?: () => string | undefined
  progress?: (done: number, total: number, phase: Phase) => void
  /** Append the observation reads to the last step's batches (when that step only configures links in place). */
  readBack?: boolean
}

const nsKey = handleKey

/** Test-only fault points, documented in the README: the Nth ip line of a run fails; a pause after a phase. */
const FAULT = Number(process.env.LNX_TEST_FAULT ?? 0)
const PAUSE_PHASE = process.env.LNX_TEST_PAUSE_AFTER ?? ''
const PAUSE_MS = Number(process.env.LNX_TEST_PAUSE_MS ?? 3000)

/** Groups commands into steps: per phase, per namespace; configure and l3 share a batch when no tool runs between. */
export function steps(cmds: Cmd[]): {phase: Phase; batches: Map<string, Cmd[]>}[] {
  const hasTools = cmds.some((c) => c.phase === 'tools')
  const merge = (p: Phase): Phase => (p === 'l3' && !hasTools ? 'configure' : p === 'links' ? 'namespaces' : p)
  const out: {phase: Phase; batches: Map<string, Cmd[]>}[] = []
  for (const phase of PHASES) {
    const mine = cmds.filter((c) => merge(c.phase) === phase)
    if (!mine.length) continue
    // Keep phase order inside a merged batch (configure lines before l3 lines).
    mine.sort((a, b) => PHASES.indexOf(a.phase) - PHASES.indexOf(b.phase) || Number(!!a.late) - Number(!!b.late))
    const batches = new Map<string, Cmd[]>()
    for (const c of mine) {
      const k = nsKey(c.ns)
      if (!batches.has(k)) batches.set(k, [])
      batches.get(k)!.push(c)
    }
    out.push({phase, batches})
  }
  return out
}

export async function execute(changes: Change[], opts: ExecOptions = {}): Promise<ExecResult> {
  const all = changes.flatMap((c) => c.cmds)
  const applied: Cmd[] = []
  const reads = new Map<string, any[][]>()
  let lineNo = 0
  let done = 0
  const plan = steps(all)
  for (const [si, step] of plan.entries()) {
    // Reading back in the same process is sound only where the step changes nothing in other namespaces.
    const readBack = !!opts.readBack && si === plan.length - 1 && (step.phase === 'configure' || step.phase === 'l3')
    const results = await Promise.all(
      [...step.batches.values()].map(async (cmds) => {
        const ok: Cmd[] = []
        // Tools run one process each; ip lines go through one batch.
        const ipCmds = cmds.filter((c) => c.line)
        const tools = cmds.filter((c) => c.tool)
        for (const t of tools) {
          const r = await run(t.tool!.cmd, t.tool!.args, {ns: t.ns})
          if (r.exitCode !== 0) return {ok, failure: {cmd: t, message: `${renderCmd(t)}: ${r.stderr.trim() || `exit ${r.exitCode}`}`}}
          ok.push(t)
        }
        if (!ipCmds.length) return {ok}
        const lines = ipCmds.map((c) => {
          lineNo++
          return FAULT && lineNo === FAULT ? 'link set dev lnx-fault-injected up' : c.line!
        })
        const r = await ipBatch(ipCmds[0].ns, readBack ? [...lines, ...READ] : lines, readBack ? {json: true, details: true} : {})
        if (r.ok) {
          if (readBack) {
            const arrays = r.stdout.split('\n').filter((l) => l.trim().startsWith('[')).map((l) => JSON.parse(l))
            if (arrays.length === READ.length) reads.set(handleKey(ipCmds[0].ns), arrays)
          }
          return {ok: [...ok, ...ipCmds]}
        }
        const n = r.failure!.line
        return {ok: [...ok, ...ipCmds.slice(0, n)], failure: {cmd: ipCmds[n], message: `${ipCmds[n] ? renderCmd(ipCmds[n]) : 'ip -batch'}: ${r.failure!.message}`}}
      }),
    )
    for (const r of results) applied.push(...r.ok)
    done += [...step.batches.values()].reduce((s, b) => s + b.length, 0)
    opts.progress?.(done, all.length, step.phase)
    const failed = results.find((r) => r.failure)
    if (failed) return {applied, failure: {...failed.failure!, code: 'KERNEL'}}
    if (PAUSE_PHASE === step.phase) await new Promise((r) => setTimeout(r, PAUSE_MS))
    const sig = opts.interrupted?.()
    if (sig) return {applied, failure: {message: `interrupted by ${sig}`, code: 'INTERRUPTED'}}
  }
  return {applied, reads}
}

/** Undoes applied commands in reverse order, best effort (-force: a failing undo line does not stop the rest). */
export async function revert(applied: Cmd[]): Promise<{ok: boolean; errors: string[]}> {
  const undo = [...applied].reverse().flatMap((c) => c.undo)
  const errors: string[] = []
  let i = 0
  while (i < undo.length) {
    const first = undo[i]
    if (first.tool) {
      const r = await run(first.tool.cmd, first.tool.args, {ns: first.ns})
      if (r.exitCode !== 0) errors.push(`${renderCmd(first)}: ${r.stderr.trim()}`)
      i++
      continue
    }
    let j = i
    while (j < undo.length && !undo[j].tool && nsKey(undo[j].ns) === nsKey(first.ns)) j++
    const group = undo.slice(i, j)
    const r = await ipBatch(first.ns, group.map((c) => c.line!), {force: true})
    for (const f of r.failures) errors.push(`${group[f.line] ? renderCmd(group[f.line]) : 'ip'}: ${f.message}`)
    i = j
  }
  return {ok: errors.length === 0, errors}
}

export function failureError(f: NonNullable<ExecResult['failure']>, extra: Record<string, unknown>): LnxError {
  return new LnxError(f.code, f.message, {key: f.cmd?.key, extra})
}
