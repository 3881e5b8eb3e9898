// Reading the kernel: one `ip -d -j -batch -` process per namespace (links with addresses, routes of every table
// but the kernel's local one, neighbours, netns ids), namespaces read concurrently, parsed into plain objects the
// planner diffs against.
import {LnxError} from '../errors.js'
import {LNX_GROUP, LNX_PROTO} from '../model/keys.js'
import {normalizeAddr, normalizeCidr, normalizeNetwork} from '../model/ip.js'
import {DEFAULT_HANDLE, namedHandle, nsId, nsIdNow, scanNamed, scanNamedNow} from './namespaces.js'
import {ipBatch, ipBatchGroup, runTool, type NsHandle} from './run.js'

export interface OAddr {
  cidr: string
  family: 4 | 6
  secondary: boolean
  /** Kernel-made IPv6 link-local address: never diffed. */
  auto: boolean
}

export interface OLink {
  ns: ObservedNs
  ifindex: number
  name: string
  /** veth, tun, tap (tun with info_data.type tap), loopback, bridge, dummy, … ("" when unknown). */
  kind: string
  up: boolean
  /** The kernel's operstate: UP, DOWN, LOWERLAYERDOWN, UNKNOWN, … */
  oper: string
  mtu: number
  maxMtu?: number
  mac: string
  alias?: string
  group: string
  addresses: OAddr[]
  linkIndex?: number
  linkNetnsid?: number
  peer?: OLink
  /** Set when the peer lives in a namespace lnx did not read. */
  peerUnknown?: boolean
  master?: string
}

export interface ORoute {
  ns: ObservedNs
  family: 4 | 6
  type: string
  dst: string
  gw?: string
  dev?: string
  metric: number
  table: string
  protocol: string
  scope: string
  raw: Record<string, unknown>
}

export interface ONeigh {
  ns: ObservedNs
  ip: string
  mac?: string
  dev: string
  permanent: boolean
  protocol: string
  state: string[]
}

/** What one namespace held when lnx read it (the namespace types: engine/plan/namespaces.ts). */
export interface ObservedNs {
  handle: NsHandle
  id: string
  links: OLink[]
  routes: ORoute[]
  neighs: ONeigh[]
  /** nsid → namespace name (undefined for an unnamed one). */
  nsids: Map<number, string | undefined>
  /** The four JSON arrays it was parsed from, kept on request (a --try journal stores the pre-run observation). */
  reads?: any[][]
}

export interface Observation {
  namespaces: ObservedNs[]
  /** Files in /run/netns that are not namespaces (skipped; see namespaces.ts). */
  strays?: string[]
  byLabel: Map<string, ObservedNs>
  byId: Map<string, ObservedNs>
}

export const isLnxGroup = (l: OLink) => l.group === String(LNX_GROUP)
export const isLnxProto = (p: string) => p === String(LNX_PROTO)

/** The read lines of one namespace; the executor appends them to a last change batch to verify in the same process. */
export const READ = ['addr show', 'route show table all', 'neigh show', 'netns list-id']
export const handleKey = (h: NsHandle) => `${h.label}\u0000${h.path}`

/** A namespace read ahead of its observation: its id when read (a namespace replaced since is read again). */
export type ReadAhead = Map<string, {id: string; reads: any[][]}>

/** Reads every named namespace plus the default one and any extra handles (PID/FD references of a config). */
export async function observe(opts: {extra?: NsHandle[]; only?: string[]; preread?: Map<string, ObservedNs>; ahead?: ReadAhead | null; keepReads?: boolean} = {}): Promise<Observation> {
  const {named, strays} = await scanNamed()
  let handles: NsHandle[] = [DEFAULT_HANDLE, ...named.map(namedHandle), ...(opts.extra ?? [])]
  if (opts.only) handles = handles.filter((h) => opts.only!.includes(h.label))
  const todo = await identify(handles)
  // What was read before, of the namespace that is there now: parsed (an execution's read-back) or not (read ahead).
  const parsed = (h: NsHandle, id: string) => {
    const p = opts.preread?.get(handleKey(h))
    return p && p.id === id ? p : undefined
  }
  const ahead = (h: NsHandle, id: string) => {
    const a = opts.ahead?.get(handleKey(h))
    return a && a.id === id ? a.reads : undefined
  }
  const left = todo.filter(({h, id}) => !parsed(h, id) && !ahead(h, id))
  // The default and the named namespaces are read by `ip netns exec` children of a few `ip -batch` processes:
  // iproute2 forks them, not lnx, whose fork of a large heap costs several times the read itself. Any doubt about
  // that output (a failed line, a namespace gone meanwhile, an unexpected count) falls back to one read per namespace.
  const grouped = await readGrouped(left.map(({h}) => h).filter((h) => h.isDefault || h.name))
  const namespaces = await mapLimit(todo, 4, ({h, id}) => {
    const done = parsed(h, id)
    if (done) return Promise.resolve(done)
    const pre = ahead(h, id) ?? grouped?.get(h)
    if (pre) {
      const ns = parseNamespace(h, id, pre)
      if (opts.keepReads) ns.reads = pre
      return Promise.resolve(ns)
    }
    return readNamespace(h, id, opts.keepReads)
  })
  const obs = assemble(namespaces.filter((n): n is ObservedNs => !!n))
  if (strays.length) obs.strays = strays
  return obs
}

/**
 * Reads appended to batches (READ after a namespace's last lines, the namespaces in order): each namespace parsed as
 * soon as its four arrays are in — while the kernel still works on the batches after it — into `into`, by handle key.
 * done() tells whether all of them came; when not, it removes what it added (the verification reads again).
 */
export function parseReadBack(handles: NsHandle[], into: Map<string, ObservedNs>): {onLine: (line: string) => void; done: (ok: boolean) => boolean} {
  let arrays: any[][] = []
  let k = 0
  let bad = false
  return {
    onLine(line) {
      if (bad || !line.startsWith('[')) return
      try {
        arrays.push(JSON.parse(line))
        if (arrays.length < READ.length) return
        const h = handles[k++]
        const id = h ? nsIdNow(h.path) : null
        if (!h || !id) throw new Error('unexpected read')
        into.set(handleKey(h), parseNamespace(h, id, arrays))
        arrays = []
      } catch {
        bad = true
      }
    },
    done(ok) {
      if (ok && !bad && k === handles.length && !arrays.length) return true
      for (const h of handles) into.delete(handleKey(h))
      return false
    },
  }
}

/** Each handle with its namespace's id; one handle per namespace (the first), gone ones dropped. */
async function identify(handles: NsHandle[]): Promise<{h: NsHandle; id: string}[]> {
  return firstPerNamespace(handles, await Promise.all(handles.map((h) => nsId(h.path))))
}

function firstPerNamespace(handles: NsHandle[], ids: (string | null)[]): {h: NsHandle; id: string}[] {
  const seen = new Set<string>()
  const todo: {h: NsHandle; id: string}[] = []
  handles.forEach((h, i) => {
    const id = ids[i]
    if (!id || seen.has(id)) return
    seen.add(id)
    todo.push({h, id})
  })
  return todo
}

/**
 * Reads the default and every named namespace for an observation to come (observe's `ahead`). The processes are
 * started before this returns, without giving up the thread: a CLI run starts them before it reads and validates the
 * config (synchronous work), so the reads run beside it, forked while lnx's heap is still small. Resolves null when
 * any of it is in doubt (observe then reads as usual).
 */
export function readAhead(): Promise<ReadAhead | null> {
  try {
    const {named} = scanNamedNow()
    const handles = [DEFAULT_HANDLE, ...named.map(namedHandle)]
    const todo = firstPerNamespace(handles, handles.map((h) => nsIdNow(h.path)))
    return readGrouped(todo.map(({h}) => h)).then((grouped) => {
      if (!grouped) return null
      const out: ReadAhead = new Map()
      for (const {h, id} of todo) {
        const reads = grouped.get(h)
        if (reads) out.set(handleKey(h), {id, reads})
      }
      return out
    }, () => null)
  } catch {
    return Promise.resolve(null)
  }
}

/** Parsed namespaces → an Observation: indexed by label and id, veth peers resolved across them. */
export function assemble(namespaces: ObservedNs[]): Observation {
  const obs: Observation = {namespaces, byLabel: new Map(), byId: new Map()}
  for (const n of namespaces) {
    obs.byLabel.set(n.handle.label, n)
    obs.byId.set(n.id, n)
  }
  resolvePeers(obs)
  return obs
}

async function mapLimit<T, R>(xs: T[], limit: number, f: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(xs.length)
  let next = 0
  const worker = async () => {
    while (next < xs.length) {
      const i = next++
      out[i] = await f(xs[i])
    }
  }
  await Promise.all(Array.from({length: Math.min(limit, xs.length)}, worker))
  return out
}

/**
 * How many `ip -batch` parents read the named namespaces side by side (each runs its children one by one). A read is
 * mostly waiting — each `netns exec` child unshares and tears down a mount namespace (RCU grace periods) — so
 * processes overlap well: 50 namespaces took ≈ 400 ms with 2 parents, ≈ 300 ms with 4, ≈ 250 ms with 8 (loaded
 * 2-core host). Four, forked while the heap is small (read ahead), is the balance with the number of processes.
 */
const READ_GROUPS = 4

/**
 * The four JSON arrays of the default namespace (read by the first parent itself) and of each named one, read by a
 * few processes whose output goes through files; null when any of it is in doubt.
 */
async function readGrouped(handles: NsHandle[]): Promise<Map<NsHandle, any[][]> | null> {
  const def = handles.find((h) => h.isDefault)
  const named = handles.filter((h) => h.name && !h.isDefault)
  if (!named.length || named.length + (def ? 1 : 0) < 2) return null
  const size = Math.ceil(named.length / Math.min(READ_GROUPS, named.length))
  const groups: NsHandle[][] = []
  for (let i = 0; i < named.length; i += size) groups.push(named.slice(i, i + size))
  try {
    const results = await Promise.all(groups.map((g, gi) => ipBatchGroup(g.map((h) => ({name: h.name!, lines: READ})), {force: true, json: true, details: true, toFile: true, ...(gi === 0 && def ? {own: READ} : {})})))
    const out = new Map<NsHandle, any[][]>()
    for (const [gi, r] of results.entries()) {
      if (!r || r.children.some((c) => c.state !== 'ok')) return null
      const members = gi === 0 && def ? [def, ...groups[gi]] : groups[gi]
      const lines = r.stdout.split('\n').filter((l) => l.startsWith('['))
      if (lines.length !== members.length * READ.length) return null
      members.forEach((h, i) => out.set(h, lines.slice(i * READ.length, (i + 1) * READ.length).map((l) => JSON.parse(l))))
    }
    return out
  } catch (e) {
    if (e instanceof LnxError && e.code === 'MISSING_TOOL') throw e
    return null
  }
}

async function readNamespace(h: NsHandle, id: string, keepReads = false): Promise<ObservedNs | null> {
  const r = await ipBatch(h, READ, {json: true, details: true, force: true})
  const lines = r.stdout.split('\n').filter((l) => l.trim().startsWith('['))
  if (lines.length < 4) {
    // A namespace removed between listing and reading is simply gone.
    if (!h.isDefault && !(await nsId(h.path))) return null
    const msg = r.failure?.message ?? 'unexpected output'
    if (/Operation not permitted|Permission denied/.test(msg)) throw new LnxError('NOT_PERMITTED', `cannot read namespace ${h.label || '(default)'}: ${msg}`, {hint: 'run as root (CAP_SYS_ADMIN + CAP_NET_ADMIN)'})
    throw new LnxError('KERNEL', `cannot read namespace ${h.label || '(default)'}: ${msg}`)
  }
  const reads = lines.map((l) => JSON.parse(l))
  const ns = parseNamespace(h, id, reads)
  if (keepReads) ns.reads = reads
  return ns
}

/**
 * Pure: the four JSON arrays of one namespace → model. Exported for golden tests on captured dumps. It runs for every
 * link, address, route and neighbour of a host on each read, so IPv4 text is taken as the kernel prints it: iproute2
 * prints dotted quads (inet_ntop), routes network-aligned (the kernel refuses others) — the canonical form the
 * normalize* functions would return. So is an IPv6 address that does not start with a zero group (no "::"/IPv4
 * forms up front: inet_ntop and formatAddr both follow RFC 5952 there), as a link-local one; others are normalized.
 */
export function parseNamespace(h: NsHandle, id: string, [links, routes, neighs, nsids]: any[][]): ObservedNs {
  const ns: ObservedNs = {handle: h, id, links: [], routes: [], neighs: [], nsids: new Map()}
  let byName: Map<string, number> | undefined
  for (const l of links) {
    if (!l || l.ifindex === undefined) continue
    const info = l.linkinfo ?? {}
    let kind: string = info.info_kind ?? (l.link_type === 'loopback' ? 'loopback' : '')
    if (kind === 'tun' && info.info_data?.type === 'tap') kind = 'tap'
    const addresses: OAddr[] = []
    for (const a of l.addr_info ?? []) {
      if (a.family === 'inet') addresses.push({cidr: `${a.local}/${a.prefixlen}`, family: 4, secondary: !!a.secondary, auto: false})
      else if (a.family === 'inet6') {
        // Only IPv6 link-local addresses (fe80::/10) can be the kernel's own.
        const linkLocal = a.scope === 'link' && LINK_LOCAL6.test(a.local)
        const raw = `${a.local}/${a.prefixlen}`
        addresses.push({cidr: linkLocal ? raw : normalizeCidr(raw) ?? raw, family: 6, secondary: !!a.secondary, auto: linkLocal && !a.permanent})
      }
    }
    // Both ends in one namespace: ip -json names the peer ("link") instead of giving link_index.
    let linkIndex: number | undefined = l.link_index
    if (linkIndex === undefined && l.link && l.link_netnsid === undefined) {
      byName ??= new Map(links.filter((x: any) => x && x.ifname !== undefined).map((x: any) => [x.ifname, x.ifindex]))
      linkIndex = byName.get(l.link)
    }
    ns.links.push({
      ns,
      ifindex: l.ifindex,
      name: l.ifname,
      kind,
      up: (l.flags ?? []).includes('UP'),
      oper: String(l.operstate ?? 'UNKNOWN'),
      mtu: l.mtu,
      maxMtu: l.max_mtu || undefined,
      mac: (l.address ?? '').toLowerCase(),
      alias: l.ifalias || undefined,
      group: String(l.group ?? 'default'),
      addresses,
      linkIndex,
      linkNetnsid: l.link_netnsid,
      master: l.master,
    })
  }
  for (const r of routes) {
    // The local table is the kernel's own (local, broadcast, multicast entries per address and link): nothing lnx
    // plans, collides with or shows — skipped here, where half of a big host's routes would be parsed for nothing.
    if (!r || !r.dst || r.table === 'local') continue
    const gw: string | undefined = r.gateway
    const family: 4 | 6 = r.dst.includes(':') || (gw ?? '').includes(':') ? 6 : 4
    const dst = r.dst === 'default' ? (family === 6 ? '::/0' : '0.0.0.0/0')
      : family === 4 ? (r.dst.includes('/') ? r.dst : `${r.dst}/32`)
      : normalizeNetwork(r.dst.includes('/') ? r.dst : `${r.dst}/128`) ?? r.dst
    ns.routes.push({
      ns,
      family,
      type: r.type ?? 'unicast',
      dst,
      gw: gw === undefined ? undefined : family === 4 ? gw : normalizeAddr(gw) ?? gw,
      dev: r.dev,
      metric: r.metric ?? 0,
      table: String(r.table ?? 'main'),
      protocol: String(r.protocol ?? 'boot'),
      scope: r.scope ?? 'global',
      raw: r,
    })
  }
  for (const n of neighs) {
    if (!n || !n.dst || !n.dev) continue
    const state: string[] = n.state ?? []
    ns.neighs.push({
      ns,
      ip: n.dst.includes(':') ? normalizeAddr(n.dst) ?? n.dst : n.dst,
      mac: n.lladdr?.toLowerCase(),
      dev: n.dev,
      permanent: state.includes('PERMANENT'),
      protocol: String(n.protocol ?? '0'),
      state,
    })
  }
  for (const x of nsids) if (x && x.nsid !== undefined) ns.nsids.set(x.nsid, x.name)
  return ns
}

/** An fe80::/10 address as inet_ntop prints it (its first group never zero: four lowercase hex digits). */
const LINK_LOCAL6 = /^fe[89ab][0-9a-f]:/

/** Pairs veth ends across namespaces: link_netnsid names the peer's namespace (when it has a name), link_index its ifindex. */
export function resolvePeers(obs: Observation) {
  for (const ns of obs.namespaces) {
    for (const l of ns.links) {
      if (l.kind !== 'veth' || l.peer || l.linkIndex === undefined) continue
      let candidates: ObservedNs[]
      if (l.linkNetnsid === undefined) candidates = [ns]
      else {
        const name = ns.nsids.get(l.linkNetnsid)
        const named = name !== undefined ? obs.byLabel.get(name) : undefined
        candidates = named ? [named] : obs.namespaces.filter((o) => o !== ns && !o.handle.name)
      }
      for (const c of candidates) {
        const p = c.links.find((x) => x.kind === 'veth' && x.ifindex === l.linkIndex && x !== l && (x.linkIndex === l.ifindex))
        if (p) {
          l.peer = p
          p.peer = l
          break
        }
      }
      if (!l.peer) l.peerUnknown = true
    }
  }
}

/** The rules every namespace starts with; any other is someone's (lnx makes none). */
const DEFAULT_RULES = new Set(['4|0|local', '4|32766|main', '4|32767|default', '6|0|local', '6|32766|main'])

/**
 * Policy-routing rules of a namespace beyond the kernel's defaults, described for a message (`prio 100 from
 * 10.5.0.0/16 lookup 100`). Read only where lnx is about to remove a namespace.
 */
export async function foreignRules(h: NsHandle): Promise<string[]> {
  const out: string[] = []
  for (const fam of ['4', '6'] as const) {
    const r = await runTool('ip', [`-${fam}`, '-json', 'rule', 'show'], {ns: h})
    if (r.exitCode !== 0) throw new LnxError('KERNEL', `cannot read the rules of namespace ${h.label || '(default)'}: ${r.stderr.trim()}`)
    for (const x of JSON.parse(r.stdout || '[]') as Record<string, unknown>[]) {
      const plain = Object.keys(x).every((k) => k === 'priority' || k === 'src' || k === 'table') && x.src === 'all'
      if (plain && DEFAULT_RULES.has(`${fam}|${x.priority}|${x.table}`)) continue
      const part = (k: string, len: string) => (x[k] !== undefined && x[k] !== 'all' ? ` ${k === 'src' ? 'from' : 'to'} ${x[k]}${x[len] !== undefined ? `/${x[len]}` : ''}` : '')
      const rest = Object.entries(x).filter(([k]) => !['priority', 'src', 'srclen', 'dst', 'dstlen', 'table'].includes(k)).map(([k, v]) => ` ${k} ${typeof v === 'object' ? JSON.stringify(v) : v}`).join('')
      out.push(`rule prio ${x.priority}${part('src', 'srclen')}${part('dst', 'dstlen')}${rest} lookup ${x.table}`)
    }
  }
  return out
}
