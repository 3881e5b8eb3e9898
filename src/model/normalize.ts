// The normalisation table of docs/DESIGN.md, in one place: config items (canonical proto form) → the desired model.
import type {ARPEntry, Interface, Interface_Type, Route} from './generated.js'
import type {DArp, DInterface, DRoute, NsRef, RouteScope, Source} from './types.js'
import {DEFAULT_NS} from './types.js'
import {arpKey, interfaceKey, routeKey} from './keys.js'
import {normalizeAddr, normalizeCidr, normalizeNeighAddr, normalizeNetwork, parsePrefix} from './ip.js'
import {parseMac} from './names.js'
import {kindOf} from '../kinds/index.js'

/** MTU a link of this type gets when the config says 0; undefined = lnx leaves the MTU alone. */
export const defaultMtu = (type: Interface_Type): number | undefined => kindOf(type)?.defaultMtu

export function nsOf(i: Interface): NsRef {
  const n = i.namespace
  if (!n || !n.type || n.type === 'UNDEFINED') return DEFAULT_NS
  return {type: n.type, ref: n.reference ?? ''}
}

export function hostNameOf(i: Interface): string {
  const fixed = kindOf(i.type)?.hostName
  if (fixed) return fixed
  return i.host_if_name || i.name || ''
}

export function normalizeInterface(i: Interface, source?: Source, key?: string): DInterface {
  const type = i.type ?? 'UNDEFINED'
  const addrs: string[] = []
  for (const a of i.ip_addresses ?? []) {
    const c = normalizeCidr(a) ?? a
    if (!addrs.includes(c)) addrs.push(c)
  }
  const name = i.name ?? ''
  const d: DInterface = {
    key: key ?? interfaceKey(name),
    name,
    type,
    ns: nsOf(i),
    hostName: hostNameOf(i),
    enabled: !!i.enabled,
    addresses: i.link_only ? [] : addrs,
    mac: i.phys_address && !i.link_only ? parseMac(i.phys_address) ?? undefined : undefined,
    mtu: i.mtu ? i.mtu : defaultMtu(type),
    peer: undefined,
    rxOffload: undefined,
    txOffload: undefined,
    vppTap: undefined,
    // The kind's own fields (a veth's peer, a tap's VPP TAP).
    ...kindOf(type)?.normalize?.(i),
    linkOnly: !!i.link_only,
    source,
  }
  // Only when set: the planner tells "no VRF" by the field's absence (no object spread per interface for it).
  if (i.vrf_master_interface) d.vrfMaster = i.vrf_master_interface
  return d
}

const SCOPES: Record<string, RouteScope> = {GLOBAL: 'global', SITE: 'site', LINK: 'link', HOST: 'host'}

/** A route's destination network, canonical (host bits cleared); as written when it does not parse. */
export const routeDst = (r: Route): string => normalizeNetwork(r.dst_network ?? '') ?? r.dst_network ?? ''
const familyOf = (dst: string) => parsePrefix(dst)?.family ?? 4
/** The metric the kernel gives the route (`dst` = routeDst(r)): IPv6 metric 0 means 1024. */
export const routeMetric = (r: Route, dst: string): number => (familyOf(dst) === 6 && !r.metric ? 1024 : r.metric ?? 0)

/** `key`: the item's key when the loader computed it already (the same routeKey of the same fields). */
export function normalizeRoute(r: Route, source?: Source, key?: string): DRoute {
  const dst = routeDst(r)
  const family = familyOf(dst)
  const gw = r.gw_addr ? normalizeAddr(r.gw_addr) ?? r.gw_addr : undefined
  const given = !!r.scope && r.scope !== 'UNDEFINED'
  // IPv4 scope UNDEFINED takes iproute2's default; IPv6 has no route scopes (the kernel ignores them).
  const scope: RouteScope = family === 6 ? 'global' : given ? SCOPES[r.scope!] : gw ? 'global' : 'link'
  return {
    key: key ?? routeKey(dst, r.outgoing_interface ?? ''),
    iface: r.outgoing_interface ?? '',
    dst,
    gw,
    metric: routeMetric(r, dst),
    scope,
    scopeGiven: given,
    family,
    source,
  }
}

export function normalizeArp(a: ARPEntry, source?: Source, key?: string): DArp {
  const ip = normalizeNeighAddr(a.ip_address ?? '') ?? a.ip_address ?? ''
  return {
    key: key ?? arpKey(a.interface ?? '', ip),
    iface: a.interface ?? '',
    ip,
    mac: parseMac(a.hw_address ?? '') ?? a.hw_address ?? '',
    source,
  }
}

