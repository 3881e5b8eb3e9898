// The planner's golden cases (test/fixtures/plan/<case>/) fed to the planner exactly as the reconcile service feeds
// it, without root: the captured per-namespace `ip -d -j -batch` reads go through lnx's own parseNamespace/assemble,
// namespace references are resolved as src/services/reconcile.ts context() resolves them, and the plan is rendered
// with the CLI's own toJson (commands are the lines that run). Shared by test/unit/plan-golden.test.ts and by the
// capture script (test/fixtures/plan/capture.ts), which checks this rendering against a real `lnx plan --json`.
import {existsSync, readFileSync, readdirSync} from 'node:fs'
import {basename, dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {LnxError} from '../../src/errors.ts'
import {loadDesired} from '../../src/config/index.ts'
import {assemble, parseNamespace, type Observation} from '../../src/kernel/observe.ts'
import {namedHandle, strayMessage} from '../../src/kernel/namespaces.ts'
import type {NsHandle} from '../../src/kernel/run.ts'
import {renderCmd, type Cmd, type Plan} from '../../src/engine/contract.ts'
import {nsRefKey, plan, type TargetNs} from '../../src/engine/plan/index.ts'
import {steps} from '../../src/engine/execute.ts'
import {toJson} from '../../src/services/reconcile.ts'
import {nsLabel, type Desired} from '../../src/model/types.ts'

export const PLAN_FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'plan')

/** options.json of a case: what the CLI would have been asked and what a root-only probe would have found. */
export interface CaseOptions {
  /** What the case shows (one line, also in the README). */
  title: string
  label?: string
  mode?: 'apply' | 'delete'
  prune?: boolean
  /** lnx delete --namespaces */
  deleteNamespaces?: boolean
  /** An imperative run (lnx interface/route/arp add …): nothing is drift. */
  imperative?: boolean
  /** /sys/module kinds present; default none (this machine's kernel has neither dummy nor vrf: DUMMY/VRF_DEVICE pend). */
  kernelKinds?: string[]
  /** MICROSERVICE label → why it is pending (what the container lookup said). */
  microservices?: Record<string, string>
  /** delete --namespaces: foreign rules per namespace name. */
  foreignRules?: Record<string, string[]>
  /** Checksum offload as ethtool read it, per "<ns label>/<host>". */
  offload?: Record<string, {rx: boolean; tx: boolean}>
  /** Capture only: the real CLI cannot reproduce this case (imperative runs, faked container answers). */
  noCrossCheck?: boolean
}

/** observed.json: what lnx read, one entry per namespace (default first, then /run/netns, then PID/FD paths). */
export interface ObservedFile {
  namespaces: {label: string; path?: string; reads: any[][]}[]
  /** Files in /run/netns that are not namespaces. */
  strays?: string[]
}

// A stable default handle: the real one carries lnx's pid in its path (never shown: default commands run plain).
const DEFAULT: NsHandle = {label: '', path: '/proc/1/ns/net', isDefault: true}

export function handleOf(n: {label: string; path?: string}): NsHandle {
  if (n.label === '') return DEFAULT
  return n.path ? {label: n.label, path: n.path, isDefault: false} : namedHandle(n.label)
}

export function listCases(): string[] {
  return readdirSync(PLAN_FIXTURES, {withFileTypes: true}).filter((e) => e.isDirectory() && existsSync(join(PLAN_FIXTURES, e.name, 'options.json'))).map((e) => e.name).sort()
}

export function readOptions(dir: string): CaseOptions {
  return JSON.parse(readFileSync(join(dir, 'options.json'), 'utf8'))
}

export function observation(file: ObservedFile): Observation {
  // Namespace identities are only compared with each other: the label stands in for the nsfs device:inode.
  const obs = assemble(file.namespaces.map((n) => parseNamespace(handleOf(n), `id:${n.label || 'default'}`, n.reads)))
  if (file.strays?.length) obs.strays = file.strays
  return obs
}

/** Namespace references → planning states, as reconcile.ts context() resolves them on a live host. */
export function namespaceStates(desired: Desired, obs: Observation, opts: CaseOptions, strays: string[] = []): Map<string, TargetNs> {
  const out = new Map<string, TargetNs>()
  for (const d of desired.interfaces) {
    const k = nsRefKey(d.ns)
    if (out.has(k)) continue
    const ref = d.ns
    if (ref.type === 'MICROSERVICE') {
      out.set(k, {status: 'pending', reason: opts.microservices?.[ref.ref] ?? `no running container has MICROSERVICE_LABEL=${ref.ref}`})
      continue
    }
    if (ref.type === 'NSID' && strays.includes(ref.ref)) {
      out.set(k, {status: 'pending', reason: strayMessage(ref.ref)})
      continue
    }
    const o = obs.byLabel.get(nsLabel(ref))
    if (o) out.set(k, {status: 'ready', handle: o.handle, obs: o})
    else if (ref.type === 'NSID') out.set(k, {status: 'create', handle: namedHandle(ref.ref), name: ref.ref})
    else throw new Error(`case observes no namespace ${nsLabel(ref)} (${ref.type} references must be captured)`)
  }
  return out
}

const line = (c: Cmd) => `${c.phase}: ${renderCmd(c)}`

/** The plan of a case, as the golden files hold it. */
export async function planCase(dir: string): Promise<unknown> {
  const opts = readOptions(dir)
  const file: ObservedFile = JSON.parse(readFileSync(join(dir, 'observed.json'), 'utf8'))
  const obs = observation(file)
  let desired: Desired
  try {
    desired = (await loadDesired([join(dir, 'desired.yaml')])).desired
  } catch (e) {
    return {error: errorJson(e)}
  }
  let p: Plan
  try {
    p = plan({
      desired,
      obs,
      label: opts.label ?? 'vpp1',
      namespaces: namespaceStates(desired, obs, opts, file.strays),
      mode: opts.mode ?? 'apply',
      prune: opts.prune,
      deleteNamespaces: opts.deleteNamespaces,
      kernelKinds: new Set(opts.kernelKinds ?? []),
      noDrift: opts.imperative,
      foreignRules: opts.foreignRules ? new Map(Object.entries(opts.foreignRules)) : undefined,
      offload: new Map(Object.entries(opts.offload ?? {}).map(([k, v]) => [`id:${k.split('/')[0] || 'default'}/${k.split('/')[1]}`, v])),
    })
  } catch (e) {
    return {error: errorJson(e)}
  }
  // As makePlan() does: stray files in /run/netns are warned about.
  for (const name of file.strays ?? []) p.warnings.push(strayMessage(name))
  const cli = toJson(p)
  return normalise({
    ...cli,
    changes: cli.changes.map((c, i) => ({...c, undo: p.changes[i].cmds.flatMap((x) => x.undo).map(line)})),
    ...(p.foreignStrips.length ? {foreignStrips: p.foreignStrips.map(({file: f, ...e}) => ({file: basename(f), ...e}))} : {}),
    // The order the executor runs the lines in: per phase, one ip -batch per namespace.
    run: steps(p.changes.flatMap((c) => c.cmds)).flatMap((s) => [...s.batches.values()].map((b) => `${s.phase} [${b[0].ns.label || 'default'}]: ${b.map((c) => c.line ?? `${c.tool!.cmd} ${c.tool!.args.join(' ')}`).join(' ; ')}`)),
  }, process.pid)
}

/**
 * What depends on the planning process, made stable: lnx's own namespace path (taps go back to it) and the group
 * number that batches several link deletions (100000 + pid % 100000, the first one unused).
 */
export function normalise<T>(x: T, pid: number): T {
  const g0 = 100000 + (pid % 100000)
  const s = JSON.stringify(x)
    .replaceAll(`/proc/${pid}/ns/net`, '/proc/<lnx pid>/ns/net')
    .replace(/\bgroup (\d{6})\b/g, (m, g) => (Number(g) >= g0 && Number(g) < g0 + 1000 ? 'group <delete group>' : m))
  return JSON.parse(s)
}

function errorJson(e: unknown) {
  if (!(e instanceof LnxError)) throw e
  const errs = (e as any).errors ?? (e as any).details?.errors
  return {code: e.code, message: e.message, ...(errs ? {errors: errs.map((x: any) => ({file: basename(x.file ?? ''), key: x.key, path: x.path, message: x.message}))} : {})}
}
