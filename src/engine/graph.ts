// `lnx graph`: the observed topology as a plain model (namespaces as clusters, links as nodes, veth pairs as edges),
// plus what a config would add (pending, drawn dashed). buildGraph is pure (golden-tested); graph() reads the kernel
// and, given files, plans them. Drawing it is render/graph.ts (DOT, Mermaid) and render/svg.ts (Graphviz).
import {LnxError, type ItemError} from '../errors.js'
import {loadDesired} from '../config/index.js'
import {observe, type Observation, type OLink, type ORoute, type ObservedNs} from '../kernel/observe.js'
import {ownedView, ownership, parseAlias, routeOwned, type Ownership} from '../kernel/owned.js'
import type {DInterface, Desired} from '../model/types.js'
import {nsLabel} from '../model/types.js'
import {kindOf, kindOfKernel} from '../kinds/index.js'
import {isLinkLocal6, parsePrefix} from '../model/ip.js'
import {userAddrs} from './owned-config.js'
import {nsFilter} from './dump.js'
import {runDesired} from '../services/cli-run.js'
import {containerNamespaces} from './microservices.js'

export type GOwner = Ownership | 'pending'

export interface GNode {
  /** A safe identifier (letters, digits, _), unique in the graph. */
  id: string
  /** Host (kernel) name; for a pending interface the host name it will get. */
  name: string
  /** Logical name from the alias (owned, other label) or the config (pending). */
  logical?: string
  /** The label of another owner ("other"). */
  owner: GOwner
  otherLabel?: string
  kind: string
  state: 'up' | 'down' | 'pending'
  mtu?: number
  addresses: string[]
  tap: boolean
  /** Extra line: a pending reason, a peer that is not drawn. */
  note?: string
}

export interface GCluster {
  id: string
  /** Namespace label as lnx names it ("" = the namespace lnx runs in). */
  namespace: string
  /** Shown name ("default" for ""). */
  title: string
  /** Not in the kernel yet: the config places items in it. */
  pending: boolean
  nodes: GNode[]
  /** With --routes: one line per route. */
  routes?: string[]
  routesId?: string
}

export interface GEdge {
  from: string
  to: string
  kind: 'veth'
  pending: boolean
}

export interface GraphModel {
  label: string
  clusters: GCluster[]
  edges: GEdge[]
  /** Pending items that are not interfaces (routes, ARP entries, namespaces), with reasons. */
  pendingItems: {key: string; reason: string}[]
}

/** What planning said about a config: pending items with reasons, and the changes it would make. */
export interface PlanView {
  pending: {key: string; reason: string}[]
  changes: {action: string; kind: string; key: string; detail: string}[]
}

export interface BuildOptions {
  label: string
  /** Only these namespaces (labels as lnx names them: "" or "default" for the default one). */
  namespaces?: string[]
  managed?: boolean
  routes?: boolean
  desired?: Desired
  /** Without a plan, a desired interface with no owned link of its name is pending. */
  plan?: PlanView
}

/**
 * A safe identifier fragment: [A-Za-z0-9] kept, every other byte of the UTF-8 form as _xx (lower-case hex).
 * Injective, and never contains "__", so "__" can join fragments unambiguously.
 */
export function escapeId(s: string): string {
  let out = ''
  for (const ch of s) {
    if (/^[A-Za-z0-9]$/.test(ch)) out += ch
    else for (const b of Buffer.from(ch, 'utf8')) out += `_${b.toString(16).padStart(2, '0')}`
  }
  return out
}

const nsKey = (label: string) => (label === '' ? 'd' : `n${escapeId(label)}`)
export const clusterId = (label: string) => `ns_${nsKey(label)}`
export const linkId = (label: string, host: string) => `if_${nsKey(label)}__${escapeId(host)}`
export const pendingId = (label: string, logical: string) => `pend_${nsKey(label)}__${escapeId(logical)}`
export const routesId = (label: string) => `rt_${nsKey(label)}`

const title = (label: string) => (label === '' ? 'default' : label)
const where = (l: OLink) => `${l.name}@${title(l.ns.handle.label)}`

function linkNode(l: OLink, label: string): GNode {
  const own = ownership(l, label)
  const v = ownedView(l, label)
  const defaultMtu = kindOfKernel(l.kind)?.defaultMtu ?? 1500
  const node: GNode = {
    id: linkId(l.ns.handle.label, l.name),
    name: l.name,
    owner: own,
    kind: l.kind || 'link',
    state: l.up ? 'up' : 'down',
    addresses: userAddrs(l),
    tap: l.kind === 'tap',
  }
  if (v) node.logical = v.name
  if (own === 'other') {
    const m = parseAlias(l.alias)
    if (m) {
      node.otherLabel = m.label
      node.logical = m.name
    }
  }
  if (l.mtu && l.mtu !== defaultMtu) node.mtu = l.mtu
  return node
}

/** Routes worth drawing: unicast-like routes outside the local table, without the kernel's IPv6 link-local ones. */
function routeLines(ns: ObservedNs, managed: boolean): string[] {
  const skipType = new Set(['local', 'broadcast', 'multicast', 'anycast'])
  const out: string[] = []
  for (const r of ns.routes) {
    if (r.table === 'local' || skipType.has(r.type)) continue
    const p = parsePrefix(r.dst)
    if (r.family === 6 && p && isLinkLocal6(p)) continue
    if (managed && !routeOwned(r)) continue
    out.push(routeLine(r))
  }
  return out
}

export function routeLine(r: ORoute): string {
  const parts = [r.type !== 'unicast' ? `${r.type} ${r.dst}` : r.dst]
  if (r.gw) parts.push(`via ${r.gw}`)
  if (r.dev) parts.push(`dev ${r.dev}`)
  if (r.metric) parts.push(`metric ${r.metric}`)
  if (r.table !== 'main') parts.push(`table ${r.table}`)
  parts.push(routeOwned(r) ? '[lnx]' : `[${r.protocol}]`)
  return parts.join(' ')
}

/** Pure: observation (+ config and its plan) → graph model. */
export function buildGraph(obs: Observation, opts: BuildOptions): GraphModel {
  const label = opts.label
  const observedLabels = obs.namespaces.map((n) => n.handle.label)
  const desiredLabels = (opts.desired?.interfaces ?? []).map((d) => nsLabel(d.ns))
  const only = nsFilter(opts.namespaces, [...observedLabels, ...desiredLabels])
  if (only) {
    const unknown = only.filter((n) => !observedLabels.includes(n) && !desiredLabels.includes(n))
    if (unknown.length) {
      const known = [...new Set([...observedLabels, ...desiredLabels])].map(title).join(', ')
      throw new LnxError('INVALID', `no namespace ${unknown.map((n) => `"${title(n)}"`).join(', ')} (known: ${known})`, {hint: 'lnx namespace list shows them'})
    }
  }
  const shown = (ns: string) => !only || only.includes(ns)

  const clusters: GCluster[] = []
  const byNs = new Map<string, GCluster>()
  const cluster = (ns: string, pending: boolean): GCluster => {
    let c = byNs.get(ns)
    if (!c) {
      c = {id: clusterId(ns), namespace: ns, title: title(ns), pending, nodes: []}
      byNs.set(ns, c)
      clusters.push(c)
    }
    return c
  }

  // Observed links.
  const drawn = new Map<OLink, GNode>()
  for (const ns of obs.namespaces) {
    const lbl = ns.handle.label
    if (!shown(lbl)) continue
    const c = cluster(lbl, false)
    for (const l of ns.links) {
      if (opts.managed && ownership(l, label) !== 'owned') continue
      const n = linkNode(l, label)
      c.nodes.push(n)
      drawn.set(l, n)
    }
    if (opts.routes) {
      const lines = routeLines(ns, !!opts.managed)
      if (lines.length) {
        c.routes = lines
        c.routesId = routesId(lbl)
      }
    }
  }

  // Veth pairs between drawn ends; a peer that is not drawn is named on the node instead.
  const edges: GEdge[] = []
  const seen = new Set<string>()
  const addEdge = (a: string, b: string, pending: boolean) => {
    const k = [a, b].sort().join(' ')
    if (a === b || seen.has(k)) return
    seen.add(k)
    edges.push({from: a, to: b, kind: 'veth', pending})
  }
  for (const [l, n] of drawn) {
    if (l.kind !== 'veth') continue
    const pn = l.peer ? drawn.get(l.peer) : undefined
    if (pn) addEdge(n.id, pn.id, false)
    else if (l.peer) n.note = `peer ${where(l.peer)}`
    else if (l.peerUnknown) n.note = 'peer in a namespace lnx did not read'
  }

  // Pending: desired interfaces not (yet) in the kernel as this label's links.
  const pendingItems: {key: string; reason: string}[] = []
  if (opts.desired) {
    const ownedByName = new Map<string, GNode>()
    for (const [l, n] of drawn) {
      const v = ownedView(l, label)
      if (v && !ownedByName.has(v.name)) ownedByName.set(v.name, n)
    }
    const reasons = new Map((opts.plan?.pending ?? []).map((p) => [p.key, p.reason]))
    const creates = new Map((opts.plan?.changes ?? []).filter((c) => c.action === 'create' && c.kind === 'interface').map((c) => [c.key, c.detail]))
    const updates = new Map((opts.plan?.changes ?? []).filter((c) => c.action === 'update' && c.kind === 'interface').map((c) => [c.key, c.detail]))
    const ifaceKeys = new Set(opts.desired.interfaces.map((d) => d.key))
    const nodeOf = new Map<string, GNode>()
    for (const d of opts.desired.interfaces) {
      const ns = nsLabel(d.ns)
      const reason = reasons.get(d.key)
      const create = creates.get(d.key)
      const isPending = opts.plan ? reason !== undefined || create !== undefined : !ownedByName.has(d.name)
      if (!isPending) {
        const n = ownedByName.get(d.name)
        const update = updates.get(d.key)
        if (n && update && !n.note) n.note = `to update: ${update}`
        if (n) nodeOf.set(d.name, n)
        continue
      }
      if (!shown(ns)) continue
      const n = pendingNode(d, reason ?? (create ? `to create: ${create}` : 'not in the kernel yet'))
      // An EXISTING or TAP not adopted yet is drawn pending next to the foreign link it will take.
      cluster(ns, !observedLabels.includes(ns)).nodes.push(n)
      nodeOf.set(d.name, n)
    }
    for (const d of opts.desired.interfaces) {
      if (!kindOf(d.type)?.pair || !d.peer) continue
      const a = nodeOf.get(d.name)
      const b = nodeOf.get(d.peer)
      if (a && b && (a.owner === 'pending' || b.owner === 'pending')) addEdge(a.id, b.id, true)
    }
    for (const p of opts.plan?.pending ?? []) if (!ifaceKeys.has(p.key)) pendingItems.push({key: p.key, reason: p.reason})
  }

  if (opts.managed) {
    // Only namespaces that hold something lnx manages (or will).
    for (let i = clusters.length - 1; i >= 0; i--) if (!clusters[i].nodes.length && !clusters[i].routes?.length) clusters.splice(i, 1)
  }
  return {label, clusters, edges, pendingItems}
}

function pendingNode(d: DInterface, reason: string): GNode {
  const k = kindOf(d.type)
  const kind = k?.graph.label(d) ?? d.type.toLowerCase()
  return {
    id: pendingId(nsLabel(d.ns), d.name),
    name: d.hostName,
    logical: d.name,
    owner: 'pending',
    kind,
    state: 'pending',
    addresses: [...d.addresses],
    tap: k?.graph.shape === 'hexagon',
    note: reason,
  }
}

export interface GraphOptions {
  label: string
  namespaces?: string[]
  managed?: boolean
  routes?: boolean
  files?: string[]
}

export interface GraphOutput {
  model: GraphModel
  warnings: ItemError[]
}

/** Reads the kernel (and plans the files, if any) into a graph model. */
export async function graph(opts: GraphOptions): Promise<GraphOutput> {
  let desired: Desired | undefined
  let plan: PlanView | undefined
  let warnings: ItemError[] = []
  let obs: Observation | undefined
  const containers = await containerNamespaces()
  warnings.push(...containers.warnings.map((message) => ({file: '', key: '', path: '', message})))
  if (opts.files?.length) {
    const loaded = await loadDesired(opts.files)
    desired = loaded.desired
    warnings.push(...loaded.warnings)
    try {
      const out = await runDesired(desired, {label: opts.label, mode: 'plan', alsoObserve: containers.handles})
      plan = {pending: out.result.pending, changes: out.result.changes}
      obs = out.obs
    } catch (e) {
      // A collision is a reason to look at the picture: draw what is missing without the planner's reasons.
      if (!(e instanceof LnxError) || e.code !== 'COLLISION') throw e
      warnings.push({file: '', key: e.key ?? '', path: '', message: `cannot plan: ${e.message}`})
    }
  }
  obs ??= await observe({extra: containers.handles})
  return {model: buildGraph(obs, {label: opts.label, namespaces: opts.namespaces, managed: opts.managed, routes: opts.routes, desired, plan}), warnings}
}
