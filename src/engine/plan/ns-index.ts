// Lookups into one observed namespace, built once per namespace and plan: planning stays linear in the number of
// items (100k-item plans) instead of scanning a namespace's links, routes and neighbours per item. Each table is
// built on first use: a no-op re-plan asks for links, main routes and neighbours, not for the per-device lists.
import type {ObservedNs, OLink, ONeigh, ORoute} from '../../kernel/observe.js'

const push = <K, V>(m: Map<K, V[]>, k: K, v: V) => {
  const a = m.get(k)
  if (a) a.push(v)
  else m.set(k, [v])
}

export class ObservedNsIndex {
  #links?: Map<string, OLink>
  #routesByDev?: Map<string, ORoute[]>
  #mainRoutes?: Map<string, ORoute[]>
  #neighsByDev?: Map<string, ONeigh[]>
  #neighs?: Map<string, Map<string, ONeigh>>

  constructor(private readonly ns: ObservedNs) {}

  /** Links by name. */
  get links(): Map<string, OLink> {
    if (!this.#links) {
      this.#links = new Map()
      for (const l of this.ns.links) this.#links.set(l.name, l)
    }
    return this.#links
  }

  /** Routes by device, in the kernel's order. */
  get routesByDev(): Map<string, ORoute[]> {
    if (!this.#routesByDev) {
      this.#routesByDev = new Map()
      for (const r of this.ns.routes) if (r.dev) push(this.#routesByDev, r.dev, r)
    }
    return this.#routesByDev
  }

  /** Neighbours by device, in the kernel's order. */
  get neighsByDev(): Map<string, ONeigh[]> {
    if (!this.#neighsByDev) {
      this.#neighsByDev = new Map()
      for (const n of this.ns.neighs) push(this.#neighsByDev, n.dev, n)
    }
    return this.#neighsByDev
  }

  /**
   * Main-table unicast routes with the kernel's identity of a route (family, destination, metric), in the kernel's
   * order.
   */
  mainRoutes(family: number, dst: string, metric: number): ORoute[] {
    if (!this.#mainRoutes) {
      this.#mainRoutes = new Map()
      for (const r of this.ns.routes) if (r.table === 'main' && r.type === 'unicast') push(this.#mainRoutes, r.dst, r)
    }
    const all = this.#mainRoutes.get(dst)
    if (!all) return NO_ROUTES
    // Mostly one route per destination: the list is returned as it is when every one matches.
    return all.every((r) => r.family === family && r.metric === metric) ? all : all.filter((r) => r.family === family && r.metric === metric)
  }

  /** The neighbour of that address on that device (the last one the kernel listed). */
  neigh(dev: string, ip: string): ONeigh | undefined {
    if (!this.#neighs) {
      this.#neighs = new Map()
      for (const n of this.ns.neighs) {
        let byIp = this.#neighs.get(n.dev)
        if (!byIp) this.#neighs.set(n.dev, (byIp = new Map()))
        byIp.set(n.ip, n)
      }
    }
    return this.#neighs.get(dev)?.get(ip)
  }
}

const NO_ROUTES: ORoute[] = []
