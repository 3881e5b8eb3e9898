// Semantic validation: the vpp-agent's rules and the Linux rules of docs/DESIGN.md that a JSON Schema cannot say.
// Static: it never looks at the host. Every problem names the file, the item key and the field path.
import type {ItemError} from '../errors.js'
import type {LoadedConfig, Located} from '../config/load.js'
import {fieldSource} from '../config/positions.js'
import type {ARPEntry, Interface, Route} from './generated.js'
import {normalizeNeighAddr, parseAddr, parsePrefix, isMulticast, isUnspecified, placeIn, sameAddr, type Prefix} from './ip.js'
import {hostNameProblem, logicalNameProblem, macProblem, nsNameProblem, nsPathProblem, parseMac} from './names.js'
import {hostNameOf, nsOf, routeDst, routeMetric} from './normalize.js'
import {nsLabel} from './types.js'
import {article, type ValidateContext} from '../kinds/kind.js'
import {KINDS, kindOf, typeNames} from '../kinds/index.js'

export interface ValidationResult {
  errors: ItemError[]
  warnings: ItemError[]
}

type Report = ValidateContext['err']

export function validateConfig(cfg: LoadedConfig): ValidationResult {
  const errors: ItemError[] = [...cfg.errors]
  const warnings: ItemError[] = []
  // One pair of reporters for all items, naming the item being checked (not two closures per item).
  let cur: Located<unknown>
  const problem = (path: string, message: string, hint?: string): ItemError =>
    ({file: cur.file, key: cur.key, path, message, ...(hint ? {hint} : {}), src: fieldSource(cur, path)})
  const err: Report = (path, message, hint) => errors.push(problem(path, message, hint))
  const warn: Report = (path, message, hint) => warnings.push(problem(path, message, hint))

  const ifaces = new Map<string, Located<Interface>>()
  for (const l of cfg.interfaces) if (l.item.name && !ifaces.has(l.item.name)) ifaces.set(l.item.name, l)

  for (const l of cfg.interfaces) if (!l.bad) checkInterface((cur = l).item, err, warn, ifaces)
  for (const l of cfg.arps) if (!l.bad) checkArp((cur = l).item, err, warn, ifaces)
  for (const l of cfg.routes) if (!l.bad) checkRoute((cur = l).item, err, warn, ifaces)
  checkPerNamespace(cfg, errors)
  checkDisabledCarriers(cfg, warnings)
  return {errors, warnings}
}

/**
 * An interface written without `enabled: true` stays down (proto3's default, as in the vpp-agent), and routes and
 * ARP entries need it up: they would stay pending with no word. One warning per interface, naming what waits.
 * Kinds that keep an adopted link up (EXISTING) are left out: enabled does not take it down.
 */
function checkDisabledCarriers(cfg: LoadedConfig, warnings: ItemError[]) {
  const routes = new Map<string, number>()
  const arps = new Map<string, number>()
  for (const l of cfg.routes) if (!l.bad && l.item.outgoing_interface) routes.set(l.item.outgoing_interface, (routes.get(l.item.outgoing_interface) ?? 0) + 1)
  for (const l of cfg.arps) if (!l.bad && l.item.interface) arps.set(l.item.interface, (arps.get(l.item.interface) ?? 0) + 1)
  const warned = new Set<string>()
  for (const l of cfg.interfaces) {
    const i = l.item
    if (l.bad || !i.name || i.enabled || kindOf(i.type)?.keepsUp || warned.has(i.name)) continue
    const r = routes.get(i.name) ?? 0
    const a = arps.get(i.name) ?? 0
    if (!r && !a) continue
    warned.add(i.name)
    const what = [r ? `${r} route${r === 1 ? '' : 's'}` : '', a ? `${a} ARP entr${a === 1 ? 'y' : 'ies'}` : ''].filter(Boolean).join(' and ')
    warnings.push({file: l.file, key: l.key, path: 'enabled', message: `interface "${i.name}" is not enabled (enabled is ${i.enabled === false ? 'false' : 'not set, and defaults to false'}): its ${what} stay${r + a === 1 ? 's' : ''} pending while it is down`, hint: 'set enabled: true'})
  }
}

function checkName(v: string | undefined, path: string, what: string, err: Report): boolean {
  if (v === undefined || v === '') {
    err(path, `${what} is required`)
    return false
  }
  const p = logicalNameProblem(v)
  if (p) err(path, `${what} "${v}" ${p}`)
  return !p
}

function checkInterface(i: Interface, err: Report, warn: Report, ifaces: Map<string, Located<Interface>>) {
  checkName(i.name, 'name', 'name', err)
  const type = i.type ?? 'UNDEFINED'
  const kind = kindOf(type)
  if (type === 'UNDEFINED') err('type', 'type is required', `one of ${typeNames().join(', ')}`)

  // Namespace reference, by type.
  if (i.namespace) {
    const {type: nt, reference: ref} = i.namespace
    if (!nt || nt === 'UNDEFINED') err('namespace.type', 'namespace type is required when a namespace is given', 'NSID, PID, FD or MICROSERVICE; leave "namespace" out for the default namespace')
    if (!ref) err('namespace.reference', 'namespace reference is required when a namespace is given')
    else if (nt === 'NSID') {
      const p = nsNameProblem(ref)
      if (p) err('namespace.reference', `namespace name "${ref}" ${p}`)
    } else if (nt === 'PID') {
      if (!/^[1-9][0-9]{0,9}$/.test(ref)) err('namespace.reference', `PID reference "${ref}" is not a process ID`, 'a positive integer')
    } else if (nt === 'FD') {
      const p = nsPathProblem(ref)
      if (p) err('namespace.reference', `FD reference "${ref}" ${p}`, 'the path of an nsfs file, e.g. /proc/1234/ns/net or /run/netns/x')
    } else if (nt === 'MICROSERVICE') {
      const p = logicalNameProblem(ref)
      if (p) err('namespace.reference', `microservice label "${ref}" ${p}`)
    }
  }

  // Host name.
  if (kind?.hostName) {
    if (i.host_if_name && i.host_if_name !== kind.hostName) err('host_if_name', `${article(type)} is always "${kind.hostName}", not "${i.host_if_name}"`, 'leave host_if_name out')
  } else if (i.name) {
    const host = hostNameOf(i)
    const p = hostNameProblem(host)
    if (p) {
      if (i.host_if_name) err('host_if_name', `host name "${host}" ${p}`)
      else if (!logicalNameProblem(i.name)) err('name', `"${host}" cannot be a kernel link name: it ${p}`, 'set host_if_name to a name of at most 15 bytes')
    }
  }

  // Link kinds: exactly the one that belongs to the type.
  const sections = KINDS.flatMap((k) => (k.section ? [k.section] : []))
  const links = sections.filter((k) => i[k] !== undefined)
  if (links.length > 1) err(links[1], `only one of ${sections.join(', ')} may be set (found ${links.join(' and ')})`)
  for (const k of links.slice(0, 1)) {
    if (kind && kind.section !== k) err(k, `"${k}" does not belong to ${article(type)} interface`, kind.section ? `${article(type)} takes "${kind.section}"` : `${article(type)} takes no link section`)
  }
  // The kind's own rules (a veth's peer, a tap's VPP TAP, a VRF's table, …).
  kind?.validate?.(i, {err, warn, item: (n) => ifaces.get(n)?.item, checkName: (v, path, what) => checkName(v, path, what, err)})

  // Addresses.
  const prefixes: Prefix[] = []
  const kept: number[] = []
  const addrs = i.ip_addresses ?? []
  for (let n = 0; n < addrs.length; n++) {
    const a = addrs[n]
    const p = parsePrefix(a)
    if (!p) {
      err(`ip_addresses[${n}]`, `"${a}" is not an IPv4 or IPv6 address with an optional /prefix`, 'e.g. "192.168.22.1/24" or "2001:db8::1/64"')
      continue
    }
    if (isUnspecified(p)) {
      err(`ip_addresses[${n}]`, `"${a}" is the unspecified address`)
      continue
    }
    if (isMulticast(p)) {
      err(`ip_addresses[${n}]`, `"${a}" is a multicast address; an interface address must be unicast`)
      continue
    }
    if (p.family === 6 && p.len === 128 && sameAddr(p, parseAddr('::1')!) && kind?.hostName !== 'lo') {
      err(`ip_addresses[${n}]`, `"${a}" is the IPv6 loopback address; the kernel takes it only on lo`, 'put it on a LOOPBACK interface')
      continue
    }
    // The same address twice (whatever the masks); a linear search over the few addresses a link has.
    const twice = prefixes.findIndex((q) => sameAddr(q, p))
    if (twice >= 0) {
      err(`ip_addresses[${n}]`, `"${a}" is listed twice (also ip_addresses[${kept[twice]}])`)
      continue
    }
    prefixes.push(p)
    kept.push(n)
  }
  if (i.link_only && (i.ip_addresses?.length || i.phys_address)) warn('link_only', 'link_only is set: ip_addresses and phys_address are left to someone else and ignored')

  if (i.phys_address) {
    const p = macProblem(i.phys_address)
    if (p) err('phys_address', `"${i.phys_address}" ${p}`)
  }
  if (i.mtu !== undefined && i.mtu !== 0) {
    const lim = mtuLimits(type)
    if (i.mtu < lim.min || i.mtu > lim.max) err('mtu', `MTU ${i.mtu} is out of range for ${lim.what}`, `${lim.min}..${lim.max} (${lim.why}), or 0 for the default`)
    else if (i.mtu < 1280 && prefixes.some((p) => p.family === 6)) err('mtu', `MTU ${i.mtu} is below 1280, the IPv6 minimum, and the interface has IPv6 addresses`, 'the kernel would silently drop them')
  }
  if (i.vrf_master_interface) {
    checkName(i.vrf_master_interface, 'vrf_master_interface', 'VRF master name', err)
    const m = ifaces.get(i.vrf_master_interface)
    // As the vpp-agent: a VRF cannot be inside another VRF; the master is a VRF_DEVICE, or an EXISTING link that is
    // a VRF made by someone else (tests/e2e/080_vrf_test.go, TestExistingLinuxVRF).
    if (kind?.vrfMaster === 'only') err('vrf_master_interface', `${article(type)} cannot be inside another VRF`, 'leave vrf_master_interface out')
    else if (!m) warn('vrf_master_interface', `VRF "${i.vrf_master_interface}" is not defined in these files`)
    else if (!kindOf(m.item.type)?.vrfMaster) err('vrf_master_interface', `"${i.vrf_master_interface}" is a ${m.item.type}, not ${masters()}`)
  }
}

/**
 * What the kernel takes per link kind (its min_mtu/max_mtu): lo has no maximum and its default, like the legacy VRF
 * default, is 65536 (a vpp-agent dump of lo says so); a VRF takes up to IP6_MAX_MTU 65575 (today's default); veth
 * and dummy ETH_MAX_MTU 65535; a tun/tap 65535 minus its header room, 65521.
 */
export function mtuLimits(type: string): {min: number; max: number; what: string; why: string} {
  const lim = kindOf(type)?.mtu ?? {min: 68, max: Math.max(...KINDS.map((k) => k.mtu.max)), why: 'not managed by lnx; the largest any kind takes'}
  return {...lim, what: article(type)}
}

/** "a VRF_DEVICE (or an EXISTING VRF)": the kinds that are VRFs, then those that may be one, for messages. */
const masters = () => [
  ...KINDS.filter((k) => k.vrfMaster === 'only').map((k) => article(k.type)),
  ...KINDS.filter((k) => k.vrfMaster === 'also').map((k) => `(or ${article(k.type)} VRF)`),
].join(' ')

function checkArp(a: ARPEntry, err: Report, warn: Report, ifaces: Map<string, Located<Interface>>) {
  if (checkName(a.interface, 'interface', 'interface', err) && !ifaces.has(a.interface!)) {
    warn('interface', `interface "${a.interface}" is not defined in these files`, 'apply keeps this entry pending until it is')
  }
  if (!a.ip_address) err('ip_address', 'ip_address is required')
  else {
    // With a mask too, as the vpp-agent takes it (only the address counts).
    const text = normalizeNeighAddr(a.ip_address)
    const ip = text ? parseAddr(text) : null
    if (!ip) err('ip_address', `"${a.ip_address}" is not an IPv4 or IPv6 address`, 'an address, optionally with a /prefix that is ignored')
    else if (isUnspecified(ip) || isMulticast(ip)) err('ip_address', `"${a.ip_address}" cannot have a neighbour entry (unspecified or multicast)`)
  }
  if (!a.hw_address) err('hw_address', 'hw_address is required')
  else {
    const m = parseMac(a.hw_address)
    if (!m) err('hw_address', `"${a.hw_address}" is not a MAC address (six hex octets, e.g. "02:00:00:00:00:01")`)
    else if (m === '00:00:00:00:00:00') err('hw_address', `"${a.hw_address}" must not be all zeros`)
  }
}

function checkRoute(r: Route, err: Report, warn: Report, ifaces: Map<string, Located<Interface>>) {
  const ifOk = checkName(r.outgoing_interface, 'outgoing_interface', 'outgoing_interface', err)
  const iface = ifOk ? ifaces.get(r.outgoing_interface!) : undefined
  if (ifOk && !iface) warn('outgoing_interface', `interface "${r.outgoing_interface}" is not defined in these files`, 'apply keeps this route pending until it is')
  let dst: Prefix | null = null
  if (!r.dst_network) err('dst_network', 'dst_network is required', 'e.g. "10.0.2.0/24", or "0.0.0.0/0" for a default route')
  else {
    dst = parsePrefix(r.dst_network)
    if (!dst) err('dst_network', `"${r.dst_network}" is not an IPv4 or IPv6 network`, 'e.g. "10.0.2.0/24"')
  }
  const scope = r.scope ?? 'UNDEFINED'
  if (!r.gw_addr) return
  if (r.gw_addr.includes('/')) return err('gw_addr', `gateway "${r.gw_addr}" must be an address without a mask`)
  const gw = parseAddr(r.gw_addr)
  if (!gw) return err('gw_addr', `"${r.gw_addr}" is not an IPv4 or IPv6 address`)
  if (scope === 'LINK' || scope === 'HOST') err('scope', `a route with scope ${scope} cannot have a gateway`, scope === 'LINK' ? 'drop gw_addr, or use scope GLOBAL' : 'drop gw_addr')
  if (dst && dst.family !== gw.family) err('gw_addr', `gateway ${r.gw_addr} is IPv${gw.family} but dst_network ${r.dst_network} is IPv${dst.family}`)
  if (isUnspecified(gw) || isMulticast(gw)) err('gw_addr', `gateway ${r.gw_addr} is not a unicast address`)
  // A gateway equal to a subnet's network or broadcast address is refused by the kernel. The link's own IPv4 address
  // is fine (the kernel takes it, and the vpp-agent's robot suite routes via it: linux_ip_route_crud.robot); IPv6
  // refuses its own ("Gateway can not be a local address").
  for (const a of iface?.item.ip_addresses ?? []) {
    const p = parsePrefix(a)
    if (!p || p.family !== gw.family) continue
    if (sameAddr(p, gw)) {
      if (p.family === 6) err('gw_addr', `gateway ${r.gw_addr} is the address of ${r.outgoing_interface} itself`, 'the kernel refuses an IPv6 gateway that is a local address')
    } else if (p.family === 4 && p.len <= 30) {
      const at = placeIn(p, gw)
      if (at === 'network') err('gw_addr', `gateway ${r.gw_addr} is the network address of ${a}`)
      else if (at === 'broadcast') err('gw_addr', `gateway ${r.gw_addr} is the broadcast address of ${a}`, 'the kernel refuses it ("Nexthop has invalid gateway")')
    }
  }
}

/** Rules across items of one namespace: unique host names, one link of a kind with a fixed host name (lo), and routes the kernel cannot hold twice. */
function checkPerNamespace(cfg: LoadedConfig, errors: ItemError[]) {
  const nsId = (i: Interface) => sameNamespaceId(nsOf(i))
  const hosts = new Map<string, Located<Interface>>()
  const loops = new Map<string, Located<Interface>>()
  const nsOfIface = new Map<string, string>()
  for (const l of cfg.interfaces) {
    if (l.bad || !l.item.name) continue
    const id = nsId(l.item)
    nsOfIface.set(l.item.name, id)
    const host = hostNameOf(l.item)
    const where = () => nsLabel(nsOf(l.item)) || 'the default namespace'
    const prev = hosts.get(`${id}/${host}`)
    // Two of a kind with a fixed host name (lo) are reported once, as two of that kind below.
    const fixed = kindOf(l.item.type)?.hostName
    if (prev && prev.item.name !== l.item.name && !(fixed && l.item.type === prev.item.type)) {
      const path = l.item.host_if_name ? 'host_if_name' : 'name'
      errors.push({file: l.file, key: l.key, path, src: fieldSource(l, path),
        message: `host name "${host}" is already used by ${prev.key} in ${where()}`, hint: 'host names are unique per namespace'})
    } else hosts.set(`${id}/${host}`, l)
    if (fixed) {
      const p = loops.get(`${id}/${l.item.type}`)
      if (p) errors.push({file: l.file, key: l.key, path: 'type', src: fieldSource(l, 'type'), message: `${where()} already has ${article(l.item.type!)}: ${p.key}`, hint: `one ${l.item.type} per namespace`})
      else loops.set(`${id}/${l.item.type}`, l)
    }
  }
  const routes = new Map<string, Located<Route>>()
  for (const l of cfg.routes) {
    if (l.bad || !l.item.outgoing_interface) continue
    const iface = l.item.outgoing_interface
    const dst = routeDst(l.item)
    const metric = routeMetric(l.item, dst)
    const id = `${nsOfIface.get(iface) ?? `?${iface}`}|${dst}|${metric}`
    const prev = routes.get(id)
    if (prev && prev.item.outgoing_interface !== iface) {
      errors.push({file: l.file, key: l.key, path: 'metric', src: fieldSource(l, 'metric'),
        message: `conflicts with ${prev.key}: same destination ${dst} and metric ${metric} in one namespace`,
        hint: 'the kernel keeps only one; give them different metrics'})
    } else routes.set(id, l)
  }
}

/** FD references to /run/netns/NAME (or /var/run/netns/NAME) name the same namespace as NSID NAME. */
function sameNamespaceId(n: {type: string; ref: string}): string {
  if (n.type === 'FD') {
    const m = n.ref.match(/^(?:\/var)?\/run\/netns\/([^/]+)$/)
    if (m) return `NSID:${m[1]}`
  }
  return `${n.type}:${n.ref}`
}
