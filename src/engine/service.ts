// plan / apply / delete: load → check privileges → lock → resolve namespaces → observe → plan → execute →
// verify (observe again) → report. Failures revert what this run changed.
import {existsSync} from 'node:fs'
import {readFile, statfs} from 'node:fs/promises'
import {EXIT, LnxError, type ItemError} from '../errors.js'
import {desiredFromObjects, loadDesired} from '../config/index.js'
import {currentState} from './current.js'
import type {Desired, NsRef} from '../model/types.js'
import {nsLabel} from '../model/types.js'
import {observe, type Observation} from '../kernel/observe.js'
import {resolveNs, namedHandle} from '../kernel/namespaces.js'
import {probeIp, run, type NsHandle} from '../kernel/run.js'
import {nsRefKey, plan, renderCmd, type Change, type NsState, type Pending, type Plan} from './plan.js'
import {execute, failureError, revert} from './execute.js'
import {acquireLock, type Lock} from './lock.js'

export interface ChangeJson {
  action: Change['action']
  kind: Change['kind']
  key: string
  namespace: string
  detail: string
  commands: string[]
  drift?: boolean
}

export interface PlanResult {
  changes: ChangeJson[]
  pending: Pending[]
  summary: {create: number; update: number; delete: number; pending: number; unchanged: number}
  warnings?: string[]
  result?: 'applied' | 'pending' | 'reverted' | 'failed'
  error?: {code: string; message: string; key?: string}
  reverted?: string[]
}

export interface EngineOptions {
  label: string
  mode: 'plan' | 'apply' | 'delete'
  dryRun?: boolean
  prune?: boolean
  noRollback?: boolean
  waitSeconds?: number
  lockTimeoutSeconds?: number
  deleteNamespaces?: boolean
  /** Imperative: the changes are the user's own, never drift. */
  imperative?: boolean
  /** Announcements and progress (stderr, TTY only — the command decides). */
  say?: (msg: string) => void
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

interface Context {
  desired: Desired
  obs: Observation
  namespaces: Map<string, NsState>
  offload: Map<string, {rx: boolean; tx: boolean}>
  kernelKinds: Set<string>
}

/** Resolves namespace references (runtime checks: PID alive, FD an nsfs file) and reads the kernel. */
async function context(desired: Desired, preread?: Map<string, any[][]>): Promise<Context> {
  const refs = new Map<string, NsRef>()
  for (const d of desired.interfaces) refs.set(nsRefKey(d.ns), d.ns)
  const resolved = new Map<string, Awaited<ReturnType<typeof resolveNs>>>()
  const runtime: ItemError[] = []
  const extra: NsHandle[] = []
  for (const [k, ref] of refs) {
    const r = await resolveNs(ref)
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
    } else if ('handle' in r && ref.type === 'PID') extra.push(r.handle)
  }
  if (runtime.length) throw new LnxError('INVALID', runtime.length === 1 ? runtime[0].message : `${runtime.length} runtime checks failed`, {errors: runtime})
  const obs = await observe({extra, preread})
  const namespaces = new Map<string, NsState>()
  for (const [k, r] of resolved) {
    const ref = refs.get(k)!
    if ('pending' in r) namespaces.set(k, {kind: 'pending', reason: r.pending})
    else if ('handle' in r) {
      const o = r.id ? obs.byId.get(r.id) : undefined
      if (o) namespaces.set(k, {kind: 'ready', handle: o.handle, obs: o})
      else if (ref.type === 'NSID') namespaces.set(k, {kind: 'create', handle: namedHandle(ref.ref), name: ref.ref})
      else namespaces.set(k, {kind: 'pending', reason: 'namespace vanished while lnx read it'})
    }
  }
  // Runtime check: MTU within what the link kind takes.
  for (const d of desired.interfaces) {
    if (!d.mtu || d.type === 'EXISTING' || d.type === 'LOOPBACK') continue
    const max = d.type === 'TAP_TO_VPP' ? obs.byLabel.get('')?.links.find((l) => l.name === d.vppTap)?.maxMtu ?? 65521 : 65535
    if (d.mtu > max) runtime.push({file: d.source?.file ?? '', key: d.key, path: 'mtu', message: `MTU ${d.mtu} is above the maximum of this ${d.type === 'VETH' ? 'veth' : 'tap'} (${max})`})
  }
  if (runtime.length) throw new LnxError('INVALID', runtime.length === 1 ? runtime[0].message : `${runtime.length} runtime checks failed`, {errors: runtime})
  const kernelKinds = new Set<string>()
  for (const k of ['dummy', 'vrf']) {
    if (desired.interfaces.some((d) => d.type === (k === 'dummy' ? 'DUMMY' : 'VRF_DEVICE')) && existsSync(`/sys/module/${k}`)) kernelKinds.add(k)
  }
  return {desired, obs, namespaces, offload: await readOffload(desired, namespaces), kernelKinds}
}

/** ethtool only for veths whose config sets checksum offloading (one process each; rare). */
async function readOffload(desired: Desired, namespaces: Map<string, NsState>) {
  const out = new Map<string, {rx: boolean; tx: boolean}>()
  for (const d of desired.interfaces) {
    if (d.type !== 'VETH' || ((d.rxOffload ?? 'CHKSM_OFFLOAD_DEFAULT') === 'CHKSM_OFFLOAD_DEFAULT' && (d.txOffload ?? 'CHKSM_OFFLOAD_DEFAULT') === 'CHKSM_OFFLOAD_DEFAULT')) continue
    const ns = namespaces.get(nsRefKey(d.ns))
    if (!ns || ns.kind !== 'ready') continue
    const l = ns.obs.links.find((x) => x.name === d.hostName)
    if (!l) continue
    const r = await run('ethtool', ['--json', '-k', d.hostName], {ns: ns.handle})
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

function makePlan(ctx: Context, opts: EngineOptions): Plan {
  return plan({
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
  })
}

export interface EngineOutput {
  result: PlanResult
  exitCode: number
  warnings: ItemError[]
  /** plan / dry-run: the kernel as read for this plan (lnx graph draws it without reading again). */
  obs?: Observation
}

export async function runFiles(files: string[], opts: EngineOptions): Promise<EngineOutput> {
  const {desired, warnings} = await loadDesired(files)
  return runDesired(desired, opts, warnings)
}

export async function runDesired(desired: Desired, opts: EngineOptions, warnings: ItemError[] = []): Promise<EngineOutput> {
  await checkPrivileges()
  const acting = opts.mode !== 'plan' && !opts.dryRun
  if (acting) await probeIp()
  let lock: Lock | undefined
  if (acting) {
    lock = await acquireLock({
      timeoutMs: (opts.lockTimeoutSeconds ?? 60) * 1000,
      onWait: (pid) => opts.say?.(`waiting for another lnx run (pid ${pid ?? '?'}) to finish…`),
    })
  }
  try {
    let ctx = await context(desired)
    let p = makePlan(ctx, opts)
    if (!acting) {
      const result = toJson(p)
      return {result, exitCode: opts.mode === 'plan' ? EXIT.OK : result.pending.length ? EXIT.PENDING : EXIT.OK, warnings, obs: ctx.obs}
    }
    const allChanges: ChangeJson[] = []
    const deadline = Date.now() + (opts.waitSeconds ?? 0) * 1000
    for (;;) {
      const outcome = await applyPlan(p, opts, ctx.obs)
      allChanges.push(...outcome.result.changes)
      if (outcome.result.result !== 'applied' && outcome.result.result !== 'pending') {
        return {result: {...outcome.result, changes: allChanges}, exitCode: outcome.exitCode, warnings}
      }
      if (!p.pending.length && !outcome.afterPending.length) {
        return {result: {...outcome.result, changes: allChanges, pending: []}, exitCode: EXIT.OK, warnings}
      }
      if (Date.now() >= deadline) {
        const result = {...outcome.result, changes: allChanges, pending: outcome.afterPending, result: 'pending' as const}
        result.summary = {...result.summary, pending: outcome.afterPending.length}
        return {result, exitCode: EXIT.PENDING, warnings}
      }
      opts.say?.(`waiting for ${outcome.afterPending.length} pending item${outcome.afterPending.length === 1 ? '' : 's'}…`)
      await new Promise((r) => setTimeout(r, 500))
      ctx = await context(desired)
      p = makePlan(ctx, opts)
      if (!p.changes.length && p.pending.length) {
        // Nothing new yet: keep polling without running anything.
        outcome.afterPending = p.pending
        if (Date.now() >= deadline) {
          const r0 = toJson(p)
          return {result: {...r0, changes: allChanges, result: 'pending'}, exitCode: EXIT.PENDING, warnings}
        }
      }
    }
  } finally {
    await lock?.release()
  }

  async function applyPlan(p: Plan, opts: EngineOptions, before: Observation): Promise<{result: PlanResult; exitCode: number; afterPending: Pending[]}> {
    const result = toJson(p)
    if (!p.changes.length) {
      return {result: {...result, result: p.pending.length ? 'pending' : 'applied'}, exitCode: p.pending.length ? EXIT.PENDING : EXIT.OK, afterPending: p.pending}
    }
    let signal: string | undefined
    const onSig = (s: NodeJS.Signals) => {
      signal = s
    }
    process.on('SIGINT', onSig)
    process.on('SIGTERM', onSig)
    try {
      const started = Date.now()
      const ex = await execute(p.changes, {
        readBack: true,
        interrupted: () => signal,
        progress: (done, all, phase) => {
          if (Date.now() - started > 1000) opts.say?.(`${phase}: ${done}/${all} commands`)
        },
      })
      if (ex.failure) {
        return fail(p, result, ex.applied, failureError(ex.failure, {}), opts, before)
      }
      // Verify: observe again; the same plan must now be empty.
      const again = makePlan(await context(desired, ex.reads), opts)
      if (again.changes.length) {
        const diff = again.changes.map((c) => `${c.key}: ${c.detail}`).join('; ')
        return fail(p, result, ex.applied, new LnxError('VERIFY', `the kernel does not show what was applied: ${diff}`, {key: again.changes[0].key}), opts, before)
      }
      return {result: {...result, result: again.pending.length ? 'pending' : 'applied'}, exitCode: again.pending.length ? EXIT.PENDING : EXIT.OK, afterPending: again.pending}
    } finally {
      process.off('SIGINT', onSig)
      process.off('SIGTERM', onSig)
    }
  }
}

/**
 * After the undo lines: plan from the state read before the run (what lnx owned then, as config, with prune) and
 * run what is left — the kernel's own side effects (routes flushed with an address, …) that no undo line covers.
 */
async function restore(before: Observation, opts: EngineOptions): Promise<string[]> {
  try {
    const st = currentState(before, opts.label)
    const {desired} = await desiredFromObjects([{file: '(state before this run)', doc: {interfaces: st.interfaces, routes: st.routes, arp_entries: st.arp_entries}}])
    const ctx = await context(desired)
    const p = plan({desired, obs: ctx.obs, label: opts.label, namespaces: ctx.namespaces, mode: 'apply', prune: true, noDrift: true, offload: ctx.offload, kernelKinds: ctx.kernelKinds})
    if (!p.changes.length) return []
    const ex = await execute(p.changes)
    return ex.failure ? [ex.failure.message] : []
  } catch (e) {
    return [`could not re-check the state before the run: ${(e as Error).message}`]
  }
}

async function fail(p: Plan, result: PlanResult, applied: Parameters<typeof revert>[0], err: LnxError, opts: EngineOptions, before: Observation) {
  const error = {code: err.code, message: err.message, ...(err.key ? {key: err.key} : {})}
  if (opts.noRollback) {
    const kept = [...new Set(applied.map((c) => c.key))]
    return {result: {...result, result: 'failed' as const, error, applied: kept}, exitCode: EXIT.FAILED, afterPending: p.pending}
  }
  const r = await revert(applied)
  r.errors.push(...(await restore(before, opts)))
  r.ok = r.errors.length === 0
  const reverted = [...new Set(applied.map((c) => c.key))]
  if (!r.ok) {
    return {result: {...result, result: 'failed' as const, error: {...error, message: `${error.message}; revert incomplete: ${r.errors.join('; ')}`}, reverted}, exitCode: EXIT.FAILED, afterPending: p.pending}
  }
  return {result: {...result, result: 'reverted' as const, error, reverted}, exitCode: EXIT.FAILED, afterPending: p.pending}
}
