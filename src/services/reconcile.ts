// The reconcile use-case the CLI and the agent share: resolve namespaces → observe → plan → execute → verify (observe
// again), reverting what this pass changed when it fails. Nothing process-wide: no signal handlers, exit codes,
// environment variables or polling — the caller passes an AbortSignal and gets a typed outcome. Two reconciles in
// one process run one after the other (an in-process queue); the cross-process lock (engine/lock.ts) serializes
// them with every other lnx run in this network namespace tree.
import {existsSync} from 'node:fs'
import {readFile, statfs} from 'node:fs/promises'
import {LnxError, type ItemError} from '../errors.js'
import {desiredFromObjects} from '../config/index.js'
import {ownedConfig} from '../engine/owned-config.js'
import type {Desired, NsRef} from '../model/types.js'
import {nsLabel} from '../model/types.js'
import {KINDS, kindOf} from '../kinds/index.js'
import {foreignRules, observe, type Observation, type ObservedNs, type ReadAhead} from '../kernel/observe.js'
import {DEFAULT_HANDLE, listStrays, resolveNs, namedHandle, strayMessage} from '../kernel/namespaces.js'
import {checkBatchLine, probeIp, runTool, shieldChildren, type NsHandle} from '../kernel/run.js'
import {renderCmd, type Change, type Cmd, type Pending, type Plan} from '../engine/contract.js'
import {nsRefKey, plan, type TargetNs} from '../engine/plan/index.js'
import {execute, failureError, revert} from '../engine/execute.js'
import {acquireLock, type Lock} from '../engine/lock.js'
import type {ChangeJson, PlanResult} from './result.js'
import {lookupMicroservices, microserviceWarnings} from '../engine/microservices.js'
import {interfaceKey} from '../model/keys.js'
import {mark} from '../engine/timings.js'

export type ReconcileResult = 'done' | 'pending' | 'failed-reverted' | 'failed' | 'invalid' | 'refused'

/** What a run covers and how: the part of the options the CLI and the agent share. */
export interface RunScope {
  label: string
  prune?: boolean
  noRollback?: boolean
  deleteNamespaces?: boolean
  /** Imperative: the changes are the user's own, never drift. */
  imperative?: boolean
  /** More namespaces to read than the config names (graph: every labelled container). */
  alsoObserve?: NsHandle[]
}

export interface ReconcileOptions extends RunScope {
  mode?: 'apply' | 'delete'
  lockTimeoutMs?: number
  /** The caller already holds the engine lock and checked privileges (the CLI's --wait holds it across passes). */
  locked?: boolean
  /** Keep the raw reads of the observation before the pass (`before`: apply --try journals them). */
  keepReads?: boolean
  /** The kernel read ahead under the lock this pass runs in (session.ts startEarly): its observation uses what is
   * still current. */
  ahead?: Promise<ReadAhead | null>
}

export interface Logger {
  info(msg: string): void
}

export interface ReconcileOutcome {
  result: ReconcileResult
  changes: ChangeJson[]
  pending: Pending[]
  warnings: string[]
  summary: PlanResult['summary']
  error?: {code: string; message: string; key?: string}
  reverted?: string[]
  /** The pass as the CLI's --json reports it. */
  report: PlanResult
  /** Pending items of the plan this pass executed (before it ran). */
  planned: Pending[]
  /** What stopped the pass before it changed anything (invalid input, collision, privileges, tools, lock). */
  cause?: LnxError
  /** What the pass applied and kept (empty when it failed and reverted), with the undo lines of each command. */
  applied: Cmd[]
  /** The kernel as read before the pass changed anything. */
  before?: Observation
  /** Addresses of adopted EXISTING links the plan strips (not lnx's): warned about. */
  stripped: ItemError[]
  /** Namespaces whose links can unblock what is pending: the default one and each the config uses (wait.ts). */
  watch: NsHandle[]
  /** Something pending became ready while this pass applied: another pass can apply it now. */
  readyNow?: boolean
}

export function toJson(p: Plan): PlanResult {
  const changes = p.changes.map((c) => ({
    action: c.action,
    kind: c.kind,
    key: c.key,
    namespace: c.namespace,
    detail: c.detail,
    commands: c.cmds.map(renderCmd),
    ...(c.drift ? {drift: true} : {}),
  }))
  const count = (a: Change['action']) => changes.filter((c) => c.action === a).length
  return {
    changes,
    pending: p.pending,
    summary: {create: count('create'), update: count('update'), delete: count('delete'), pending: p.pending.length, unchanged: p.unchanged},
    ...(p.warnings.length ? {warnings: p.warnings} : {}),
    ...(p.kept ? {kept: p.kept} : {}),
  }
}

const CAP_NET_ADMIN = 12
const CAP_SYS_ADMIN = 21

/** Without CAP_NET_ADMIN (and CAP_SYS_ADMIN for entering namespaces) nothing can work: say so before trying. */
export async function checkPrivileges(): Promise<void> {
  let eff = 0n
  try {
    const s = await readFile('/proc/self/status', 'utf8')
    eff = BigInt(`0x${s.match(/^CapEff:\s*([0-9a-f]+)/m)?.[1] ?? '0'}`)
  } catch {
    return
  }
  const missing = [CAP_NET_ADMIN, CAP_SYS_ADMIN].filter((c) => !(eff & (1n << BigInt(c))))
  if (missing.length) {
    throw new LnxError('NOT_PERMITTED', `not permitted: lnx needs ${missing.map((c) => (c === CAP_NET_ADMIN ? 'CAP_NET_ADMIN' : 'CAP_SYS_ADMIN')).join(' and ')} to read and change network namespaces`, {hint: 'run as root (sudo lnx …)'})
  }
}

const NSFS_MAGIC = 0x6e736673

interface KernelView {
  desired: Desired
  obs: Observation
  namespaces: Map<string, TargetNs>
  offload: Map<string, {rx: boolean; tx: boolean}>
  kernelKinds: Set<string>
  /** delete --namespaces: the rules each candidate namespace holds beyond the kernel's defaults. */
  rules?: Map<string, string[]>
  /** About the container engine (down, duplicate labels): reported with the plan. */
  warnings: string[]
}

/** Resolves namespace references (runtime checks: PID alive, FD an nsfs file) and reads the kernel. */
async function readKernelFor(desired: Desired, preread?: Map<string, ObservedNs>, keepReads = false, alsoObserve: NsHandle[] = [], rulesOf: string[] = [], ahead?: Promise<ReadAhead | null>): Promise<KernelView> {
  const refs = new Map<string, NsRef>()
  for (const d of desired.interfaces) refs.set(nsRefKey(d.ns), d.ns)
  const resolved = new Map<string, Awaited<ReturnType<typeof resolveNs>>>()
  const runtime: ItemError[] = []
  const extra: NsHandle[] = []
  // The container engine is asked only when the config places items in containers.
  const labels = [...refs.values()].filter((r) => r.type === 'MICROSERVICE').map((r) => r.ref)
  const containers = labels.length ? await lookupMicroservices() : undefined
  const warnings = containers ? microserviceWarnings(containers, labels) : []
  for (const [k, ref] of refs) {
    const r = await resolveNs(ref, containers?.lookup)
    resolved.set(k, r)
    if ('invalid' in r) {
      for (const d of desired.interfaces.filter((i) => nsRefKey(i.ns) === k)) {
        runtime.push({file: d.source?.file ?? '', key: d.key, path: 'namespace.reference', message: `namespace ${nsLabel(ref)}: ${r.invalid}`})
      }
    } else if ('handle' in r && ref.type === 'FD') {
      const fs = await statfs(ref.ref).catch(() => null)
      if (!fs || Number(fs.type) !== NSFS_MAGIC) {
        for (const d of desired.interfaces.filter((i) => nsRefKey(i.ns) === k)) {
          runtime.push({file: d.source?.file ?? '', key: d.key, path: 'namespace.reference', message: `${ref.ref} is not a network namespace file (not on nsfs)`})
        }
      } else extra.push(r.handle)
    } else if ('handle' in r && (ref.type === 'PID' || ref.type === 'MICROSERVICE')) extra.push(r.handle)
  }
  runtime.push(...sharedNamespaceClashes(desired, refs, resolved))
  if (runtime.length) throw new LnxError('INVALID', runtime.length === 1 ? runtime[0].message : `${runtime.length} runtime checks failed`, {errors: runtime})
  const obs = await observe({extra: [...extra, ...alsoObserve], preread, keepReads, ahead: await ahead})
  const namespaces = new Map<string, TargetNs>()
  for (const [k, r] of resolved) {
    const ref = refs.get(k)!
    if ('pending' in r) namespaces.set(k, {status: 'pending', reason: r.pending})
    else if ('handle' in r) {
      const o = r.id ? obs.byId.get(r.id) : undefined
      if (o) namespaces.set(k, {status: 'ready', handle: o.handle, obs: o})
      else if (ref.type === 'NSID') namespaces.set(k, {status: 'create', handle: namedHandle(ref.ref), name: ref.ref})
      else namespaces.set(k, {status: 'pending', reason: 'namespace vanished while lnx read it'})
    }
  }
  // Runtime check: MTU within what the link kind takes.
  for (const d of desired.interfaces) {
    const problem = d.mtu ? kindOf(d.type)?.mtuProblem?.(d, obs.byLabel.get('')) : undefined
    if (problem) runtime.push({file: d.source?.file ?? '', key: d.key, path: 'mtu', message: problem})
  }
  if (runtime.length) throw new LnxError('INVALID', runtime.length === 1 ? runtime[0].message : `${runtime.length} runtime checks failed`, {errors: runtime})
  const kernelKinds = new Set<string>()
  for (const k of KINDS) {
    if (!k.kernel || k.kernel.required) continue
    if (desired.interfaces.some((d) => d.type === k.type) && existsSync(`/sys/module/${k.kernel.module}`)) kernelKinds.add(k.kernel.check)
  }
  const rules = new Map<string, string[]>()
  for (const name of rulesOf) {
    const o = obs.byLabel.get(name)
    if (o) rules.set(name, await foreignRules(o.handle))
  }
  return {desired, obs, namespaces, offload: await readOffload(desired, namespaces), kernelKinds, warnings, rules}
}

/**
 * Two references (NSID and FD, or a PID) can name one namespace: host names must be unique across them, or the
 * kernel refuses the second link mid-run.
 */
function sharedNamespaceClashes(desired: Desired, refs: Map<string, NsRef>, resolved: Map<string, Awaited<ReturnType<typeof resolveNs>>>): ItemError[] {
  const idOf = new Map<string, string>()
  for (const [k, r] of resolved) if ('handle' in r && r.id) idOf.set(k, r.id)
  const seen = new Map<string, {key: string; ref: string}>()
  const out: ItemError[] = []
  for (const d of desired.interfaces) {
    const k = nsRefKey(d.ns)
    const id = idOf.get(k)
    if (!id) continue
    const host = d.hostName
    const prev = seen.get(`${id}/${host}`)
    if (prev && prev.ref !== k) {
      out.push({file: d.source?.file ?? '', key: d.key, path: kindOf(d.type)?.hostName ? 'type' : 'host_if_name',
        message: `host name "${host}" is already used by ${prev.key}: namespace ${nsLabel(d.ns)} is the same namespace as ${nsLabel(refs.get(prev.ref)!) || 'the default namespace'}`,
        hint: 'host names are unique per namespace, however it is referenced'})
    } else if (!prev) seen.set(`${id}/${host}`, {key: d.key, ref: k})
  }
  return out
}

/** delete --namespaces reads the candidates' rules: a namespace holding foreign rules is kept. */
function ruleCandidates(desired: Desired, opts: PlanOptions): string[] {
  return opts.mode === 'delete' && opts.deleteNamespaces ? [...new Set(desired.interfaces.filter((d) => d.ns.type === 'NSID').map((d) => d.ns.ref))] : []
}

/** ethtool only for veths whose config sets checksum offloading (one process each; rare). */
async function readOffload(desired: Desired, namespaces: Map<string, TargetNs>) {
  const out = new Map<string, {rx: boolean; tx: boolean}>()
  for (const d of desired.interfaces) {
    // Only kinds with checksum offloading (a veth) have these fields.
    if ((d.rxOffload ?? 'CHKSM_OFFLOAD_DEFAULT') === 'CHKSM_OFFLOAD_DEFAULT' && (d.txOffload ?? 'CHKSM_OFFLOAD_DEFAULT') === 'CHKSM_OFFLOAD_DEFAULT') continue
    const ns = namespaces.get(nsRefKey(d.ns))
    if (!ns || ns.status !== 'ready') continue
    const l = ns.obs.links.find((x) => x.name === d.hostName)
    if (!l) continue
    const r = await runTool('ethtool', ['--json', '-k', d.hostName], {ns: ns.handle})
    if (r.exitCode !== 0) continue
    try {
      const j = JSON.parse(r.stdout)[0]
      const on = (k: string) => j?.[k]?.active !== false
      out.set(`${ns.obs.id}/${l.name}`, {rx: on('rx-checksumming'), tx: on('tx-checksumming')})
    } catch {
      // Unreadable: the plan sets the desired value.
    }
  }
  return out
}

type PlanOptions = Omit<ReconcileOptions, 'mode'> & {mode?: 'apply' | 'delete' | 'plan'}

function makePlan(ctx: KernelView, opts: PlanOptions): Plan {
  const p = plan({
    desired: ctx.desired,
    obs: ctx.obs,
    label: opts.label,
    namespaces: ctx.namespaces,
    mode: opts.mode === 'delete' ? 'delete' : 'apply',
    prune: opts.prune,
    deleteNamespaces: opts.deleteNamespaces,
    offload: ctx.offload,
    kernelKinds: ctx.kernelKinds,
    noDrift: opts.imperative,
    foreignRules: ctx.rules,
  })
  for (const name of ctx.obs.strays ?? []) p.warnings.push(strayMessage(name))
  p.warnings.push(...ctx.warnings)
  return p
}

/** The namespaces whose links can unblock a pending item: the default one (taps) and every one the config uses. */
function watchOf(ctx: KernelView): NsHandle[] {
  const out = new Map<string, NsHandle>([[DEFAULT_HANDLE.path, DEFAULT_HANDLE]])
  for (const n of ctx.namespaces.values()) if (n.status === 'ready' && !out.has(n.handle.path)) out.set(n.handle.path, n.handle)
  return [...out.values()]
}

let queue: Promise<unknown> = Promise.resolve()
/** One reconcile at a time in this process, in call order. */
function serialized<T>(fn: () => Promise<T>): Promise<T> {
  const next = queue.then(fn, fn)
  queue = next.catch(() => {})
  return next
}

const BEFORE_ANY_CHANGE = new Set(['INVALID', 'COLLISION', 'NOT_PERMITTED', 'MISSING_TOOL', 'LOCKED', 'INTERRUPTED'])

export function reconcile(desired: Desired, opts: ReconcileOptions, signal?: AbortSignal, logger?: Logger): Promise<ReconcileOutcome> {
  return serialized(async () => {
    let lock: Lock | undefined
    try {
      if (!opts.locked) {
        await checkPrivileges()
        await probeIp()
        lock = await acquireLock({
          timeoutMs: opts.lockTimeoutMs ?? 60_000,
          onWait: (pid) => logger?.info(`waiting for another lnx run (pid ${pid ?? '?'}) to finish…`),
          signal,
        })
      }
      const interrupted = () => (signal?.aborted ? String(signal.reason ?? 'abort') : undefined)
      const pass = await applyPass(desired, opts, interrupted, logger, signal)
      const r = pass.result
      const result: ReconcileResult = r.result === 'applied' ? 'done' : r.result === 'pending' ? 'pending' : r.result === 'reverted' ? 'failed-reverted' : 'failed'
      return {
        result, changes: r.changes, pending: pass.afterPending, warnings: r.warnings ?? [], summary: {...r.summary, pending: pass.afterPending.length}, report: r, planned: pass.planned,
        watch: pass.watch, ...(pass.readyNow ? {readyNow: true} : {}),
        applied: pass.applied, before: pass.before, stripped: pass.stripped,
        ...(r.error ? {error: r.error} : {}), ...(r.reverted ? {reverted: r.reverted} : {}),
      }
    } catch (e) {
      if (!(e instanceof LnxError) || !BEFORE_ANY_CHANGE.has(e.code)) throw e
      const summary = {create: 0, update: 0, delete: 0, pending: 0, unchanged: 0}
      const error = {code: e.code, message: e.message, ...(e.key ? {key: e.key} : {})}
      const result: ReconcileResult = e.code === 'INVALID' || e.code === 'COLLISION' ? 'invalid' : 'refused'
      return {result, changes: [], pending: [], warnings: [], summary, error, report: {changes: [], pending: [], summary, error}, planned: [], cause: e, applied: [], stripped: [], watch: []}
    } finally {
      await lock?.release()
    }
  })
}

/** Observes and plans without changing anything (plan, --dry-run). */
export async function planOnly(desired: Desired, opts: PlanOptions): Promise<{plan: Plan; obs: Observation}> {
  const ctx = await readKernelFor(desired, undefined, false, opts.alsoObserve, ruleCandidates(desired, opts), opts.ahead)
  mark('observe')
  const p = makePlan(ctx, opts)
  mark('plan')
  return {plan: p, obs: ctx.obs}
}

/** One pass with the lock held: plan, execute, verify; a failure — or a signal — reverts what this pass applied. */
export async function applyPass(desired: Desired, opts: ReconcileOptions, interrupted: () => string | undefined, logger?: Logger, signal?: AbortSignal): Promise<Pass> {
  let ctx: KernelView
  let p: Plan
  try {
    ctx = await readKernelFor(desired, undefined, opts.keepReads, [], ruleCandidates(desired, opts), opts.ahead)
    mark('observe')
    p = makePlan(ctx, opts)
    mark('plan')
  } catch (e) {
    // A read killed by the same signal (it reaches lnx's whole process group) fails because of it.
    if (interrupted()) throw nothingChanged(interrupted()!)
    throw e
  }
  const before = ctx.obs
  const result = toJson(p)
  const base = {before, stripped: p.foreignStrips, applied: [] as Cmd[], watch: watchOf(ctx)}
  if (!p.changes.length) return {...base, result: {...result, result: p.pending.length ? 'pending' : 'applied'}, planned: p.pending, afterPending: p.pending}
  if (interrupted()) throw nothingChanged(interrupted()!)
  checkLines(p)
  const started = Date.now()
  const ex = await execute(p.changes, {
    readBack: true,
    interrupted,
    signal,
    progress: (done, all, phase) => {
      if (Date.now() - started > 1000) logger?.info(`${phase}: ${done}/${all} commands`)
    },
  })
  mark('execute')
  // A batch that died midway may have applied any of its lines: they are undone too (and the re-plan catches the rest).
  if (ex.failure) return {...base, ...(await fail(p, result, [...ex.applied, ...(ex.unknown ?? [])], failureError(ex.failure, {}), opts, before, logger))}
  // Verify: observe again; the same plan must now be empty.
  let again: Plan
  let againCtx: KernelView
  try {
    againCtx = await readKernelFor(desired, ex.reads, false, [], ruleCandidates(desired, opts))
    again = makePlan(againCtx, opts)
    mark('verify')
  } catch (e) {
    const err = interrupted() ? new LnxError('INTERRUPTED', `interrupted by ${interrupted()}`) : e instanceof LnxError ? e : new LnxError('INTERNAL', String((e as Error)?.message ?? e))
    return {...base, ...(await fail(p, result, ex.applied, err, opts, before, logger))}
  }
  // A signal up to the end of the verification still reverts: the run did not finish.
  if (interrupted()) return {...base, ...(await fail(p, result, ex.applied, new LnxError('INTERRUPTED', `interrupted by ${interrupted()}`), opts, before, logger))}
  // What this pass did must now show no change; what became ready meanwhile is the next pass's.
  const v = verify(p, again)
  if (v.wrong.length) {
    const diff = v.wrong.map((c) => `${c.key}: ${c.detail}`).join('; ')
    return {...base, ...(await fail(p, result, ex.applied, new LnxError('VERIFY', `the kernel does not show what was applied: ${diff}`, {key: v.wrong[0].key}), opts, before, logger))}
  }
  return {...base, applied: ex.applied, result: {...result, result: v.pending.length ? 'pending' : 'applied'}, planned: p.pending, afterPending: v.pending, watch: watchOf(againCtx), readyNow: v.pending.length > again.pending.length}
}

interface Pass {
  result: PlanResult
  planned: Pending[]
  afterPending: Pending[]
  applied: Cmd[]
  before: Observation
  stripped: ItemError[]
  watch: NsHandle[]
  readyNow?: boolean
}

/**
 * The verifying plan against the executed one: what this pass did must now show no change. An item that was pending
 * (and what hangs on a pending interface) may have become ready meanwhile — a tap VPP made, a container that
 * started: that is the next pass's work, reported pending, not a failed apply.
 */
export function verify(done: Plan, again: Plan): {wrong: Change[]; pending: Pending[]} {
  const waited = new Set(done.pending.map((x) => x.key))
  const prefixes = done.pending.filter((x) => x.key.startsWith(IFACE_PREFIX)).map((x) => `linux/interface/${x.key.slice(IFACE_PREFIX.length)}/`)
  const isNew = (c: Change) => waited.has(c.key) || prefixes.some((px) => c.key.startsWith(px))
  const pending = [...again.pending]
  const seen = new Set(pending.map((x) => x.key))
  const wrong: Change[] = []
  for (const c of again.changes) {
    if (!isNew(c)) wrong.push(c)
    else if (!seen.has(c.key)) {
      seen.add(c.key)
      pending.push({key: c.key, reason: 'became ready while this run applied: the next run applies it'})
    }
  }
  return {wrong, pending}
}

const IFACE_PREFIX = interfaceKey('')

const nothingChanged = (sig: string) => new LnxError('INTERRUPTED', `interrupted by ${sig} before anything was changed`)

/**
 * Every line and undo line through the batch guard before the first runs: a kernel object whose name lnx cannot
 * pass on (an owned link renamed to "é1" by hand) refuses the run instead of failing it half-way.
 */
function checkLines(p: Plan) {
  for (const c of p.changes) {
    for (const cmd of c.cmds) {
      for (const x of [cmd, ...cmd.undo]) {
        if (!x.line) continue
        try {
          checkBatchLine(x.line)
        } catch {
          throw new LnxError('KERNEL', `${c.key}: refusing to run: an ip line would carry a name lnx cannot pass on safely: ${JSON.stringify(x.line)}`, {key: c.key, hint: 'rename the object named there (a kernel object with characters outside A-Z a-z 0-9 _ . - @ + = ,)'})
        }
      }
    }
  }
}

/**
 * After the undo lines: plan from the state read before the run (what lnx owned then, as config, with prune) and
 * run what is left — the kernel's own side effects (routes flushed with an address, …) that no undo line covers.
 */
async function restore(before: Observation, label: string): Promise<string[]> {
  try {
    const st = ownedConfig(before, label)
    const {desired} = await desiredFromObjects([{file: '(state before this run)', doc: {interfaces: st.interfaces, routes: st.routes, arp_entries: st.arp_entries}}])
    const ctx = await readKernelFor(desired)
    const p = plan({desired, obs: ctx.obs, label, namespaces: ctx.namespaces, mode: 'apply', prune: true, noDrift: true, offload: ctx.offload, kernelKinds: ctx.kernelKinds})
    if (!p.changes.length) return []
    const ex = await execute(p.changes)
    return ex.failure ? [ex.failure.message] : []
  } catch (e) {
    return [`could not re-check the state before the run: ${(e as Error).message}`]
  }
}

async function fail(p: Plan, result: PlanResult, applied: Cmd[], err: LnxError, opts: ReconcileOptions, before: Observation, logger?: Logger) {
  const error = {code: err.code, message: err.message, ...(err.key ? {key: err.key} : {})}
  if (opts.noRollback) {
    const kept = [...new Set(applied.map((c) => c.key))]
    return {result: {...result, result: 'failed' as const, error, applied: kept}, planned: p.pending, afterPending: p.pending}
  }
  const reverted = [...new Set(applied.map((c) => c.key))]
  logger?.info(`${err.code === 'INTERRUPTED' ? 'interrupted' : 'failed'}: reverting ${reverted.length} changes, please wait`)
  const r = await revertRun(applied, before, opts.label, logger)
  if (!r.ok) {
    return {result: {...result, result: 'failed' as const, error: {...error, message: `${error.message}; revert incomplete: ${r.errors.join('; ')}`}, reverted}, planned: p.pending, afterPending: p.pending}
  }
  return {result: {...result, result: 'reverted' as const, error, reverted}, planned: p.pending, afterPending: p.pending}
}

/**
 * The one revert of a run: the undo lines of what it applied (and of what it may have: a killed batch), batched per
 * namespace and phase, then a re-plan against the kernel as read before the run for what no undo line covers.
 * Complete means the kernel, read again, shows that state: an undo line that failed on something already gone does
 * not make a revert "incomplete". A failing pass and a `--try` that is not confirmed (in whatever process decides
 * it) use it.
 */
export async function revertRun(applied: Cmd[], before: Observation, label: string, logger?: Logger): Promise<{ok: boolean; errors: string[]}> {
  // The revert's processes get process groups of their own: a second Ctrl-C cannot kill them (run.ts).
  shieldChildren(true)
  try {
    const started = Date.now()
    const r = await revert(applied, {
      progress: (done, all) => {
        if (Date.now() - started > 1000) logger?.info(`reverting: ${done}/${all} undo commands`)
      },
    })
    const restoreErrors = await restore(before, label)
    const left = await leftovers(before, label, applied)
    if (!left.length) return {ok: true, errors: []}
    return {ok: false, errors: [...left, ...restoreErrors, ...r.errors]}
  } finally {
    shieldChildren(false)
  }
}

/** What still differs from the state before the run: owned items, and namespaces the run created. */
async function leftovers(before: Observation, label: string, applied: Cmd[]): Promise<string[]> {
  try {
    const st = ownedConfig(before, label)
    const {desired} = await desiredFromObjects([{file: '(state before this run)', doc: {interfaces: st.interfaces, routes: st.routes, arp_entries: st.arp_entries}}])
    const ctx = await readKernelFor(desired)
    const p = plan({desired, obs: ctx.obs, label, namespaces: ctx.namespaces, mode: 'apply', prune: true, noDrift: true, offload: ctx.offload, kernelKinds: ctx.kernelKinds})
    const out = p.changes.map((c) => `${c.key}: ${c.detail}`)
    const made = new Set(applied.filter((c) => c.line?.startsWith('netns add ')).map((c) => c.line!.slice('netns add '.length)))
    const now = new Set([...ctx.obs.byLabel.keys(), ...(await listStrays())])
    for (const name of made) if (!before.byLabel.has(name) && now.has(name)) out.push(`namespace ${name} created by this run is still there`)
    return out
  } catch (e) {
    return [`could not re-check the state before the run: ${(e as Error).message}`]
  }
}
