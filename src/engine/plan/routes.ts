// Routes: each desired route against the kernel's routes of its namespace (the kernel identifies a route by
// family, destination and metric), waiting for its interface and gateway subnet.
import {normalizeNetwork, parsePrefix} from '../../model/ip.js'
import type {DRoute} from '../../model/types.js'
import type {ORoute} from '../../kernel/observe.js'
import {routeOwned} from '../../kernel/owned.js'
import {ipLine} from '../../kernel/iproute2.js'
import type {Cmd} from '../contract.js'
import {persists, upAfterRun, type InterfacePlan, type PlanContext} from './context.js'
import {addrsAfter} from './addresses.js'
import {interfaceFor, reachesGateway} from './l3-target.js'
import {kindOf} from '../../kinds/index.js'

/** One desired route: unchanged, created, updated in place, re-asserted, adopted from the vpp-agent, or a collision. */
export function planRoute(cx: PlanContext, r: DRoute) {
  const t = interfaceFor(cx, r.iface, 'a route')
  if (typeof t === 'string') return cx.pend(r.key, `route ${r.dst}${r.gw ? ` via ${r.gw}` : ''}: ${t}`)
  const {p, handle: h, host, ix, linkName} = t
  if (r.gw && !reachesGateway(cx, t, r.gw)) return cx.pend(r.key, `route ${r.dst} via ${r.gw}: gateway not inside any subnet of ${r.iface}`)
  const gone = p.fresh
  // The kernel's connected route of an address this run deletes goes with it: it satisfies nothing.
  const lost = (x: ORoute) => !!p.l3Reset && !r.gw && x.protocol === 'kernel' && x.dev === linkName && !connectedByPlan(cx, p, r)
  let same: ORoute | undefined
  if (ix) for (const x of ix.mainRoutes(r.family, r.dst, r.metric)) {
    if (!(gone && x.dev === linkName) && !lost(x)) {
      same = x
      break
    }
  }
  const onMine = !!same && same.dev === linkName
  const exact = onMine && same!.gw === r.gw && (r.family === 6 || same!.scope === r.scope)
  // Already what the item asks for — lnx's and not to re-assert, or the kernel's connected route: most routes of a
  // no-op re-apply, so nothing else is built for them.
  if (exact && (routeOwned(same!) ? !p.l3Reset : same!.protocol === 'kernel')) return void cx.unchanged++
  const spec = {dst: r.dst, gw: r.gw, dev: host, metric: r.metric, scope: r.scope, family: r.family}
  // Described only when a change is made.
  let described: string | undefined
  const detail = () => (described ??= describeRoute(spec))
  if (same) {
    if (routeOwned(same)) {
      if (exact && p.l3Reset) {
        cx.change('update', 'route', r.key, h, `${detail()} (re-asserted: the address change may flush it)`, [
          cx.cmd(h, 'l3', ipLine.route('replace', spec), r.key, []),
        ])
        return
      }
      // The undo runs before a rename of this link is undone: it names the link by its new name.
      const old = {dst: same.dst, gw: same.gw, dev: onMine ? host : same.dev!, metric: same.metric, scope: same.scope, family: same.family}
      cx.change('update', 'route', r.key, h, `${describeRoute(old)} → ${detail()}`, [
        cx.cmd(h, 'l3', ipLine.route('replace', spec), r.key, [cx.cmd(h, 'l3', ipLine.route('replace', old), r.key)]),
      ], true)
      return
    }
    if (exact && linkName && same.protocol === 'boot') {
      // Take-over from the vpp-agent (its routes are proto boot): same route on an owned link → re-marked.
      // Other tools' protocols (static, zebra, bird, …) are collisions.
      const old = {dst: same.dst, gw: same.gw, dev: host, metric: same.metric, scope: same.scope, family: same.family, proto: same.protocol}
      cx.change('update', 'route', r.key, h, `adopt ${detail()} (proto ${same.protocol} → lnx)`, [
        cx.cmd(h, 'l3', ipLine.route('replace', spec), r.key, [cx.cmd(h, 'l3', ipLine.route('replace', old), r.key)]),
      ])
      return
    }
    return cx.collide(r.key, `a route to ${r.dst} with metric ${r.metric} already exists in ${h.label || 'the default namespace'} (dev ${same.dev}${same.gw ? ` via ${same.gw}` : ''}, proto ${same.protocol}) and lnx does not own it`, 'dst_network')
  }
  // Not in the kernel yet, but the connected route an address of this run creates is this very route: satisfied by
  // it, as when the address exists (adding it would fail with "File exists").
  const conn = connectedByPlan(cx, p, r)
  if (conn) {
    if (r.family === 6 || r.scope === 'link') return void cx.unchanged++
    return cx.collide(r.key, `a route to ${r.dst} with metric ${r.metric} is the kernel's connected route of ${conn} on ${host} (scope link), which this run adds, and lnx does not own it`, 'dst_network')
  }
  // IPv4 knows one route per destination and metric in a table, whatever its device: the connected route of an
  // address this run adds on another link of the namespace would make this one fail with "File exists" mid-run.
  const other = r.family === 4 && r.metric === 0 ? connectedElsewhere(cx, p, r, h.label) : undefined
  if (other) return cx.collide(r.key, `a route to ${r.dst} with metric 0 is the kernel's connected route of ${other.addr} on ${other.host}, which this run adds, and lnx does not own it`, 'dst_network')
  // Same item at another metric: a metric change is delete + add (they are different kernel routes).
  const moved = gone ? undefined : (ix?.routesByDev.get(linkName ?? '') ?? []).find((x) => routeOwned(x) && x.dst === r.dst && x.table === 'main' && x.type === 'unicast' && x.family === r.family)
  const cmds: Cmd[] = []
  if (moved) {
    const old = {dst: moved.dst, gw: moved.gw, dev: moved.dev!, metric: moved.metric, scope: moved.scope, family: moved.family}
    // In teardown, before address changes that could flush it.
    cmds.push(cx.cmd(h, 'teardown', ipLine.route('del', old), r.key, [cx.cmd(h, 'l3', ipLine.route('replace', old), r.key)]))
  }
  cmds.push(cx.cmd(h, 'l3', ipLine.route('add', spec), r.key, [cx.cmd(h, 'l3', ipLine.route('del', spec), r.key)]))
  // Missing on an owned link that stays: drift (without a state file, also when the file just added it).
  cx.change(moved ? 'update' : 'create', 'route', r.key, h, moved ? `metric ${moved.metric} → ${r.metric}: ${detail()}` : detail(), cmds, !!moved || persists(p))
}

/**
 * The address of this interface (after this run) whose connected route the kernel makes equal to r: dst its subnet,
 * no gateway, metric 0 (IPv4) or 256 (IPv6 prefix routes). lo's go to the local table; /32 and /128 make none.
 */
function connectedByPlan(cx: PlanContext, p: InterfacePlan, r: DRoute): string | undefined {
  if (r.gw || r.metric !== (r.family === 4 ? 0 : 256) || kindOf(p.d.type)!.hostName === 'lo') return undefined
  const full = r.family === 4 ? 32 : 128
  return addrsAfter(cx, p).find((a) => normalizeNetwork(a) === r.dst && parsePrefix(a)?.family === r.family && parsePrefix(a)!.len < full)
}

/** Another link of the route's namespace, up after this run, with an address (after this run) whose subnet is r's. */
function connectedElsewhere(cx: PlanContext, p: InterfacePlan, r: DRoute, nsLabel: string): {addr: string; host: string; q: InterfacePlan} | undefined {
  const hit = connectedSubnets(cx).get(nsLabel)?.get(r.dst)
  return hit && hit.q !== p ? hit : undefined
}

/** Per namespace, the IPv4 subnets the kernel's connected routes will have after this run: built once per plan. */
const subnetsOfPlan = new WeakMap<PlanContext, Map<string, Map<string, {addr: string; host: string; q: InterfacePlan}>>>()
function connectedSubnets(cx: PlanContext) {
  let m = subnetsOfPlan.get(cx)
  if (m) return m
  m = new Map()
  for (const q of cx.interfaces.values()) {
    if (q.state === 'pending' || !q.target || kindOf(q.d.type)!.hostName === 'lo') continue
    if (!upAfterRun(q)) continue
    for (const a of addrsAfter(cx, q)) {
      const pp = parsePrefix(a)
      const net = pp?.family === 4 && pp.len < 32 ? normalizeNetwork(a) : null
      if (!net) continue
      let ns = m.get(q.target.handle.label)
      if (!ns) m.set(q.target.handle.label, (ns = new Map()))
      if (!ns.has(net)) ns.set(net, {addr: a, host: q.d.hostName, q})
    }
  }
  subnetsOfPlan.set(cx, m)
  return m
}

export function describeRoute(r: {dst: string; gw?: string; dev: string; metric: number; scope?: string; family: 4 | 6}): string {
  return `${r.dst}${r.gw ? ` via ${r.gw}` : ''} dev ${r.dev}${r.metric ? ` metric ${r.metric}` : ''}${r.family === 4 && r.scope ? ` scope ${r.scope}` : ''}`
}
