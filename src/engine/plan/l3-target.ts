// What routes and ARP entries on one interface need from it, worked out once per interface rather than per item:
// whether they can be applied at all (interface pending, down, without address), where (namespace, index of what
// is there, host name, the link's observed name), its addresses after this run, and which gateways it reaches.
import {contains, isLinkLocal6, parseAddr, parsePrefix, type Addr, type Prefix} from '../../model/ip.js'
import type {NsHandle} from '../../kernel/run.js'
import {upAfterRun, type InterfacePlan, type PlanContext} from './context.js'
import type {ObservedNsIndex} from './ns-index.js'
import {addrsAfter} from './addresses.js'

export interface L3Target {
  p: InterfacePlan
  handle: NsHandle
  /** The index of the interface's namespace as observed (undefined: created in this run). */
  ix?: ObservedNsIndex
  /** Its host name after this run. */
  host: string
  /** The name its link has now (undefined: made in this run). */
  linkName?: string
  /** Its addresses after this run, parsed. */
  prefixes: Prefix[]
  /** Gateway → reachable on it, as decided for an earlier route. */
  gateways: Map<string, boolean>
}

/** The interface an item on it needs, or why the item cannot be applied yet (interface pending, down, without address). */
export function interfaceFor(cx: PlanContext, ifName: string, what: string): L3Target | string {
  const known = cx.l3Targets.get(ifName)
  if (known) return known
  const p = cx.interfaces.get(ifName)
  if (!p) {
    const o = cx.owned.get(ifName)
    return `interface ${ifName} is not defined${o ? ' in this config' : ''}`
  }
  if (p.state === 'pending') return `interface ${ifName} is pending (${p.reason})`
  if (!upAfterRun(p)) return `interface ${ifName} is not enabled (${what} needs it up)`
  const addrs = addrsAfter(cx, p)
  if (addrs.length === 0) return `interface ${ifName} has no IP address`
  const t = p.target!
  const prefixes: Prefix[] = []
  for (const a of addrs) {
    const pp = parsePrefix(a)
    if (pp) prefixes.push(pp)
  }
  const target: L3Target = {
    p,
    handle: t.handle,
    ix: t.status === 'ready' ? cx.index(t.obs) : undefined,
    host: p.d.hostName,
    linkName: p.cur?.link.name ?? p.adopt?.name,
    prefixes,
    gateways: new Map(),
  }
  cx.l3Targets.set(ifName, target)
  return target
}

/**
 * Whether a gateway is on the interface: inside one of its subnets, or of a link-scope route on it (the config's,
 * or the kernel's when the link keeps its routes); an IPv6 link-local gateway always is.
 */
export function reachesGateway(cx: PlanContext, t: L3Target, gwText: string): boolean {
  let known = t.gateways.get(gwText)
  if (known === undefined) {
    const gw = parseAddr(gwText)!
    known = t.prefixes.some((pp) => inPrefix(pp, gw))
      || (cx.linkRoutesByIface.get(t.p.d.name) ?? []).some((x) => contains(parsePrefix(x.dst)!, gw))
      // The kernel's connected routes are left out: they last only as long as their address, which addrsAfter judges.
      || (!t.p.fresh && t.ix ? t.ix.routesByDev.get(t.p.cur?.link.name ?? t.host) ?? [] : []).some((x) => x.scope === 'link' && !x.gw && x.table === 'main' && x.protocol !== 'kernel' && contains(parsePrefix(x.dst)!, gw))
      || isLinkLocal6(gw)
    t.gateways.set(gwText, known)
  }
  return known
}

/** contains(), without BigInt arithmetic for IPv4: asked once per route with a gateway. */
export function inPrefix(pp: Prefix, a: Addr): boolean {
  if (pp.family !== a.family) return false
  if (pp.family === 6) return contains(pp, a)
  return pp.len === 0 || ((Number(pp.value) ^ Number(a.value)) >>> (32 - pp.len)) === 0
}
