// The planner: desired model × observed kernel → ordered changes (with their iproute2 lines and the lines that
// undo them), pending items with reasons, and collisions (engine/contract.ts is what it hands the executor).
// Pure: it runs nothing. This module orders the steps; each kind of item has its own module:
// interfaces.ts, addresses.ts, routes.ts, arp.ts, namespaces.ts, deletions.ts (delete, prune, leftovers) and
// unlink.ts (link deletions batched per namespace); context.ts holds what they share, ns-index.ts the lookups into
// an observed namespace, l3-target.ts what routes and ARP entries need from their interface.
import {LnxError} from '../../errors.js'
import type {Desired} from '../../model/types.js'
import type {Observation} from '../../kernel/observe.js'
import type {Plan} from '../contract.js'
import {PlanContext, sortedByText} from './context.js'
import {classifyInterfaces, planInterfaces} from './interfaces.js'
import {planAddresses} from './addresses.js'
import {planRoute} from './routes.js'
import {planArp} from './arp.js'
import {countKept, deleteFlushedByDown, planDelete, planPrune} from './deletions.js'
import {finishUnlinks} from './unlink.js'
import type {TargetNs} from './namespaces.js'

export {nsRefKey, type TargetNs} from './namespaces.js'
export {describeRoute} from './routes.js'

export interface PlanInput {
  desired: Desired
  obs: Observation
  label: string
  /** Where each namespace reference of the config goes (by nsRefKey), resolved before planning. */
  namespaces: Map<string, TargetNs>
  mode: 'apply' | 'delete'
  prune?: boolean
  /** delete: also remove the file's NSID namespaces left holding nothing but lo. */
  deleteNamespaces?: boolean
  /** Link kinds the kernel offers beyond veth/tun ("dummy", "vrf"), from /sys/module. */
  kernelKinds?: Set<string>
  /** Imperative runs change what the user asked for: nothing there is drift. */
  noDrift?: boolean
  /** delete --namespaces: rules beyond the kernel's defaults, per candidate namespace name. */
  foreignRules?: Map<string, string[]>
  /** Observed checksum offload per "<ns id>/<host>", read only for veths that configure it. */
  offload?: Map<string, {rx: boolean; tx: boolean}>
}

export function plan(input: PlanInput): Plan {
  const cx = new PlanContext(input)
  const {desired, mode} = input
  if (mode === 'delete') planDelete(cx)
  else {
    const ifaces = sortedByText(desired.interfaces, (d) => d.name)
    classifyInterfaces(cx, ifaces)
    if (input.prune) planPrune(cx)
    planInterfaces(cx, ifaces)
    for (const d of ifaces) planAddresses(cx, cx.interfaces.get(d.name)!)
    for (const d of ifaces) deleteFlushedByDown(cx, cx.interfaces.get(d.name)!)
    // Routes without a gateway first: a scope-LINK route can be what makes another route's gateway reachable.
    for (const r of sortedByText(desired.routes, (r) => r.key, (r) => (r.gw ? 1 : 0))) planRoute(cx, r)
    for (const a of sortedByText(desired.arps, (a) => a.key)) planArp(cx, a)
  }
  finishUnlinks(cx)
  if (cx.collisions.length) {
    const c = cx.collisions[0]
    throw new LnxError('COLLISION', cx.collisions.length === 1 ? `${c.key}: ${c.message}` : `${cx.collisions.length} items collide with objects lnx does not own`, {
      key: c.key,
      errors: cx.collisions,
      hint: 'lnx never changes what it does not own: remove or rename the other object, or adopt a NIC with type EXISTING',
    })
  }
  const kept = mode === 'apply' && !input.prune && !input.noDrift ? countKept(cx) : 0
  return {changes: cx.changes, pending: cx.pending, unchanged: cx.unchanged, warnings: cx.warnings, kept, foreignStrips: cx.foreignStrips}
}
