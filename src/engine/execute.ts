// Runs a plan: phase by phase, one `ip -batch` per namespace (namespaces of a phase in parallel); tools as their
// own processes. Tracks what was applied so that a failure or a signal can undo exactly that, in reverse — and
// what may have been: a batch that died without saying where (killed with lnx's process group) is "unknown".
import {LnxError} from '../errors.js'
import {ipBatch, ipBatchGroup, prepareRun, runTool, type NsHandle} from '../kernel/run.js'
import {handleKey, READ, parseReadBack, type ObservedNs} from '../kernel/observe.js'
import {PHASES, renderCmd, type Change, type Cmd, type Phase} from './contract.js'
import {testPause} from './session.js'

export interface ExecResult {
  applied: Cmd[]
  /** Commands of batches that died without saying how far they got: some of them may be applied. */
  unknown?: Cmd[]
  /** With readBack: each namespace's state read at the end of its last batch, parsed, by handle key. */
  reads?: Map<string, ObservedNs>
  failure?: {cmd?: Cmd; message: string; code: 'KERNEL' | 'INTERRUPTED'}
}

export interface ExecOptions {
  /** Set when SIGINT/SIGTERM arrived: stop after the running step. */
  interrupted?: () => string | undefined
  /** Wakes the test pause when a signal arrives. */
  signal?: AbortSignal
  progress?: (done: number, total: number, phase: Phase) => void
  /** Append the observation reads to the last step's batches (when that step only configures links in place). */
  readBack?: boolean
}

const nsKey = handleKey

/** Test-only fault points, documented in the README: the Nth ip line of a run fails (LNX_TEST_FAULT) or hangs until
 * the batch is killed (LNX_TEST_HANG: `monitor` blocks), so that tests can fault every step and kill a batch midway. */
const FAULT = Number(process.env.LNX_TEST_FAULT ?? 0)
const HANG = Number(process.env.LNX_TEST_HANG ?? 0)
/** LNX_TEST_FAULT_KIND=unsafe: the faulted line is one the batch guard refuses (an exception, not a kernel error). */
const FAULT_LINE = process.env.LNX_TEST_FAULT_KIND === 'unsafe' ? 'link set dev lnx$fault up' : 'link set dev lnx-fault-injected up'

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

type BatchOutcome = {ok: Cmd[]; unknown?: Cmd[]; failure?: {cmd?: Cmd; message: string}}

/**
 * How many `ip -batch` parents run a step's named-namespace batches side by side (each runs its children in turn).
 * Creating and configuring is CPU- and RTNL-bound: more than two gains nothing on a small host. Deleting links is
 * bound by the kernel's waits after each unregister batch (RCU grace periods, device refcounts), which processes
 * overlap: 50 namespaces' group deletes took 1.1 s one after the other, 0.5 s four at a time, 0.35 s six at a time.
 */
export const execGroups = (phase: Phase) => (phase === 'unlink' ? 8 : 2)

/**
 * Runs the batches of named namespaces through ipBatchGroup (a few processes instead of one per namespace), with the
 * same outcome per batch as one process each would give.
 */
function runGrouped(batches: Cmd[][], numbered: Map<Cmd[], string[]>, readBack: boolean, reads: Map<string, ObservedNs>, alone: (cmds: Cmd[]) => Promise<BatchOutcome>, parents: number): Map<Cmd[], Promise<BatchOutcome>> {
  const size = Math.ceil(batches.length / parents)
  const groups: Cmd[][][] = []
  for (let i = 0; i < batches.length; i += size) groups.push(batches.slice(i, i + size))
  const out = new Map<Cmd[], Promise<BatchOutcome>>()
  const runs = groups.map((g) => {
    // The reads after each child's lines, four per child, parsed as they come; anything else leaves the verification
    // to read again.
    const back = readBack ? parseReadBack(g.map((cmds) => cmds[0].ns), reads) : undefined
    const run = ipBatchGroup(
      g.map((cmds) => ({name: cmds[0].ns.name!, lines: readBack ? [...numbered.get(cmds)!, ...READ] : numbered.get(cmds)!})),
      readBack ? {json: true, details: true, onLine: back!.onLine} : {},
    )
    return run.then((r) => {
      back?.done(!!r && r.children.every((c) => c.state === 'ok'))
      return r
    }, (e) => {
      back?.done(false)
      throw e
    })
  })
  groups.forEach((g, gi) => {
    // An exception (the batch guard, a spawn failure) comes before any child ran: each batch then runs alone, as
    // it would have without grouping.
    g.forEach((cmds, i) => out.set(cmds, runs[gi].catch(() => null).then((r) => {
      // No private directory for the child batch files (null before anything ran): this batch runs alone.
      if (!r) return alone(cmds)
      const ipCmds = cmds.filter((c) => c.line)
      const o = r.children[i]
      if (o.state === 'ok') return {ok: ipCmds}
      if (o.state === 'not-run') return {ok: []}
      if (o.state === 'unknown') return {ok: [], unknown: ipCmds, failure: {message: o.message}}
      const n = o.failure.line
      return {ok: ipCmds.slice(0, n), failure: {cmd: ipCmds[n], message: `${ipCmds[n] ? renderCmd(ipCmds[n]) : 'ip -batch'}: ${o.failure.message}`}}
    })))
  })
  return out
}

export async function execute(changes: Change[], opts: ExecOptions = {}): Promise<ExecResult> {
  const all = changes.flatMap((c) => c.cmds)
  const applied: Cmd[] = []
  const reads = new Map<string, ObservedNs>()
  let lineNo = 0
  let done = 0
  const plan = steps(all)
  // Tool runs go through execa: load it now, while the first batches keep the kernel (not this thread) busy.
  if (all.some((c) => c.tool)) void prepareRun()
  for (const [si, step] of plan.entries()) {
    // Reading back in the same process is sound only where the step changes nothing in other namespaces.
    const readBack = !!opts.readBack && si === plan.length - 1 && (step.phase === 'configure' || step.phase === 'l3')
    const entries = [...step.batches.values()]
    const number = (ipCmds: Cmd[]) => ipCmds.map((c) => {
      lineNo++
      if (FAULT && lineNo === FAULT) return FAULT_LINE
      return HANG && lineNo === HANG ? `${c.line!}\nmonitor link` : c.line!
    }).join('\n').split('\n')
    // Batches without tools are numbered now, in batch order (the fault hooks count lines in this order).
    const numbered = new Map<Cmd[], string[]>()
    for (const cmds of entries) {
      if (cmds.some((c) => c.tool) || !cmds.some((c) => c.line)) continue
      numbered.set(cmds, number(cmds.filter((c) => c.line)))
    }
    const single = async (cmds: Cmd[]): Promise<BatchOutcome> => {
      const ok: Cmd[] = []
      try {
        // Tools run one process each; ip lines go through one batch.
        const ipCmds = cmds.filter((c) => c.line)
        const tools = cmds.filter((c) => c.tool)
        for (const t of tools) {
          const r = await runTool(t.tool!.cmd, t.tool!.args, {ns: t.ns})
          if (r.signal) return {ok, unknown: [t], failure: {cmd: t, message: `${renderCmd(t)}: killed by ${r.signal}`}}
          if (r.exitCode !== 0) return {ok, failure: {cmd: t, message: `${renderCmd(t)}: ${r.stderr.trim() || `exit ${r.exitCode}`}`}}
          ok.push(t)
        }
        if (!ipCmds.length) return {ok}
        const lines = numbered.get(cmds) ?? number(ipCmds)
        const back = readBack ? parseReadBack([ipCmds[0].ns], reads) : undefined
        const r = await ipBatch(ipCmds[0].ns, back ? [...lines, ...READ] : lines, back ? {json: true, details: true, onLine: back.onLine} : {})
        back?.done(r.ok)
        if (r.unknown) {
          // Killed midway (or died without naming a line): any of its lines may be applied.
          return {ok, unknown: ipCmds, failure: {cmd: undefined, message: r.unknown}}
        }
        if (r.ok) {
          ok.push(...ipCmds)
          return {ok}
        }
        const n = r.failure!.line
        return {ok: [...ok, ...ipCmds.slice(0, n)], failure: {cmd: ipCmds[n], message: `${ipCmds[n] ? renderCmd(ipCmds[n]) : 'ip -batch'}: ${r.failure!.message}`}}
      } catch (e) {
        // Any exception (the batch guard, a spawn failure) fails this step like a kernel refusal: the other
        // namespaces' batches of the step finish, and everything applied so far is reverted by the caller.
        return {ok, failure: {cmd: cmds.find((c) => !ok.includes(c)), message: (e as Error).message}}
      }
    }
    // Named namespaces' batches without tools: a few processes run them all (ipBatchGroup), not one each.
    const groupable = entries.filter((cmds) => numbered.has(cmds) && !!cmds[0].ns.name && !cmds[0].ns.isDefault)
    const grouped = groupable.length >= 2 ? runGrouped(groupable, numbered, readBack, reads, single, execGroups(step.phase)) : undefined
    const results = await Promise.all(entries.map((cmds) => grouped?.get(cmds) ?? single(cmds)))
    const unknown: Cmd[] = []
    for (const r of results) {
      applied.push(...r.ok)
      unknown.push(...((r as {unknown?: Cmd[]}).unknown ?? []))
    }
    done += [...step.batches.values()].reduce((s, b) => s + b.length, 0)
    opts.progress?.(done, all.length, step.phase)
    const sig = opts.interrupted?.()
    const failed = results.find((r) => r.failure)
    if (failed) {
      const f = failed.failure!
      // A batch killed by the same Ctrl-C that reached lnx is an interruption, not a kernel refusal.
      const code = sig && unknown.length ? 'INTERRUPTED' : 'KERNEL'
      return {applied, ...(unknown.length ? {unknown} : {}), failure: {...f, code, message: code === 'INTERRUPTED' ? `interrupted by ${sig}` : f.message}}
    }
    await testPause(step.phase, opts.signal)
    const sig2 = opts.interrupted?.()
    if (sig2) return {applied, failure: {message: `interrupted by ${sig2}`, code: 'INTERRUPTED'}}
  }
  return {applied, reads}
}

/** A line that moves or creates something across namespaces (or creates/removes one): ordered against everything. */
const crossesNamespaces = (c: Cmd) => !c.tool && /(^| )netns /.test(c.line!)

/** One stage of a revert: per namespace, commands run in order (ip lines batched, tools one by one); the
 * namespaces of a stage run in parallel. */
export type UndoStage = Map<string, Cmd[]>

/**
 * The undo lines of applied commands as stages. Forward steps are undone in reverse (within a step, the applied
 * commands in reverse); inside a step the undo lines go in the order their own phases give (a re-created veth
 * before its addresses, a namespace deleted after the links in it), stable otherwise. Lines that stay in one
 * namespace commute with lines of other namespaces inside such a group, so they are batched per namespace; a line
 * that crosses namespaces (netns add/del, a move, a veth made with netns) is a barrier, kept in place.
 */
export function undoStages(applied: Cmd[]): UndoStage[] {
  const stages: UndoStage[] = []
  let open: UndoStage | undefined
  let lastCross: {key: string; cmds: Cmd[]} | undefined
  for (const phase of [...PHASES].reverse()) {
    const undo = applied.filter((c) => c.phase === phase).reverse().flatMap((c) => c.undo)
    const ordered = undo.map((c, i) => ({c, i})).sort((a, b) => PHASES.indexOf(a.c.phase) - PHASES.indexOf(b.c.phase) || a.i - b.i)
    let group: Phase | undefined
    for (const {c} of ordered) {
      if (c.phase !== group) {
        // A new group of one step: nothing moves across its start.
        group = c.phase
        open = undefined
        lastCross = undefined
      }
      const k = nsKey(c.ns)
      if (crossesNamespaces(c)) {
        open = undefined
        if (lastCross && lastCross.key === k) lastCross.cmds.push(c)
        else {
          lastCross = {key: k, cmds: [c]}
          stages.push(new Map([[k, lastCross.cmds]]))
        }
        continue
      }
      lastCross = undefined
      if (!open) stages.push((open = new Map()))
      if (!open.has(k)) open.set(k, [])
      open.get(k)!.push(c)
    }
    open = undefined
    lastCross = undefined
  }
  return stages
}

/**
 * Undoes applied commands (see undoStages), best effort: -force, a failing undo line does not stop the rest. A
 * reusable step: services/reconcile.ts follows it with a re-plan against the state read before the run.
 */
export async function revert(applied: Cmd[], opts: {progress?: (done: number, total: number) => void} = {}): Promise<{ok: boolean; errors: string[]}> {
  const stages = undoStages(applied)
  const total = stages.reduce((n, st) => n + [...st.values()].reduce((m, c) => m + c.length, 0), 0)
  const errors: string[] = []
  let done = 0
  for (const stage of stages) {
    await Promise.all([...stage.values()].map(async (cmds) => {
      let i = 0
      while (i < cmds.length) {
        const first = cmds[i]
        if (first.tool) {
          const r = await runTool(first.tool.cmd, first.tool.args, {ns: first.ns})
          if (r.exitCode !== 0) errors.push(`${renderCmd(first)}: ${r.stderr.trim() || `exit ${r.exitCode}`}`)
          i++
          continue
        }
        let j = i
        while (j < cmds.length && !cmds[j].tool) j++
        const group = cmds.slice(i, j)
        const r = await ipBatch(first.ns, group.map((c) => c.line!), {force: true})
        for (const f of r.failures) errors.push(`${group[f.line] ? renderCmd(group[f.line]) : 'ip'}: ${f.message}`)
        i = j
      }
    }))
    done += [...stage.values()].reduce((m, c) => m + c.length, 0)
    opts.progress?.(done, total)
  }
  return {ok: errors.length === 0, errors}
}

export function failureError(f: NonNullable<ExecResult['failure']>, extra: Record<string, unknown>): LnxError {
  return new LnxError(f.code, f.message, {key: f.cmd?.key, extra})
}
