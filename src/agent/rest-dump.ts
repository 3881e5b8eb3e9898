// The vpp-agent's REST dumps of the Linux plugins, in its encoding (docs/reference/vpp-agent-northbound.md §2):
// Go's encoding/json of its linuxcalls structs — snake_case json tags with omitempty, enums as numbers, the link
// oneof as "Link": {"Veth": …}, metadata without omitempty, an empty list as null, HTML characters escaped,
// two-space indent and a final newline. The kernel is read raw (`ip -N -s -d -j`), one process per namespace.
import type {NsRef} from '../model/types.js'
import {parseNamespace, type ObservedNs} from '../kernel/observe.js'
import {DEFAULT_HANDLE, listNamed, namedHandle, nsId} from '../kernel/namespaces.js'
import {ownedView, type OwnedLink} from '../kernel/owned.js'
import {runTool, type NsHandle} from '../kernel/run.js'
import {Interface_Type_VALUES} from '../model/generated.js'
import {kindOf} from '../kinds/index.js'

/** Enums as numbers: the proto's own (Interface_Type_VALUES). */
const TYPE_NUM = Interface_Type_VALUES
const NS_TYPE: Record<NsRef['type'], number> = {DEFAULT: 0, NSID: 1, PID: 2, FD: 3, MICROSERVICE: 4}
const OPER: Record<string, number> = {UNKNOWN: 0, NOTPRESENT: 1, DOWN: 2, LOWERLAYERDOWN: 3, TESTING: 4, DORMANT: 5, UP: 6}
const IFF: Record<string, number> = {
  UP: 0x1, BROADCAST: 0x2, DEBUG: 0x4, LOOPBACK: 0x8, POINTOPOINT: 0x10, NOTRAILERS: 0x20, NOARP: 0x80, PROMISC: 0x100,
  ALLMULTI: 0x200, MASTER: 0x400, SLAVE: 0x800, MULTICAST: 0x1000, PORTSEL: 0x2000, AUTOMEDIA: 0x4000, DYNAMIC: 0x8000,
  LOWER_UP: 0x10000, DORMANT: 0x20000, ECHO: 0x40000,
}
const PROTO: Record<string, number> = {unspec: 0, redirect: 1, kernel: 2, boot: 3, static: 4, ra: 9, dhcp: 16}

/** encoding/json with SetIndent("", "  ") and HTML escaping, as the vpp-agent's REST formatter writes it. */
export function goJson(v: unknown): string {
  const s = JSON.stringify(v ?? null, null, 2)
  return `${s.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`
}

/** ifi_flags as the kernel keeps them: iproute2 prints NO-CARRIER instead of RUNNING. */
export function rawFlags(flags: string[]): number {
  let f = 0
  for (const n of flags) f |= IFF[n] ?? 0
  if (flags.includes('UP') && !flags.includes('NO-CARRIER')) f |= 0x40
  return f
}

interface NsRead {
  ns: ObservedNs
  raw: {links: any[]; routes: any[]; neighs: any[]}
  owned: {view: OwnedLink; raw: any}[]
}

export interface DumpSource {
  label: string
  /** Namespace references as configured, by logical interface name (what the dump reports as "namespace"). */
  configuredNs: (name: string) => NsRef | undefined
  /** Extra namespaces to read (PID/FD references of the desired items). */
  extra: NsHandle[]
}

async function readOne(h: NsHandle, label: string): Promise<NsRead | null> {
  const id = await nsId(h.path)
  if (!id) return null
  const lines = ['addr show', 'route show table all', 'neigh show nud all', 'netns list-id']
  const r = await runTool('ip', ['-N', '-s', '-d', '-j', '-force', '-batch', '-'], {ns: h, input: `${lines.join('\n')}\n`})
  const arrays = r.stdout.split('\n').filter((l) => l.trim().startsWith('[')).map((l) => JSON.parse(l))
  if (arrays.length < 4) return null
  const ns = parseNamespace(h, id, arrays)
  const byIndex = new Map(arrays[0].filter((l: any) => l?.ifindex !== undefined).map((l: any) => [l.ifindex, l]))
  const owned = ns.links.flatMap((l) => {
    const view = ownedView(l, label)
    return view ? [{view, raw: byIndex.get(l.ifindex)}] : []
  })
  return {ns, raw: {links: arrays[0], routes: arrays[1], neighs: arrays[2]}, owned}
}

/** Every namespace lnx can see (default first), with the links this label owns. */
export async function readOwned(src: DumpSource): Promise<NsRead[]> {
  const handles = [DEFAULT_HANDLE, ...(await listNamed()).map(namedHandle), ...src.extra]
  const seen = new Set<string>()
  const out: NsRead[] = []
  for (const h of handles) {
    const id = await nsId(h.path)
    if (!id || seen.has(id)) continue
    seen.add(id)
    const r = await readOne(h, src.label)
    if (r && r.owned.length) out.push(r)
  }
  return out
}

function nsOf(src: DumpSource, r: NsRead, name: string): Record<string, unknown> | undefined {
  const ref = src.configuredNs(name) ?? (r.ns.handle.isDefault ? undefined : r.ns.handle.name ? {type: 'NSID' as const, ref: r.ns.handle.name} : {type: 'FD' as const, ref: r.ns.handle.path})
  if (!ref || ref.type === 'DEFAULT') return undefined
  return {type: NS_TYPE[ref.type], reference: ref.ref}
}

async function offloadOff(h: NsHandle, dev: string): Promise<{rx: boolean; tx: boolean}> {
  const r = await runTool('ethtool', ['--json', '-k', dev], {ns: h}).catch(() => null)
  if (!r || r.exitCode !== 0) return {rx: false, tx: false}
  try {
    const j = JSON.parse(r.stdout)[0]
    return {rx: j?.['rx-checksumming']?.active === false, tx: j?.['tx-checksumming']?.active === false}
  } catch {
    return {rx: false, tx: false}
  }
}

/** `ip -N` prints the ARPHRD number ("[1]"); netlink's EncapType names it. */
const ARPHRD: Record<string, string> = {1: 'ether', 772: 'loopback', 65534: 'none', 768: 'ipip', 776: 'sit', 778: 'gre', 823: 'ip6gre'}
const encap = (t: unknown) => {
  const m = String(t ?? '').match(/^\[(\d+)\]$/)
  return m ? ARPHRD[m[1]] ?? 'unknown' : String(t ?? '')
}

const peerIndex = (raw: any, links: any[]) => raw.link_index ?? (raw.link ? links.find((x) => x?.ifname === raw.link)?.ifindex ?? 0 : 0)

export async function dumpInterfaces(src: DumpSource, reads?: NsRead[]): Promise<unknown[] | null> {
  const out: unknown[] = []
  for (const r of reads ?? (await readOwned(src))) {
    for (const {view, raw} of r.owned) {
      // The vpp-agent lists only links whose alias carries its prefix: EXISTING links (which it never marks; lnx's
      // own mark on them is one no vpp-agent reads) are absent from its interface dump, and from this one.
      if (kindOf(view.type)?.alias?.existingMark) continue
      const flags: string[] = raw.flags ?? []
      const iface: Record<string, unknown> = {name: view.name, type: TYPE_NUM[view.type]}
      const ns = nsOf(src, r, view.name)
      if (ns) iface.namespace = ns
      iface.host_if_name = raw.ifname
      if (flags.includes('UP')) iface.enabled = true
      const addrs = (raw.addr_info ?? []).filter((a: any) => (a.family === 'inet' || a.family === 'inet6') && a.scope !== 'link' && a.scope !== '253').map((a: any) => `${a.local}/${a.prefixlen}`)
      if (addrs.length) iface.ip_addresses = addrs
      if (raw.address) iface.phys_address = String(raw.address).toLowerCase()
      if (raw.mtu) iface.mtu = raw.mtu
      const link = await kindOf(view.type)?.restLink?.(view, () => offloadOff(r.ns.handle, raw.ifname))
      if (link) iface.Link = link
      out.push({
        interface: iface,
        interface_meta: {
          linux_if_index: raw.ifindex,
          parent_index: peerIndex(raw, r.raw.links),
          master_index: raw.master ? r.raw.links.find((x) => x?.ifname === raw.master)?.ifindex ?? 0 : 0,
          oper_state: OPER[raw.operstate] ?? 0,
          flags: rawFlags(flags),
          encapsulation: encap(raw.link_type),
          num_rx_queue: raw.num_rx_queues ?? 0,
          num_tx_queue: raw.num_tx_queues ?? 0,
          tx_queue_len: raw.txqlen ?? 0,
        },
      })
    }
  }
  return out.length ? out : null
}

export async function dumpStats(src: DumpSource): Promise<unknown[] | null> {
  const out: unknown[] = []
  for (const r of await readOwned(src)) {
    for (const {view, raw} of r.owned) {
      const s = raw.stats64 ?? {rx: {}, tx: {}}
      out.push({
        interface_name: view.name,
        interface_type: TYPE_NUM[view.type],
        linux_if_index: raw.ifindex,
        rx_packets: s.rx.packets ?? 0,
        tx_packets: s.tx.packets ?? 0,
        rx_bytes: s.rx.bytes ?? 0,
        tx_bytes: s.tx.bytes ?? 0,
        rx_errors: s.rx.errors ?? 0,
        tx_errors: s.tx.errors ?? 0,
        // The vpp-agent fills these two crosswise (dump_interface_linuxcalls.go); kept for byte compatibility.
        rx_dropped: s.tx.dropped ?? 0,
        tx_dropped: s.rx.dropped ?? 0,
      })
    }
  }
  return out.length ? out : null
}

const num = (v: unknown, names: Record<string, number> = {}) => (v === undefined ? undefined : /^\d+$/.test(String(v)) ? Number(v) : names[String(v)])

function dstOf(rt: any): string {
  const v6 = String(rt.dst).includes(':') || rt.family === 'inet6'
  if (rt.dst === 'default') return v6 ? '::/0' : '0.0.0.0/0'
  return String(rt.dst).includes('/') ? rt.dst : `${rt.dst}/${v6 ? 128 : 32}`
}

const isV6LinkLocalDst = (dst: string) => /^fe[89ab][0-9a-f]?:/i.test(dst)

export async function dumpRoutes(src: DumpSource, reads?: NsRead[]): Promise<unknown[] | null> {
  const out: unknown[] = []
  for (const r of reads ?? (await readOwned(src))) {
    for (const {view, raw} of r.owned) {
      for (const rt of r.raw.routes) {
        if (!rt || rt.dev !== raw.ifname) continue
        const table = num(rt.table, {main: 254, local: 255, default: 253}) ?? 254
        if (table !== 254) continue
        const dst = dstOf(rt)
        if (isV6LinkLocalDst(dst)) continue
        const route: Record<string, unknown> = {outgoing_interface: view.name, dst_network: dst}
        if (rt.gateway) route.gw_addr = rt.gateway
        if (rt.metric) route.metric = rt.metric
        const mtu = (rt.metrics ?? []).find((m: any) => m?.mtu !== undefined)?.mtu ?? 0
        out.push({Route: route, Meta: {interface_index: raw.ifindex, link_scope: num(rt.scope, {global: 0, universe: 0, site: 200, link: 253, host: 254}) ?? 0, protocol: num(rt.protocol, PROTO) ?? 3, mtu, table}})
      }
    }
  }
  return out.length ? out : null
}

const isLinkLocalMulticast = (ip: string) => /^224\.0\.0\./.test(ip) || /^ff02:/i.test(ip)

export async function dumpArps(src: DumpSource, reads?: NsRead[]): Promise<unknown[] | null> {
  const out: unknown[] = []
  for (const r of reads ?? (await readOwned(src))) {
    for (const {view, raw} of r.owned) {
      for (const n of r.raw.neighs) {
        if (!n || n.dev !== raw.ifname || isLinkLocalMulticast(n.dst)) continue
        const arp: Record<string, unknown> = {interface: view.name, ip_address: n.dst}
        if (n.lladdr) arp.hw_address = String(n.lladdr).toLowerCase()
        out.push({linux_arp: arp, linux_arp_meta: {interface_index: raw.ifindex, ip_family: String(n.dst).includes(':') ? 10 : 2, vni: 0}})
      }
    }
  }
  return out.length ? out : null
}
