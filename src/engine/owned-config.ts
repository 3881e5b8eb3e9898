// The kernel's state read back as config: what lnx owns as items (a valid ConfigData), the rest as "foreign".
import type {ARPEntry, Interface, Route} from '../model/generated.js'
import {defaultMtu} from '../model/normalize.js'
import {kindOf, kindOfKernel} from '../kinds/index.js'
import {parsePrefix} from '../model/ip.js'
import type {Observation, ObservedNs, OLink} from '../kernel/observe.js'
import {neighOwned, ownedView, ownership, routeOwned, type OwnedLink} from '../kernel/owned.js'

export interface OwnedConfig {
  interfaces: Interface[]
  arp_entries: ARPEntry[]
  routes: Route[]
  foreign: {
    interfaces: Record<string, unknown>[]
    arp_entries: Record<string, unknown>[]
    routes: Record<string, unknown>[]
  }
  /** Owned links by logical name. */
  owned: Map<string, OwnedLink>
}

function nsField(ns: ObservedNs): Interface['namespace'] | undefined {
  if (ns.handle.isDefault) return undefined
  if (ns.handle.name) return {type: 'NSID', reference: ns.handle.name}
  if (ns.handle.microservice !== undefined) return {type: 'MICROSERVICE', reference: ns.handle.microservice}
  return {type: 'FD', reference: ns.handle.path}
}

export function ownedLinks(obs: Observation, label: string): Map<string, OwnedLink> {
  const m = new Map<string, OwnedLink>()
  for (const ns of obs.namespaces) {
    for (const l of ns.links) {
      const v = ownedView(l, label)
      if (v && !m.has(v.name)) m.set(v.name, v)
    }
  }
  return m
}

/** Addresses a user put there: not the kernel's IPv6 link-local ones, nor lo's own 127.0.0.1/8 and ::1/128. */
export const userAddrs = (l: OLink) => {
  const kernelOwn = kindOfKernel(l.kind)?.addresses?.kernelOwn ?? []
  return l.addresses.filter((a) => !a.auto && !kernelOwn.includes(a.cidr)).map((a) => a.cidr)
}

export function ownedConfig(obs: Observation, label: string, opts: {kernelRoutes?: boolean} = {}): OwnedConfig {
  const owned = ownedLinks(obs, label)
  const nameOf = new Map<OLink, string>()
  for (const o of owned.values()) nameOf.set(o.link, o.name)
  const st: OwnedConfig = {interfaces: [], arp_entries: [], routes: [], foreign: {interfaces: [], arp_entries: [], routes: []}, owned}

  for (const o of owned.values()) {
    const l = o.link
    const k = kindOf(o.type)!
    const i: Interface = {name: o.name, type: o.type}
    const ns = nsField(l.ns)
    if (ns && k.inNamespace) i.namespace = ns
    if (!k.hostName && l.name !== o.name) i.host_if_name = l.name
    if (l.up) i.enabled = true
    const addrs = userAddrs(l)
    if (addrs.length) i.ip_addresses = addrs
    // What lnx does not manage on the link is not the item's (values equal to the kind's default are left out).
    if (k.manages.mac) i.phys_address = l.mac
    if (k.manages.mtu && l.mtu !== defaultMtu(o.type)) i.mtu = l.mtu
    Object.assign(i, k.toItem?.(o))
    st.interfaces.push(i)
  }

  for (const ns of obs.namespaces) {
    const byName = new Map(ns.links.map((l) => [l.name, l]))
    for (const l of ns.links) {
      if (nameOf.has(l)) continue
      const f: Record<string, unknown> = {name: l.name, kind: l.kind || 'unknown'}
      if (!ns.handle.isDefault) f.namespace = nsField(ns)
      f.enabled = l.up
      const addrs = userAddrs(l)
      if (addrs.length) f.ip_addresses = addrs
      if (l.mac && l.kind !== 'loopback') f.phys_address = l.mac
      // As for owned items, an MTU equal to the kind's default is left out (kinds lnx does not know: always shown).
      if (l.mtu !== kindOfKernel(l.kind)?.defaultMtu) f.mtu = l.mtu
      if (l.peer) f.peer = l.peer.name + (l.peer.ns !== ns ? `@${l.peer.ns.handle.label || 'default'}` : '')
      if (l.alias) f.alias = l.alias
      const own = ownership(l, '')
      if (own === 'leftover') f.note = 'lnx leftover (lnx group, no alias): adopted by a config item of this name, removed by --prune'
      st.foreign.interfaces.push(f)
    }
    for (const r of ns.routes) {
      const dev = r.dev ? byName.get(r.dev) : undefined
      const logical = dev ? nameOf.get(dev) : undefined
      if (routeOwned(r) && logical && r.table === 'main' && r.type === 'unicast') {
        const route: Route = {outgoing_interface: logical, dst_network: r.dst}
        if (r.gw) route.gw_addr = r.gw
        const defMetric = r.family === 6 ? 1024 : 0
        if (r.metric !== defMetric) route.metric = r.metric
        if (r.family === 4) {
          const implied = r.gw ? 'global' : 'link'
          if (r.scope !== implied) route.scope = r.scope.toUpperCase() as Route['scope']
        }
        st.routes.push(route)
        continue
      }
      if (!opts.kernelRoutes && (r.protocol === 'kernel' || r.table === 'local' || r.type !== 'unicast')) continue
      if (r.family === 6 && parsePrefix(r.dst)?.len === 64 && r.dst.startsWith('fe80:')) continue
      const f: Record<string, unknown> = {dst_network: r.dst}
      if (r.dev) f.outgoing_interface = r.dev
      if (!ns.handle.isDefault) f.namespace = nsField(ns)
      if (r.gw) f.gw_addr = r.gw
      if (r.metric) f.metric = r.metric
      f.protocol = r.protocol
      if (r.table !== 'main') f.table = r.table
      f.scope = r.scope
      st.foreign.routes.push(f)
    }
    for (const n of ns.neighs) {
      const dev = byName.get(n.dev)
      const logical = dev ? nameOf.get(dev) : undefined
      if (neighOwned(n) && logical && n.mac) {
        st.arp_entries.push({interface: logical, ip_address: n.ip, hw_address: n.mac})
        continue
      }
      if (!n.permanent) continue
      const f: Record<string, unknown> = {interface: n.dev, ip_address: n.ip}
      if (n.mac) f.hw_address = n.mac
      if (!ns.handle.isDefault) f.namespace = nsField(ns)
      f.protocol = n.protocol
      st.foreign.arp_entries.push(f)
    }
  }
  return st
}
