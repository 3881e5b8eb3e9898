// Namespaces in planning: which namespace an item goes to, creating named namespaces, and deleting the file's
// named namespaces once nothing foreign is left in them (delete --namespaces).
//
// The namespace types, from the config to the kernel (each one's home in parentheses):
// - NsType (model/types.ts): how a config item names its namespace: DEFAULT, NSID (a named one, /run/netns),
//   PID, FD (a path) or MICROSERVICE (a container's label) — the vpp-agent model's reference types.
// - NsRef (model/types.ts): a config item's namespace reference, {type: NsType, ref}; nsRefKey makes it a map key.
// - NsHandle (kernel/run.ts): a namespace lnx can run commands in: its nsfs path, its label in plans and errors,
//   and its name when it is a named one (`ip -n`). Resolving an NsRef gives one (kernel/namespaces.ts).
// - ObservedNs (kernel/observe.ts): what one namespace held when lnx read it (links, routes, neighbours), with
//   its NsHandle; an Observation is all of them, by label and by id.
// - TargetNs (here): where planning puts an NsRef's items: an observed namespace (ready), a named namespace this
//   run creates (create), or none yet (pending, with the reason) — resolved before planning (services/reconcile.ts).
// - ObservedNsIndex (plan/ns-index.ts): the planner's lookup tables into one ObservedNs.
import type {NsRef} from '../../model/types.js'
import {namespaceKey} from '../../model/keys.js'
import type {ObservedNs} from '../../kernel/observe.js'
import {routeOwned} from '../../kernel/owned.js'
import {DEFAULT_HANDLE, namedHandle} from '../../kernel/namespaces.js'
import type {NsHandle} from '../../kernel/run.js'
import {ipLine} from '../../kernel/iproute2.js'
import {LO_KERNEL, observedRouteKey, type PlanContext} from './context.js'
import {kindOf} from '../../kinds/index.js'

/** Where planning puts the items of one namespace reference. */
export type TargetNs =
  | {status: 'ready'; handle: NsHandle; obs: ObservedNs}
  | {status: 'create'; handle: NsHandle; name: string}
  | {status: 'pending'; reason: string}

/** The key of a namespace reference in PlanInput.namespaces. */
export const nsRefKey = (r: NsRef) => `${r.type}:${r.ref}`

/** Named namespaces found in place, per plan: each counts once as unchanged, as a created one counts as a create. */
const presentNs = new WeakMap<PlanContext, Set<string>>()

/** Creates a named namespace an item goes to, once per run (lo comes up with it unless a LOOPBACK item configures it). */
export function ensureNamespace(cx: PlanContext, t: TargetNs) {
  if (t.status === 'ready' && t.handle.name) {
    let seen = presentNs.get(cx)
    if (!seen) presentNs.set(cx, (seen = new Set()))
    if (!seen.has(t.handle.name)) {
      seen.add(t.handle.name)
      cx.unchanged++
    }
    return
  }
  if (t.status !== 'create' || cx.createdNs.has(t.name)) return
  cx.createdNs.add(t.name)
  const key = namespaceKey('NSID', t.name)
  const h = t.handle
  const loDesired = cx.input.desired.interfaces.some((i) => kindOf(i.type)?.plan.origin === 'adopt-lo' && i.ns.type === 'NSID' && i.ns.ref === t.name)
  cx.change('create', 'namespace', key, t.name, `named namespace ${t.name}${loDesired ? '' : ', lo up'}`, [
    cx.cmd(DEFAULT_HANDLE, 'namespaces', ipLine.netnsAdd(t.name), key, [cx.cmd(DEFAULT_HANDLE, 'cleanup', ipLine.netnsDel(t.name), key)]),
    ...(loDesired ? [] : [cx.cmd(h, 'configure', ipLine.up('lo'), key)]),
  ])
}

/** delete --namespaces: the file's named namespaces that hold nothing but lo once this delete has run. */
export function deleteEmptyNamespaces(cx: PlanContext) {
  const names = new Set(cx.input.desired.interfaces.filter((d) => d.ns.type === 'NSID').map((d) => d.ns.ref))
  for (const name of [...names].sort()) {
    const ns = cx.input.obs.byLabel.get(name)
    if (!ns) continue
    const left = whatKeeps(cx, ns, name)
    if (left.length) {
      cx.warnings.push(`namespace ${name} kept: it still holds ${left.join(', ')}`)
      continue
    }
    const key = namespaceKey('NSID', name)
    cx.change('delete', 'namespace', key, name, `namespace ${name} (nothing foreign left: lo only)`, [
      cx.cmd(DEFAULT_HANDLE, 'cleanup', ipLine.netnsDel(name), key, [
        cx.cmd(DEFAULT_HANDLE, 'namespaces', ipLine.netnsAdd(name), key),
        cx.cmd(namedHandle(name), 'configure', ipLine.up('lo'), key),
      ]),
    ])
  }
}

/**
 * What in a namespace is not lnx's to remove once this delete has run: links but lo, addresses on lo beyond the
 * kernel's (and those this delete strips), routes of any table but on the links going away (the kernel's own
 * on lo aside, and lnx's being deleted), neighbours on lo, rules beyond the defaults.
 */
function whatKeeps(cx: PlanContext, ns: ObservedNs, name: string): string[] {
  const out: string[] = []
  const gone = (dev: string | undefined) => !!dev && ns.links.some((l) => l.name === dev && cx.deleted.has(l))
  for (const l of ns.links) if (l.name !== 'lo' && !cx.deleted.has(l)) out.push(`link ${l.name}`)
  const lo = ns.links.find((l) => l.name === 'lo')
  const stripped = new Set(cx.changes.filter((c) => c.kind === 'interface' && c.action === 'delete').flatMap((c) => c.cmds.map((x) => x.line ?? '')).filter((x) => x.startsWith('addr del ') && x.endsWith(' dev lo')).map((x) => x.split(' ')[2]))
  for (const a of lo?.addresses ?? []) if (!a.auto && !LO_KERNEL.has(a.cidr) && !stripped.has(a.cidr)) out.push(`address ${a.cidr} on lo`)
  for (const r of ns.routes) {
    if (gone(r.dev) || (r.dev === 'lo' && r.protocol === 'kernel')) continue
    if (routeOwned(r) && cx.hasChange(observedRouteKey(r, cx.logicalNames(ns).get(r.dev ?? '') ?? ''), 'delete')) continue
    out.push(`route ${r.type === 'unicast' ? '' : `${r.type} `}${r.dst}${r.gw ? ` via ${r.gw}` : ''}${r.dev ? ` dev ${r.dev}` : ''}${r.table !== 'main' ? ` table ${r.table}` : ''} (proto ${r.protocol})`)
  }
  for (const n of ns.neighs) if (n.dev === 'lo' && n.permanent) out.push(`neighbour ${n.ip} on lo`)
  out.push(...(cx.input.foreignRules?.get(name) ?? []))
  return out
}
