// Lookups into one observed namespace, built once per namespace and plan: planning stays linear in the number of
// items (100k-item plans) instead of scanning a namespace's links, routes and neighbours per item.
import type {ObservedNs, OLink, ONeigh, ORoute} from '../../kernel/observe.js'

export interface ObservedNsIndex {
  links: Map<string, OLink>
  routesByDev: Map<string, ORoute[]>
  /** Main-table unicast routes by "family|dst|metric": the kernel's identity of a route. */
  mainRoutes: Map<string, ORoute[]>
  neighsByDev: Map<string, ONeigh[]>
  /** By "dev|ip". */
  neighs: Map<string, ONeigh>
}

export const mainRouteId = (family: number, dst: string, metric: number) => `${family}|${dst}|${metric}`
export const neighId = (dev: string, ip: string) => `${dev}|${ip}`

export function indexNamespace(ns: ObservedNs): ObservedNsIndex {
  const push = <K, V>(m: Map<K, V[]>, k: K, v: V) => {
    const a = m.get(k)
    if (a) a.push(v)
    else m.set(k, [v])
  }
  const i: ObservedNsIndex = {links: new Map(), routesByDev: new Map(), mainRoutes: new Map(), neighsByDev: new Map(), neighs: new Map()}
  for (const l of ns.links) i.links.set(l.name, l)
  for (const r of ns.routes) {
    if (r.dev) push(i.routesByDev, r.dev, r)
    if (r.table === 'main' && r.type === 'unicast') push(i.mainRoutes, mainRouteId(r.family, r.dst, r.metric), r)
  }
  for (const n of ns.neighs) {
    push(i.neighsByDev, n.dev, n)
    i.neighs.set(neighId(n.dev, n.ip), n)
  }
  return i
}
