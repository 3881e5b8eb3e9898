// The planner: desired model × observed kernel → ordered changes (with their iproute2 lines and the lines that
// undo them), pending items with reasons, and collisions. Pure: it runs nothing.
import {LnxError, type ItemError} from '../errors.js'
import type {DArp, DInterface, DRoute, Desired, NsRef} from '../model/types.js'
import {nsLabel} from '../model/types.js'
import {addressKey, LNX_GROUP, namespaceKey} from '../model/keys.js'
import {contains, isLinkLocal6, parseAddr, parsePrefix, network, formatPrefix} from '../model/ip.js'
import type {Observation, ObservedNs, OLink, ONeigh, ORoute} from '../kernel/observe.js'
import {isLnxGroup} from '../kernel/observe.js'
import {aliasFor, neighOwned, ownedView, ownership, parseAlias, routeOwned, UNCONFIGURED, type OwnedLink} from '../kernel/owned.js'
import {DEFAULT_HANDLE, namedHandle} from '../kernel/namespaces.js'
import {wrap, type NsHandle} from '../kernel/run.js'
import {L, type LinkEnd} from './lines.js'
import {vppTapCandidates} from '../model/names.js'

/**
 * teardown: routes, neighbours, addresses going away, taps moved out; unlink: link deletions — after every
 * namespace's teardown, since deleting a veth end also removes its peer in another namespace.
 */
export type Phase = 'teardown' | 'unlink' | 'namespaces' | 'links' | 'configure' | 'tools' | 'l3' | 'cleanup'
export const PHASES: Phase[] = ['teardown', 'unlink', 'namespaces', 'links', 'configure', 'tools', 'l3', 'cleanup']

export interface Cmd {
  ns: NsHandle
  phase: Phase
  /** An `ip -batch` line, or a tool run as its own process. */
  line?: string
  tool?: {cmd: 'sysctl' | 'ethtool'; args: string[]}
  /** What puts things back as they were, should the run fail after this command. */
  undo: Cmd[]
  key: string
  /** Runs after the other commands of its phase and namespace (a group delete after the group marks). */
  late?: boolean
}

export type Action = 'create' | 'update' | 'delete'
export type Kind = 'namespace' | 'interface' | 'address' | 'route' | 'arp'

export interface Change {
  action: Action
  kind: Kind
  key: string
  namespace: string
  detail: string
  drift?: boolean
  cmds: Cmd[]
}

export interface Pending {
  key: string
  reason: string
}

export interface Plan {
  changes: Change[]
  pending: Pending[]
  unchanged: number
  warnings: string[]
  /** Without --prune: owned items the config does not name, left in place (the plan says so). */
  kept: number
  /** Addresses an adopted EXISTING link had that its item does not list: removed, and said loudly (not lnx's). */
  foreignStrips: ItemError[]
}

/** A namespace reference as planning sees it. */
export type NsState =
  | {kind: 'ready'; handle: NsHandle; obs: ObservedNs}
  | {kind: 'create'; handle: NsHandle; name: string}
  | {kind: 'pending'; reason: string}

export interface PlanInput {
  desired: Desired
  obs: Observation
  label: string
  namespaces: Map<string, NsState>
  mode: 'apply' | 'delete'
  prune?: boolean
  /** delete: also remove the file's NSID namespaces left holding nothing but lo. */
  deleteNamespaces?: boolean
  /** Link kinds the kernel offers beyond veth/tun ("dummy", "vrf"), from /sys/module. */
  kernelKinds?: Set<string>
  /** Imperative runs change what the user asked for: nothing there is drift. */
  noDrift?: boolean
  /** delete --namespaces: rules beyond the kernel's defaults, per candidate namespace name. */
  foreignRules?: Map<string, string[]>
  /** Observed checksum offload per "<ns id>/<host>", read only for veths that configure it. */
  offload?: Map<string, {rx: boolean; tx: boolean}>
}

export const nsRefKey = (r: NsRef) => `${r.type}:${r.ref}`

/** The command line shown for a planned command: built by the executor's own `wrap`, so it is the one that runs. */
export function renderCmd(c: Cmd): string {
  const [file, argv] = c.tool ? wrap(c.ns, c.tool.cmd, c.tool.args) : wrap(c.ns, 'ip', c.line!.split(' '))
  return [file, ...argv].join(' ')
}

const LO_KERNEL = new Set(['127.0.0.1/8', '::1/128'])

interface IfPlan {
  d: DInterface
  state: 'pending' | 'create' | 'recreate' | 'existing'
  reason?: string
  target?: NsState & {kind: 'ready' | 'create'}
  cur?: OwnedLink
  /** A foreign/leftover link being adopted (EXISTING, LOOPBACK, TAP, crash leftover). */
  adopt?: OLink
  /** Dependents (addresses, routes, neighbours) are gone after this run's link steps. */
  fresh: boolean
  /** IPv6 addresses are gone (link taken down). */
  v6gone: boolean
  /** Host name the link has once the links phase is done (before renames in configure). */
  hostAfterLinks?: string
  /** Addresses are deleted: the kernel may flush routes and neighbours (last IPv4 address gone), so they are re-asserted. */
  l3Reset?: boolean
}

/** localeCompare's order (the same default collator) at a fraction of its cost per call: sorting 5000 route keys
 * took 30-75 ms with localeCompare, about 1 ms with one Collator. */
const byText = new Intl.Collator().compare

export function plan(input: PlanInput): Plan {
  return new Planner(input).run()
}

class Planner {
  private changes: Change[] = []
  private pending: Pending[] = []
  private unchanged = 0
  private warnings: string[] = []
  private collisions: ItemError[] = []
  private foreignStrips: ItemError[] = []
  private owned = new Map<string, OwnedLink>()
  private ifp = new Map<string, IfPlan>()
  private deleted = new Set<OLink>()
  private createdNs = new Set<string>()
  // Indexes: planning stays linear in the number of items (100k-item plans).
  private changeIndex = new Map<string, Change>()
  private pendingKeys = new Set<string>()
  private desiredByName = new Map<string, DInterface>()
  private linkRoutesByIface = new Map<string, DRoute[]>()
  private nsIndex = new WeakMap<ObservedNs, NsIndex>()
  /** Namespaces (by path) whose lo gets IPv6 enabled in this run. */
  private loV6Enabled = new Set<string>()

  constructor(private readonly input: PlanInput) {
    for (const ns of input.obs.namespaces) {
      for (const l of ns.links) {
        const v = ownedView(l, input.label)
        if (v && !this.owned.has(v.name)) this.owned.set(v.name, v)
      }
    }
    for (const d of input.desired.interfaces) if (!this.desiredByName.has(d.name)) this.desiredByName.set(d.name, d)
    for (const r of input.desired.routes) {
      if (r.scope !== 'link' || r.gw) continue
      if (!this.linkRoutesByIface.has(r.iface)) this.linkRoutesByIface.set(r.iface, [])
      this.linkRoutesByIface.get(r.iface)!.push(r)
    }
  }

  private idx(ns: ObservedNs): NsIndex {
    let i = this.nsIndex.get(ns)
    if (!i) {
      i = buildIndex(ns)
      this.nsIndex.set(ns, i)
    }
    return i
  }

  private hasChange(key: string, action?: Action): boolean {
    return action ? this.changeIndex.has(`${action}|${key}`) : this.changeIndex.has(`create|${key}`) || this.changeIndex.has(`update|${key}`) || this.changeIndex.has(`delete|${key}`)
  }

  run(): Plan {
    const {desired, mode} = this.input
    if (mode === 'delete') this.planDelete()
    else {
      const ifaces = [...desired.interfaces].sort((a, b) => byText(a.name, b.name))
      for (const d of ifaces) this.classify(d)
      this.reconcilePairs()
      if (this.input.prune) this.planPrune()
      for (const d of ifaces) this.planInterface(this.ifp.get(d.name)!)
      for (const d of ifaces) {
        if (d.vrfMaster && this.ifp.get(d.name)!.state !== 'pending') this.warnings.push(`${d.key}: vrf_master_interface ${d.vrfMaster} is not applied (lnx does not manage VRF membership yet)`)
      }
      for (const d of ifaces) this.planAddresses(this.ifp.get(d.name)!)
      // Routes without a gateway first: a scope-LINK route can be what makes another route's gateway reachable.
      for (const r of [...desired.routes].sort((a, b) => Number(!!a.gw) - Number(!!b.gw) || byText(a.key, b.key))) this.planRoute(r)
      for (const a of [...desired.arps].sort((a, b) => byText(a.key, b.key))) this.planArp(a)
    }
    this.finishUnlinks()
    if (this.collisions.length) {
      const c = this.collisions[0]
      throw new LnxError('COLLISION', this.collisions.length === 1 ? `${c.key}: ${c.message}` : `${this.collisions.length} items collide with objects lnx does not own`, {
        key: c.key,
        errors: this.collisions,
        hint: 'lnx never changes what it does not own: remove or rename the other object, or adopt a NIC with type EXISTING',
      })
    }
    const kept = mode === 'apply' && !this.input.prune && !this.input.noDrift ? this.countKept() : 0
    return {changes: this.changes, pending: this.pending, unchanged: this.unchanged, warnings: this.warnings, kept, foreignStrips: this.foreignStrips}
  }

  /** What --prune would delete, counted: owned links the config does not name, and owned routes/ARPs on this label's links. */
  private countKept(): number {
    const names = new Set(this.input.desired.interfaces.map((i) => i.name))
    let n = 0
    for (const v of this.owned.values()) if (!names.has(v.name) && !this.deleted.has(v.link)) n++
    const routeKeys = new Set(this.input.desired.routes.map((r) => r.key))
    const arpKeys = new Set(this.input.desired.arps.map((a) => a.key))
    for (const ns of this.input.obs.namespaces) {
      const logical = this.logicalNames(ns)
      const ix = this.idx(ns)
      const gone = (dev: string) => !!ix.links.get(dev) && this.deleted.has(ix.links.get(dev)!)
      for (const r of ns.routes.filter(routeOwned)) {
        const name = logical.get(r.dev ?? '')
        if (name && !gone(r.dev!) && !routeKeys.has(this.routeKeyOf(r, name))) n++
      }
      for (const x of ns.neighs.filter(neighOwned)) {
        const name = logical.get(x.dev)
        if (name && !gone(x.dev) && !arpKeys.has(`config/linux/l3/v2/arp/${name}/${x.ip}`)) n++
      }
    }
    return n
  }

  // ---------------------------------------------------------------- helpers

  private change(action: Action, kind: Kind, key: string, ns: NsHandle | string, detail: string, cmds: Cmd[], drift = false): Change {
    const c: Change = {action, kind, key, namespace: typeof ns === 'string' ? ns : ns.label, detail, cmds, ...(drift && !this.input.noDrift ? {drift: true} : {})}
    this.changes.push(c)
    if (!this.changeIndex.has(`${action}|${key}`)) this.changeIndex.set(`${action}|${key}`, c)
    return c
  }

  private cmd(ns: NsHandle, phase: Phase, line: string, key: string, undo: Cmd[] = []): Cmd {
    return {ns, phase, line, key, undo}
  }

  private collide(key: string, message: string, path = '') {
    const d = this.input.desired
    const src = [...d.interfaces, ...d.routes, ...d.arps].find((x) => x.key === key)?.source
    this.collisions.push({file: src?.file ?? '', key, path, message})
  }

  private pend(key: string, reason: string) {
    if (this.pendingKeys.has(key)) return
    this.pendingKeys.add(key)
    this.pending.push({key, reason})
  }

  private nsState(d: DInterface): NsState | undefined {
    return this.input.namespaces.get(nsRefKey(d.ns))
  }

  private linkByHost(ns: ObservedNs | undefined, host: string): OLink | undefined {
    const l = ns ? this.idx(ns).links.get(host) : undefined
    return l && !this.deleted.has(l) ? l : undefined
  }

  private desiredIf(name: string): DInterface | undefined {
    return this.desiredByName.get(name)
  }

  // ---------------------------------------------------------------- interfaces: what state each one is in

  private classify(d: DInterface) {
    const p: IfPlan = {d, state: 'existing', fresh: false, v6gone: false}
    this.ifp.set(d.name, p)
    const ns = this.nsState(d)
    if (!ns) throw new LnxError('INTERNAL', `namespace of ${d.key} was not resolved`)
    if (ns.kind === 'pending') return this.markPending(p, `namespace ${nsLabel(d.ns)}: ${ns.reason}`)
    p.target = ns
    const targetObs = ns.kind === 'ready' ? ns.obs : undefined
    const cur = this.owned.get(d.name)
    if (d.type === 'VETH') {
      const peer = d.peer ? this.desiredIf(d.peer) : undefined
      if (!peer) return this.markPending(p, `peer ${d.peer} is not defined`)
    }
    if (!cur && d.type === 'DUMMY' && !this.input.kernelKinds?.has('dummy')) {
      return this.markPending(p, 'DUMMY interfaces are not supported by this kernel (no dummy module: modprobe dummy)')
    }
    if (!cur && d.type === 'VRF_DEVICE') {
      return this.markPending(p, this.input.kernelKinds?.has('vrf') ? 'VRF_DEVICE interfaces are not created by this lnx version yet' : 'VRF_DEVICE interfaces are not supported by this kernel (no vrf module: modprobe vrf)')
    }
    if (cur) {
      p.cur = cur
      const why = this.recreateReason(d, cur, ns)
      if (why) {
        p.state = 'recreate'
        p.reason = why
        if (d.type === 'TAP_TO_VPP' && cur.type === 'TAP_TO_VPP') {
          // Re-created as the vpp-agent does: the old binding's tap is reverted, then the tap adopted from the default
          // namespace — the same one (namespace change), or the new binding's, which must exist first.
          if (cur.vppTap === d.vppTap) p.adopt = this.revertedTap(cur)
          else {
            const l = this.findVppTap(d, cur.link)
            if (!l) return this.markPending(p, `${why}: ${this.vppTapMissing(d)}`)
            if (!this.adoptable(l, d)) return
            p.adopt = l
          }
        }
      }
      return this.checkHostFree(p, targetObs)
    }
    // Not owned yet: find what to adopt, or check that the name is free.
    switch (d.type) {
      case 'EXISTING': {
        const l = this.linkByHost(targetObs, d.hostName)
        if (!l) return this.markPending(p, `host link ${d.hostName} does not exist${ns.handle.label ? ` in ${ns.handle.label}` : ''}`)
        if (!this.adoptable(l, d)) return
        p.adopt = l
        return
      }
      case 'LOOPBACK': {
        const l = this.linkByHost(targetObs, 'lo')
        if (l && !this.adoptable(l, d)) return
        p.adopt = l
        if (!l) p.state = 'existing' // created with the namespace
        return
      }
      case 'TAP_TO_VPP': {
        const l = this.findVppTap(d)
        if (!l) return this.markPending(p, this.vppTapMissing(d))
        if (!this.adoptable(l, d)) return
        p.adopt = l
        p.state = 'create'
        return this.checkHostFree(p, targetObs)
      }
      default: {
        const l = this.linkByHost(targetObs, d.hostName)
        if (l) {
          const own = ownership(l, this.input.label)
          if (own === 'leftover' && d.type === 'VETH' && l.kind === 'veth') {
            // A crash between `link add` and `link set alias`: ours, adopted.
            p.adopt = l
            p.state = 'existing'
            return
          }
          if (own === 'leftover') {
            this.deleteLeftover(l)
          } else if (own === 'owned') {
            // Ours, under another logical name that is no longer in the config: handed over by re-creation.
            const v = ownedView(l, this.input.label)!
            if (this.desiredIf(v.name)) return this.collide(d.key, `host name ${d.hostName} is used by ${v.name}, also in the config`, 'host_if_name')
            this.deleteOwnedLink(v, 'its host name is taken by ' + d.name)
          } else {
            return this.collide(d.key, `a link named ${d.hostName} already exists in ${ns.handle.label || 'the default namespace'} and lnx does not own it (${describeLink(l)})`, d.hostName === d.name ? 'name' : 'host_if_name')
          }
        }
        p.state = 'create'
      }
    }
  }

  /**
   * The tap VPP made for d's VPP TAP, in the default namespace. VPP names it "tap-<fnv32a>" unless its TAP has a
   * host_if_name; lnx cannot ask VPP, so it tries the names of vppTapCandidates in order.
   */
  private findVppTap(d: DInterface, not?: OLink): OLink | undefined {
    const def = this.input.obs.byLabel.get('')
    for (const n of vppTapCandidates(d.vppTap!, d.hostName)) {
      const l = this.linkByHost(def, n)
      if (l && l !== not && (l.kind === 'tap' || l.kind === 'tun')) return l
    }
    return undefined
  }

  private vppTapMissing(d: DInterface): string {
    const def = this.input.obs.byLabel.get('')
    const names = vppTapCandidates(d.vppTap!, d.hostName)
    const other = names.map((n) => this.linkByHost(def, n)).find((x) => x)
    const looked = `${names[0]} (VPP's name for TAP ${d.vppTap} without host_if_name)${names.length > 1 ? `, ${names.slice(1).join(', ')}` : ''}`
    return `VPP's tap is not in the default namespace: looked for ${looked}${other ? `; ${other.name} is a ${other.kind || 'link'}, not a tap` : ' (VPP has not created it yet)'}`
  }

  /** The tap as deleting cur leaves it: VPP's name, default namespace, alias "unconfigured", no addresses, down. */
  private revertedTap(cur: OwnedLink): OLink {
    const l = cur.link
    return {...l, name: cur.origHost ?? cur.vppTap ?? l.name, ns: this.input.obs.byLabel.get('') ?? l.ns, alias: UNCONFIGURED, addresses: [], up: false}
  }

  private markPending(p: IfPlan, reason: string) {
    p.state = 'pending'
    p.reason = reason
  }

  /** EXISTING, LOOPBACK and TAP links are adopted only when their alias is empty, "unconfigured" or ours. */
  private adoptable(l: OLink, d: DInterface): boolean {
    if (!l.alias || l.alias === UNCONFIGURED) return true
    const a = parseAlias(l.alias)
    if (a && a.label === this.input.label && a.name === d.name) return true
    this.collide(d.key, `${l.name} has the alias "${l.alias}", which is not lnx's mark for ${d.name}: another tool or agent manages it`, 'host_if_name')
    return false
  }

  private checkHostFree(p: IfPlan, obs: ObservedNs | undefined) {
    const d = p.d
    const mine = p.cur?.link ?? p.adopt
    const l = this.linkByHost(obs, d.hostName)
    if (!l || l === mine) return
    // Moving or renaming onto a name that is taken.
    const own = ownership(l, this.input.label)
    if (own === 'leftover') return this.deleteLeftover(l)
    if (own === 'owned') {
      const v = ownedView(l, this.input.label)!
      if (!this.desiredIf(v.name)) return this.deleteOwnedLink(v, 'its host name is taken by ' + d.name)
      return
    }
    this.collide(d.key, `a link named ${d.hostName} already exists in ${obs?.handle.label || 'the default namespace'} and lnx does not own it (${describeLink(l)})`, 'host_if_name')
  }

  private recreateReason(d: DInterface, cur: OwnedLink, ns: NsState): string | undefined {
    if (cur.type !== d.type && !(cur.type === 'EXISTING' && (d.type === 'DUMMY' || d.type === 'VRF_DEVICE'))) return `type ${cur.type} → ${d.type}`
    const here = cur.link.ns
    if (d.type !== 'EXISTING') {
      if (ns.kind === 'create' || (ns.kind === 'ready' && ns.obs.id !== here.id)) return `namespace ${here.handle.label || 'default'} → ${ns.kind === 'create' ? ns.name : ns.handle.label || 'default'}`
    }
    if (d.type === 'VETH') {
      const kp = cur.link.peer
      const kpv = kp ? ownedView(kp, this.input.label) : null
      // A peer in lnx's group without alias (a crash between the two alias lines) is still this pair: adopted.
      const leftoverPeer = !!kp && !kpv && ownership(kp, this.input.label) === 'leftover' && kp.name === this.desiredIf(d.peer!)?.hostName
      // The kernel's pairing decides; an alias naming another peer (edited by hand) is only re-marked.
      if (!kp || (!leftoverPeer && (!kpv || kpv.name !== d.peer))) return cur.peerName !== d.peer ? `peer ${cur.peerName} → ${d.peer}` : `the kernel peer of ${cur.link.name} is not ${d.peer}`
    }
    if (d.type === 'TAP_TO_VPP' && cur.vppTap !== d.vppTap) return `tap binding ${cur.vppTap} → ${d.vppTap}`
    return undefined
  }

  /** Both ends of a pair are created together: if one must be (re)made, so must the other. */
  private reconcilePairs() {
    let again = true
    while (again) {
      again = false
      for (const p of this.ifp.values()) {
        if (p.d.type !== 'VETH' || !p.d.peer) continue
        const q = this.ifp.get(p.d.peer)
        if (!q) continue
        if (p.state === 'pending' && q.state !== 'pending') {
          this.markPending(q, `peer ${p.d.name} is pending (${p.reason})`)
          again = true
        } else if ((p.state === 'create' || p.state === 'recreate') && q.state === 'existing') {
          q.state = q.cur || q.adopt ? 'recreate' : 'create'
          q.reason = `its peer ${p.d.name} is re-created`
          again = true
        } else if (p.state === 'existing' && q.state === 'existing') {
          // Adopted leftovers must really be each other's peers.
          const lp = p.cur?.link ?? p.adopt
          const lq = q.cur?.link ?? q.adopt
          if (lp && lq && lp.peer !== lq) {
            p.state = 'recreate'
            q.state = 'recreate'
            again = true
          }
        }
      }
    }
    for (const p of this.ifp.values()) if (p.state === 'pending') this.pend(p.d.key, p.reason!)
  }

  // ---------------------------------------------------------------- deletions

  private deleteLeftover(l: OLink) {
    if (this.deleted.has(l)) return
    this.markDeleted(l)
    const key = `leftover/${l.ns.handle.label || 'default'}/${l.name}`
    const c = this.change('delete', 'interface', key, l.ns.handle, `lnx leftover ${l.name} (lnx group, no alias)`, [])
    this.unlink(l, key, c)
  }

  /**
   * Link deletions are collected per namespace: one goes as `link del dev`; several are marked with a group of
   * their own and deleted with one `link del group` (one kernel unregister batch instead of ≈17 ms per veth).
   */
  private unlinks = new Map<string, {ns: ObservedNs; items: {l: OLink; key: string; change: Change}[]}>()

  private unlink(l: OLink, key: string, change: Change) {
    const k = l.ns.id
    if (!this.unlinks.has(k)) this.unlinks.set(k, {ns: l.ns, items: []})
    this.unlinks.get(k)!.items.push({l, key, change})
  }

  private finishUnlinks() {
    for (const {ns, items} of this.unlinks.values()) {
      const h = ns.handle
      if (items.length === 1) {
        const {l, key, change} = items[0]
        change.cmds.push(this.cmd(h, 'unlink', L.linkDel(l.name), key, this.recreateLinkUndo(l, key)))
        continue
      }
      const used = new Set(ns.links.map((l) => l.group))
      let g = 100000 + (process.pid % 100000)
      while (used.has(String(g))) g++
      const undo: Cmd[] = []
      for (const {l, key, change} of items) {
        // The group's undo goes with the re-created links' configuration (after them, should they be re-made).
        change.cmds.push(this.cmd(h, 'unlink', L.group(l.name, g), key, [this.cmd(h, 'configure', L.group(l.name, l.group), key)]))
        undo.push(...this.recreateLinkUndo(l, key))
      }
      const last = items[items.length - 1]
      last.change.cmds.push({...this.cmd(h, 'unlink', `link del group ${g}`, last.key, undo), late: true})
    }
  }

  private markDeleted(l: OLink) {
    this.deleted.add(l)
    if (l.kind === 'veth' && l.peer) this.deleted.add(l.peer)
  }

  /** Deletes (or, for adopted kinds, releases) an owned link, after its owned routes and neighbours. */
  private deleteOwnedLink(v: OwnedLink, why: string, opts: {stripListed?: string[]; drift?: boolean} = {}) {
    const drift = !!opts.drift
    const l = v.link
    if (this.deleted.has(l)) return
    const key = `config/linux/interfaces/v2/interface/${v.name}`
    const ns = l.ns.handle
    const drop = v.type === 'VETH' || v.type === 'DUMMY'
    this.deleteDependents(l, v.name, drop)
    if (drop) {
      this.markDeleted(l)
      const peer = l.peer ? ownedView(l.peer, this.input.label) : null
      const c = this.change('delete', 'interface', key, ns, `${v.type === 'VETH' ? `veth ${l.name}${l.peer ? ` (and its peer ${l.peer.name})` : ''}` : l.name}: ${why}`, [], drift)
      this.unlink(l, key, c)
      if (peer && peer.name !== v.name) {
        this.deleteDependents(l.peer!, peer.name, true)
        if (!this.hasChange(interfaceKeyOf(peer.name), 'delete')) {
          this.change('delete', 'interface', interfaceKeyOf(peer.name), l.peer!.ns.handle, `veth ${l.peer!.name}: deleted with its peer ${v.name}`, [], drift)
        }
      }
      return
    }
    if (v.type === 'TAP_TO_VPP') {
      this.markDeleted(l)
      const orig = v.origHost ?? v.vppTap ?? l.name
      const cmds: Cmd[] = []
      const userAddrs = l.addresses.filter((a) => !a.auto)
      for (const a of userAddrs) cmds.push(this.cmd(ns, 'teardown', L.addrDel(l.name, a.cidr), key, [this.cmd(ns, 'teardown', L.addrReplace(l.name, a.cidr), key)]))
      if (l.up) cmds.push(this.cmd(ns, 'teardown', L.down(l.name), key, [this.cmd(ns, 'teardown', L.up(l.name), key)]))
      cmds.push(this.cmd(ns, 'teardown', L.alias(l.name, UNCONFIGURED), key, [this.cmd(ns, 'teardown', L.alias(l.name, l.alias), key)]))
      if (!ns.isDefault) {
        cmds.push(this.cmd(ns, 'teardown', L.move(l.name, DEFAULT_HANDLE.path, orig), key, [this.cmd(DEFAULT_HANDLE, 'teardown', L.move(orig, ns.path, l.name), key)]))
      } else if (orig !== l.name) {
        cmds.push(this.cmd(ns, 'teardown', L.rename(l.name, orig), key, [this.cmd(ns, 'teardown', L.rename(orig, l.name), key)]))
      }
      this.change('delete', 'interface', key, ns, `revert tap ${l.name} to ${orig} in the default namespace (never destroyed): ${why}`, cmds, drift)
      return
    }
    // EXISTING / LOOPBACK / VRF: release the mark; strip only the addresses the item lists (delete -f).
    const cmds: Cmd[] = []
    const stripped: string[] = []
    for (const cidr of opts.stripListed ?? []) {
      // lo's own addresses stay: the kernel's, not the item's to remove.
      if (!l.addresses.some((a) => a.cidr === cidr) || (v.type === 'LOOPBACK' && LO_KERNEL.has(cidr))) continue
      stripped.push(cidr)
      cmds.push(this.cmd(ns, 'teardown', L.addrDel(l.name, cidr), key, [this.cmd(ns, 'teardown', L.addrReplace(l.name, cidr), key)]))
    }
    // A released lo gets "unconfigured", as the vpp-agent leaves it (interface_loop.go); EXISTING gets its alias cleared.
    cmds.push(this.cmd(ns, 'teardown', L.alias(l.name, v.type === 'LOOPBACK' ? UNCONFIGURED : undefined), key, [this.cmd(ns, 'teardown', L.alias(l.name, l.alias), key)]))
    const kept = l.addresses.filter((a) => !a.auto && !stripped.includes(a.cidr) && !(v.type === 'LOOPBACK' && LO_KERNEL.has(a.cidr))).map((a) => a.cidr)
    this.change('delete', 'interface', key, ns,
      `release ${l.name} (${v.type}: never deleted)${stripped.length ? `, remove ${stripped.join(', ')}` : ''}${kept.length ? `; addresses left in place: ${kept.join(', ')}` : ''}: ${why}`, cmds, drift)
  }

  /** Owned routes and neighbours on a link that is going away (listed so that a revert restores them). */
  /**
   * Owned routes and neighbours on a link that is going away, listed so that a revert restores them. When the link
   * itself is deleted (implicit), the kernel removes them with it: no command, the re-adds join the link's undo.
   */
  private deleteDependents(l: OLink, name: string, implicit = false) {
    const ns = l.ns
    const ix = this.idx(ns)
    const why = `its interface ${name} goes away`
    for (const r of (ix.routesByDev.get(l.name) ?? []).filter(routeOwned)) this.deleteRoute(r, this.routeKeyOf(r, name), implicit ? `${why} (removed with it)` : why, implicit ? l : undefined)
    for (const n of (ix.neighsByDev.get(l.name) ?? []).filter(neighOwned)) {
      const key = `config/linux/l3/v2/arp/${name}/${n.ip}`
      if (this.hasChange(key)) continue
      const readd = this.cmd(ns.handle, 'l3', L.neighReplace(l.name, n.ip, n.mac ?? '', n.protocol), key)
      if (implicit) {
        this.addLinkUndo(l, readd)
        this.change('delete', 'arp', key, ns.handle, `${n.ip} on ${l.name}: ${why} (removed with it)`, [])
      } else {
        this.change('delete', 'arp', key, ns.handle, `${n.ip} on ${l.name}: ${why}`, [this.cmd(ns.handle, 'teardown', L.neighDel(l.name, n.ip), key, [readd])])
      }
    }
  }

  /** Re-adds that follow a deleted link's re-creation on revert (its routes and neighbours). */
  private linkUndoExtra = new Map<OLink, Cmd[]>()

  private addLinkUndo(l: OLink, c: Cmd) {
    if (!this.linkUndoExtra.has(l)) this.linkUndoExtra.set(l, [])
    this.linkUndoExtra.get(l)!.push(c)
  }

  private routeKeyOf(r: ORoute, iface: string) {
    return `config/linux/l3/v2/route/${r.dst}/${iface}`
  }

  private deleteRoute(r: ORoute, key: string, why: string, withLink?: OLink) {
    if (this.hasChange(key, 'delete')) return
    const ns = r.ns.handle
    const spec = {dst: r.dst, gw: r.gw, dev: r.dev!, metric: r.metric, scope: r.scope, family: r.family, table: r.table, proto: r.protocol}
    const readd = this.cmd(ns, 'l3', L.route('replace', spec), key)
    if (withLink) {
      this.addLinkUndo(withLink, readd)
      this.change('delete', 'route', key, ns, `${describeRoute(spec)}: ${why}`, [])
      return
    }
    this.change('delete', 'route', key, ns, `${describeRoute(spec)}: ${why}`, [this.cmd(ns, 'teardown', L.route('del', spec), key, [readd])])
  }

  /** Undo of deleting a link: re-create it as observed (veth pair with both ends; tap/others cannot be re-made). */
  private recreateLinkUndo(l: OLink, key: string): Cmd[] {
    if (l.kind !== 'veth' || !l.peer) return []
    const a = l
    const b = l.peer
    const end = (x: OLink): LinkEnd => ({host: x.name, netns: x.ns.handle.isDefault ? undefined : x.ns.handle.path, mtu: x.mtu, mac: x.mac})
    const out: Cmd[] = [this.cmd(DEFAULT_HANDLE, 'links', L.vethAdd(end(a), end(b)), key)]
    for (const x of [a, b]) {
      const ns = x.ns.handle
      if (!isLnxGroup(x)) out.push(this.cmd(ns, 'configure', L.group(x.name, x.group), key))
      if (x.alias) out.push(this.cmd(ns, 'configure', L.alias(x.name, x.alias), key))
      if (x.up) out.push(this.cmd(ns, 'configure', L.up(x.name), key))
      for (const ad of x.addresses.filter((q) => !q.auto)) out.push(this.cmd(ns, 'l3', L.addrReplace(x.name, ad.cidr), key))
    }
    for (const x of [a, b]) out.push(...(this.linkUndoExtra.get(x) ?? []))
    return out
  }

  private planPrune() {
    const desiredNames = new Set(this.input.desired.interfaces.map((i) => i.name))
    for (const v of this.owned.values()) {
      if (desiredNames.has(v.name)) continue
      this.deleteOwnedLink(v, 'not in the config (--prune)')
    }
    for (const ns of this.input.obs.namespaces) {
      for (const l of ns.links) if (ownership(l, this.input.label) === 'leftover' && !this.isAdopted(l)) this.deleteLeftover(l)
    }
    // Owned routes/neighbours that no config item describes — only on this label's links: another label's (or
    // another agent's) carry the same protocol number and stay untouched.
    const routeKeys = new Set(this.input.desired.routes.map((r) => r.key))
    const arpKeys = new Set(this.input.desired.arps.map((a) => a.key))
    for (const ns of this.input.obs.namespaces) {
      const names = this.logicalNames(ns)
      const ix = this.idx(ns)
      for (const r of ns.routes.filter(routeOwned)) {
        const name = names.get(r.dev ?? '')
        const dev = ix.links.get(r.dev ?? '')
        if (!name || (dev && this.deleted.has(dev))) continue
        const key = this.routeKeyOf(r, name)
        if (!routeKeys.has(key)) this.deleteRoute(r, key, 'not in the config (--prune)')
      }
      for (const n of ns.neighs.filter(neighOwned)) {
        const name = names.get(n.dev)
        const dev = ix.links.get(n.dev)
        if (!name || (dev && this.deleted.has(dev))) continue
        const key = `config/linux/l3/v2/arp/${name}/${n.ip}`
        if (arpKeys.has(key)) continue
        this.change('delete', 'arp', key, ns.handle, `${n.ip} on ${n.dev}: not in the config (--prune)`, [
          this.cmd(ns.handle, 'teardown', L.neighDel(n.dev, n.ip), key, [this.cmd(ns.handle, 'l3', L.neighReplace(n.dev, n.ip, n.mac ?? '', n.protocol), key)]),
        ])
      }
    }
  }

  private isAdopted(l: OLink) {
    for (const p of this.ifp.values()) if (p.adopt === l) return true
    return false
  }

  private logicalNames(ns: ObservedNs): Map<string, string> {
    const m = new Map<string, string>()
    for (const l of ns.links) {
      const v = ownedView(l, this.input.label)
      if (v) m.set(l.name, v.name)
    }
    return m
  }

  private planDelete() {
    const {desired} = this.input
    for (const r of desired.routes) {
      const iface = this.owned.get(r.iface)
      if (!iface) continue
      const o = iface.link.ns.routes.find((x) => routeOwned(x) && x.dev === iface.link.name && x.dst === r.dst)
      if (o) this.deleteRoute(o, r.key, 'in the file (delete)')
    }
    for (const a of desired.arps) {
      const iface = this.owned.get(a.iface)
      if (!iface) continue
      const n = this.idx(iface.link.ns).neighs.get(`${iface.link.name}|${a.ip}`)
      if (n && !neighOwned(n)) continue
      if (!n) continue
      const ns = iface.link.ns.handle
      this.change('delete', 'arp', a.key, ns, `${a.ip} on ${iface.link.name}`, [
        this.cmd(ns, 'teardown', L.neighDel(iface.link.name, a.ip), a.key, [this.cmd(ns, 'l3', L.neighReplace(iface.link.name, a.ip, n.mac ?? '', n.protocol), a.key)]),
      ])
    }
    for (const d of [...desired.interfaces].sort((a, b) => byText(a.name, b.name))) {
      const v = this.owned.get(d.name)
      if (!v) continue
      this.deleteOwnedLink(v, 'in the file (delete)', {stripListed: d.addresses})
    }
    if (this.input.deleteNamespaces) {
      const names = new Set(desired.interfaces.filter((d) => d.ns.type === 'NSID').map((d) => d.ns.ref))
      for (const name of [...names].sort()) {
        const ns = this.input.obs.byLabel.get(name)
        if (!ns) continue
        const left = this.whatKeeps(ns, name)
        if (left.length) {
          this.warnings.push(`namespace ${name} kept: it still holds ${left.join(', ')}`)
          continue
        }
        const key = namespaceKey('NSID', name)
        this.change('delete', 'namespace', key, name, `namespace ${name} (nothing foreign left: lo only)`, [
          this.cmd(DEFAULT_HANDLE, 'cleanup', L.netnsDel(name), key, [
            this.cmd(DEFAULT_HANDLE, 'namespaces', L.netnsAdd(name), key),
            this.cmd(namedHandle(name), 'configure', L.up('lo'), key),
          ]),
        ])
      }
    }
  }

  /**
   * What in a namespace is not lnx's to remove once this delete has run: links but lo, addresses on lo beyond the
   * kernel's (and those this delete strips), routes of any table but on the links going away (the kernel's own
   * on lo aside, and lnx's being deleted), neighbours on lo, rules beyond the defaults.
   */
  private whatKeeps(ns: ObservedNs, name: string): string[] {
    const out: string[] = []
    const gone = (dev: string | undefined) => !!dev && ns.links.some((l) => l.name === dev && this.deleted.has(l))
    for (const l of ns.links) if (l.name !== 'lo' && !this.deleted.has(l)) out.push(`link ${l.name}`)
    const lo = ns.links.find((l) => l.name === 'lo')
    const stripped = new Set(this.changes.filter((c) => c.kind === 'interface' && c.action === 'delete').flatMap((c) => c.cmds.map((x) => x.line ?? '')).filter((x) => x.startsWith('addr del ') && x.endsWith(' dev lo')).map((x) => x.split(' ')[2]))
    for (const a of lo?.addresses ?? []) if (!a.auto && !LO_KERNEL.has(a.cidr) && !stripped.has(a.cidr)) out.push(`address ${a.cidr} on lo`)
    for (const r of ns.routes) {
      if (gone(r.dev) || (r.dev === 'lo' && r.protocol === 'kernel')) continue
      if (routeOwned(r) && this.hasChange(this.routeKeyOf(r, this.logicalNames(ns).get(r.dev ?? '') ?? ''), 'delete')) continue
      out.push(`route ${r.type === 'unicast' ? '' : `${r.type} `}${r.dst}${r.gw ? ` via ${r.gw}` : ''}${r.dev ? ` dev ${r.dev}` : ''}${r.table !== 'main' ? ` table ${r.table}` : ''} (proto ${r.protocol})`)
    }
    for (const n of ns.neighs) if (n.dev === 'lo' && n.permanent) out.push(`neighbour ${n.ip} on lo`)
    out.push(...(this.input.foreignRules?.get(name) ?? []))
    return out
  }

  // ---------------------------------------------------------------- create / update

  private ensureNamespace(t: NsState) {
    if (t.kind !== 'create' || this.createdNs.has(t.name)) return
    this.createdNs.add(t.name)
    const key = namespaceKey('NSID', t.name)
    const h = t.handle
    const loDesired = this.input.desired.interfaces.some((i) => i.type === 'LOOPBACK' && i.ns.type === 'NSID' && i.ns.ref === t.name)
    this.change('create', 'namespace', key, t.name, `named namespace ${t.name}${loDesired ? '' : ', lo up'}`, [
      this.cmd(DEFAULT_HANDLE, 'namespaces', L.netnsAdd(t.name), key, [this.cmd(DEFAULT_HANDLE, 'cleanup', L.netnsDel(t.name), key)]),
      ...(loDesired ? [] : [this.cmd(h, 'configure', L.up('lo'), key)]),
    ])
  }

  private planInterface(p: IfPlan) {
    const d = p.d
    if (p.state === 'pending') return
    const t = p.target!
    this.ensureNamespace(t)
    const h = t.handle
    const alias = aliasFor(this.input.label, d, p.adopt?.name ?? p.cur?.origHost ?? d.vppTap)

    if (p.state === 'recreate' && p.cur) {
      // The owned link exists but differs in what only a re-creation changes (moved, peer gone, …): drift.
      this.deleteOwnedLink(p.cur, `re-created: ${p.reason}`, {drift: true})
      // The deletion entry stands for the old object; the creation below for the new one.
    }
    if (p.state === 'existing' && p.adopt && d.type === 'VETH') {
      // Adopting a crash leftover: only the alias is missing.
      return this.updateLink(p, p.adopt, alias, true, true)
    }
    if (p.state === 'existing') {
      const link = p.cur?.link ?? p.adopt
      if (!link) {
        // LOOPBACK of a namespace created in this run.
        return this.updateLoopbackOfNewNs(p, alias)
      }
      return this.updateLink(p, link, alias, !p.cur)
    }
    // create / recreate
    p.fresh = true
    if (d.type === 'VETH') {
      const q = this.ifp.get(d.peer!)!
      if (q.fresh && q.hostAfterLinks) {
        // The pair line was emitted with the peer.
        this.configureNew(p, alias, false)
        return
      }
      const qt = q.target!
      this.ensureNamespace(qt)
      const end = (x: IfPlan, tt: NsState & {kind: 'ready' | 'create'}): LinkEnd => ({
        host: x.d.hostName,
        netns: tt.handle.isDefault ? undefined : tt.handle.path,
        mtu: x.d.mtu,
        mac: x.d.mac,
      })
      p.hostAfterLinks = d.hostName
      q.hostAfterLinks = q.d.hostName
      q.fresh = true
      const line = L.vethAdd(end(p, t), end(q, qt))
      const cmds = [this.cmd(DEFAULT_HANDLE, 'links', line, d.key, [this.cmd(h, 'teardown', L.linkDel(d.hostName), d.key)])]
      const where = (x: NsState & {kind: 'ready' | 'create'}) => x.handle.label || 'default'
      this.change('create', 'interface', d.key, h, `veth pair ${d.hostName} (${where(t)}) ↔ ${q.d.hostName} (${where(qt)})`, cmds, p.state === 'recreate' || q.state === 'recreate')
      this.configureNew(p, alias, false)
      return
    }
    if (d.type === 'TAP_TO_VPP') {
      const l = p.adopt!
      const cmds: Cmd[] = []
      if (!h.isDefault) {
        // Moving a link takes it down and drops its addresses, routes and neighbours: the undo moves it back and
        // restores them as they were (the tap is VPP's; a failed adoption must leave it untouched).
        const back = [
          this.cmd(h, 'teardown', L.move(d.hostName, DEFAULT_HANDLE.path, l.name), d.key),
          ...l.addresses.filter((a) => !a.auto).map((a) => this.cmd(DEFAULT_HANDLE, 'teardown', L.addrReplace(l.name, a.cidr), d.key)),
          ...(l.up ? [this.cmd(DEFAULT_HANDLE, 'teardown', L.up(l.name), d.key)] : []),
          ...(l.up ? this.flushedRoutes(l, l.name) : []),
          ...this.permanentNeighs(l, l.name).all,
        ]
        cmds.push(this.cmd(DEFAULT_HANDLE, 'links', L.move(l.name, h.path, d.hostName), d.key, back))
      } else if (l.name !== d.hostName) {
        cmds.push(this.cmd(DEFAULT_HANDLE, 'links', L.rename(l.name, d.hostName), d.key, [this.cmd(h, 'teardown', L.rename(d.hostName, l.name), d.key)]))
      }
      p.hostAfterLinks = d.hostName
      // What adoption changes on the tap is restored on revert.
      const restore: Cmd[] = []
      restore.push(this.cmd(h, 'configure', L.alias(d.hostName, l.alias), d.key))
      if (l.mtu !== d.mtu && d.mtu) restore.push(this.cmd(h, 'configure', L.mtu(d.hostName, l.mtu), d.key))
      if (d.mac && l.mac !== d.mac) restore.push(this.cmd(h, 'configure', L.mac(d.hostName, l.mac), d.key))
      const c = this.change('create', 'interface', d.key, h, `adopt tap ${l.name}${h.isDefault ? '' : ` into ${h.label}`}${l.name !== d.hostName ? ` as ${d.hostName}` : ''}`, cmds)
      this.configureNew(p, alias, true, c, restore)
      if (!h.isDefault) p.v6gone = true
      return
    }
    if (d.type === 'DUMMY') {
      const line = `link add name ${d.hostName}${h.isDefault ? '' : ` netns ${h.path}`} group 76${d.mtu ? ` mtu ${d.mtu}` : ''}${d.mac ? ` address ${d.mac}` : ''} type dummy`
      this.change('create', 'interface', d.key, h, `dummy ${d.hostName}`, [this.cmd(DEFAULT_HANDLE, 'links', line, d.key, [this.cmd(h, 'teardown', L.linkDel(d.hostName), d.key)])])
      p.hostAfterLinks = d.hostName
      this.configureNew(p, alias, false)
    }
  }

  /** Alias, MTU, MAC and state of a link made (or moved) in this run. */
  private configureNew(p: IfPlan, alias: string, setMtuMac: boolean, into?: Change, restore: Cmd[] = []) {
    const d = p.d
    const h = p.target!.handle
    const cmds: Cmd[] = []
    const undoFirst = restore.length ? restore : []
    cmds.push(this.cmd(h, 'configure', L.alias(d.hostName, alias), d.key, undoFirst))
    if (setMtuMac && d.mtu) cmds.push(this.cmd(h, 'configure', L.mtu(d.hostName, d.mtu), d.key))
    if (setMtuMac && d.mac) cmds.push(this.cmd(h, 'configure', L.mac(d.hostName, d.mac), d.key))
    // An adopted tap that was up (in the default namespace, not moved) stays up on revert.
    const wasUp = !!p.adopt?.up && p.target!.handle.isDefault
    if (d.enabled) cmds.push(this.cmd(h, 'configure', L.up(d.hostName), d.key, wasUp ? [] : [this.cmd(h, 'configure', L.down(d.hostName), d.key)]))
    cmds.push(...this.offloadCmds(p, undefined))
    if (into) into.cmds.push(...cmds)
    else {
      const c = this.changeIndex.get(`create|${d.key}`)
      if (c) c.cmds.push(...cmds)
      else this.change('create', 'interface', d.key, h, `veth end ${d.hostName}`, cmds, p.state === 'recreate')
    }
  }

  private updateLoopbackOfNewNs(p: IfPlan, alias: string) {
    const d = p.d
    const h = p.target!.handle
    const cmds = [this.cmd(h, 'configure', L.alias('lo', alias), d.key)]
    if (d.mtu && d.mtu !== 65536) cmds.push(this.cmd(h, 'configure', L.mtu('lo', d.mtu), d.key))
    if (d.enabled) cmds.push(this.cmd(h, 'configure', L.up('lo'), d.key))
    p.fresh = true
    this.change('create', 'interface', d.key, h, `loopback of ${h.label}`, cmds)
  }

  /** In-place update of an existing link: never flaps it unless the config asks for down. */
  private updateLink(p: IfPlan, l: OLink, alias: string, adopting: boolean, leftover = false) {
    const d = p.d
    const h = l.ns.handle
    const cmds: Cmd[] = []
    const diffs: string[] = []
    let host = l.name
    if (d.hostName !== l.name && d.type !== 'EXISTING' && d.type !== 'LOOPBACK') {
      cmds.push(this.cmd(h, 'configure', L.rename(l.name, d.hostName), d.key, [this.cmd(h, 'configure', L.rename(d.hostName, l.name), d.key)]))
      diffs.push(`host_if_name ${l.name} → ${d.hostName}`)
      host = d.hostName
    }
    // An EXISTING still carrying the old /vnf-agent/ mark gets lnx's EXISTING mark: a migration, not drift.
    let migrated = false
    if (l.alias !== alias) {
      cmds.push(this.cmd(h, 'configure', L.alias(host, alias), d.key, [this.cmd(h, 'configure', L.alias(host, l.alias), d.key)]))
      migrated = !adopting && d.type === 'EXISTING' && parseAlias(l.alias)?.existing !== true
      diffs.push(adopting ? `adopt (mark with alias ${alias})` : migrated ? `mark ${l.alias} → ${alias} (a mark the vpp-agent ignores)` : `alias ${l.alias ?? '(none)'} → ${alias}`)
    }
    if (d.mtu && d.mtu !== l.mtu && d.type !== 'EXISTING') {
      cmds.push(this.cmd(h, 'configure', L.mtu(host, d.mtu), d.key, [this.cmd(h, 'configure', L.mtu(host, l.mtu), d.key)]))
      diffs.push(`mtu ${l.mtu} → ${d.mtu}`)
    }
    if ((d.type === 'VETH' || d.type === 'DUMMY') && !isLnxGroup(l)) {
      // lnx's group is its creation mark: moved out of it by hand, the link is put back.
      cmds.push(this.cmd(h, 'configure', L.group(host, LNX_GROUP), d.key, [this.cmd(h, 'configure', L.group(host, l.group), d.key)]))
      diffs.push(`group ${l.group} → ${LNX_GROUP}`)
    }
    if (d.mac && d.mac !== l.mac && d.type !== 'EXISTING' && d.type !== 'LOOPBACK') {
      // A new MAC flushes the link's neighbours, permanent ones included: lnx's are re-asserted by their items,
      // foreign ones here — and, on revert, all of them again after the old MAC is back.
      const neighs = this.permanentNeighs(l, host)
      cmds.push(this.cmd(h, 'configure', L.mac(host, d.mac), d.key, [this.cmd(h, 'configure', L.mac(host, l.mac), d.key), ...neighs.all]))
      cmds.push(...neighs.foreign)
      diffs.push(`phys_address ${l.mac} → ${d.mac}${neighs.foreign.length ? ` (re-asserting ${neighs.foreign.length} foreign permanent neighbour${neighs.foreign.length === 1 ? '' : 's'} the change flushes)` : ''}`)
      p.l3Reset = true
    }
    const wantUp = d.type === 'EXISTING' ? l.up || d.enabled : d.enabled
    if (wantUp !== l.up) {
      if (wantUp) cmds.push(this.cmd(h, 'configure', L.up(host), d.key, [this.cmd(h, 'configure', L.down(host), d.key)]))
      else {
        // Undo: up again, then what going down flushed (IPv4 routes that are not the kernel's, permanent neighbours).
        // IPv6 addresses go with the link's state too: the undo puts back those it had.
        const v6back = l.addresses.filter((a) => a.family === 6 && !a.auto).map((a) => this.cmd(h, 'l3', L.addrReplace(host, a.cidr), d.key))
        cmds.push(this.cmd(h, 'configure', L.down(host), d.key, [this.cmd(h, 'configure', L.up(host), d.key), ...v6back, ...this.flushedRoutes(l, host), ...this.permanentNeighs(l, host).all]))
        // Down drops IPv4 routes, permanent neighbours and IPv6 addresses: everything below re-adds them.
        p.v6gone = true
        p.fresh = true
      }
      diffs.push(`enabled ${l.up} → ${wantUp}`)
    }
    const off = this.offloadCmds(p, l)
    if (off.length) {
      cmds.push(...off)
      diffs.push('checksum offload')
    }
    p.hostAfterLinks = host
    // A veth of lnx's without its alias mark (cleared by hand, or a crash) is drift too.
    if (cmds.length) this.change('update', 'interface', d.key, h, diffs.join(', '), cmds, (!adopting || leftover) && !(migrated && diffs.length === 1))
    else this.unchanged++
  }

  /** Permanent neighbours of a link as observed, as `neigh replace` lines: all of them, and the foreign ones. */
  private permanentNeighs(l: OLink, host: string): {all: Cmd[]; foreign: Cmd[]} {
    const h = l.ns.handle
    const key = `foreign/${h.label || 'default'}/${host}`
    const all: Cmd[] = []
    const foreign: Cmd[] = []
    for (const n of this.idx(l.ns).neighsByDev.get(l.name) ?? []) {
      if (!n.permanent || !n.mac) continue
      const c = this.cmd(h, 'l3', L.neighReplace(host, n.ip, n.mac, n.protocol), key)
      all.push(c)
      if (!neighOwned(n)) foreign.push({...c, undo: []})
    }
    return {all, foreign}
  }

  /** IPv4 routes on a link that taking it down flushes (the kernel's own come back by themselves), to re-add. */
  private flushedRoutes(l: OLink, host: string): Cmd[] {
    const h = l.ns.handle
    return (this.idx(l.ns).routesByDev.get(l.name) ?? [])
      .filter((r) => r.family === 4 && r.protocol !== 'kernel' && r.type === 'unicast')
      .map((r) => this.cmd(h, 'l3', L.route('replace', {dst: r.dst, gw: r.gw, dev: host, metric: r.metric, scope: r.scope, family: r.family, table: r.table, proto: r.protocol}), `foreign/${h.label || 'default'}/${host}`))
  }

  private offloadCmds(p: IfPlan, l: OLink | undefined): Cmd[] {
    const d = p.d
    if (d.type !== 'VETH') return []
    const want = (o?: string) => (o === 'CHKSM_OFFLOAD_DISABLED' ? false : o === 'CHKSM_OFFLOAD_ENABLED' ? true : undefined)
    const rx = want(d.rxOffload)
    const tx = want(d.txOffload)
    if (rx === undefined && tx === undefined) return []
    const h = p.target!.handle
    const cur = l ? this.input.offload?.get(`${l.ns.id}/${l.name}`) : undefined
    const args: string[] = []
    const undo: string[] = []
    if (rx !== undefined && (!cur || cur.rx !== rx)) {
      args.push('rx', rx ? 'on' : 'off')
      undo.push('rx', cur ? (cur.rx ? 'on' : 'off') : 'on')
    }
    if (tx !== undefined && (!cur || cur.tx !== tx)) {
      args.push('tx', tx ? 'on' : 'off')
      undo.push('tx', cur ? (cur.tx ? 'on' : 'off') : 'on')
    }
    if (!args.length) return []
    return [{ns: h, phase: 'tools', tool: {cmd: 'ethtool', args: ['-K', d.hostName, ...args]}, key: d.key, undo: l ? [{ns: h, phase: 'tools', tool: {cmd: 'ethtool', args: ['-K', d.hostName, ...undo]}, key: d.key, undo: []}] : []}]
  }

  // ---------------------------------------------------------------- addresses

  /** Addresses an interface will hold after this run (for route/ARP dependencies). */
  private addrsAfter(p: IfPlan): string[] {
    const d = p.d
    if (d.linkOnly || (d.type === 'EXISTING' && d.addresses.length === 0)) {
      const l = p.cur?.link ?? p.adopt
      return l ? l.addresses.filter((a) => !a.auto).map((a) => a.cidr) : []
    }
    return d.addresses
  }

  private planAddresses(p: IfPlan) {
    const d = p.d
    if (p.state === 'pending') return
    // EXISTING without addresses and link_only leave addresses to someone else.
    if (d.linkOnly || (d.type === 'EXISTING' && d.addresses.length === 0)) return
    const h = p.target!.handle
    const host = d.hostName
    // A tap adopted where it is (default namespace) keeps what it has: its addresses are diffed, not assumed gone.
    const inPlace = d.type === 'TAP_TO_VPP' && !p.cur && !!p.adopt?.ns.handle.isDefault && p.target!.handle.isDefault
    const l = inPlace ? p.adopt : p.fresh && p.state !== 'existing' ? undefined : p.cur?.link ?? p.adopt
    const observed = (l?.addresses ?? []).filter((a) => !a.auto && !(d.type === 'LOOPBACK' && LO_KERNEL.has(a.cidr)))
    const present = observed.filter((a) => !(p.v6gone && a.family === 6))
    const want = new Set(d.addresses)
    // The first listed IPv4 address of a subnet is its primary (the src of the connected route). A subnet whose
    // primary goes away, or is not the first listed, is rebuilt: every address of it is deleted (secondaries
    // first, so none is promoted whatever promote_secondaries says) and the listed ones re-added in order.
    const firstOfNet = new Map<string, string>()
    for (const c of d.addresses) {
      if (parsePrefix(c)?.family === 4 && !firstOfNet.has(subnet(c))) firstOfNet.set(subnet(c), c)
    }
    // An EXISTING link (a NIC the host may be reached through) is not rebuilt for the order alone.
    const reorder = d.type !== 'EXISTING'
    const doomedNets = new Set(present.filter((a) => a.family === 4 && !a.secondary && (!want.has(a.cidr) || (reorder && firstOfNet.get(subnet(a.cidr)) !== a.cidr))).map((a) => subnet(a.cidr)))
    const extra = present.filter((a) => !want.has(a.cidr) || (a.family === 4 && doomedNets.has(subnet(a.cidr))))
    // Then: new addresses outside the rebuilt subnets go first (the link never runs out of addresses), then
    // deletions (secondaries first), then the rest — removing the last address flushes routes and neighbours.
    extra.sort((a, b) => Number(b.secondary) - Number(a.secondary))
    const lost = new Set(extra.filter((a) => want.has(a.cidr)).map((a) => a.cidr))
    const have = new Set(present.map((a) => a.cidr))
    // lo's 127.0.0.1/8 and ::1/128 are the kernel's (it adds them when lo comes up): listed, they are satisfied.
    const kernelLo = (c: string) => d.type === 'LOOPBACK' && LO_KERNEL.has(c)
    const adds = d.addresses.filter((c) => !kernelLo(c) && (!have.has(c) || lost.has(c)))
    this.unchanged += d.addresses.length - adds.length
    const early = adds.filter((c) => !lost.has(c) && !doomedNets.has(subnet(c)))
    const late = adds.filter((c) => !early.includes(c))
    // Missing from an owned link that stays: someone removed it (or the file added it — without a state file
    // lnx cannot tell; either way the owned link differs from its item).
    const persisting = this.persists(p)
    let v6: Change | undefined
    const add = (cidr: string) => {
      const key = addressKey(d.name, cidr)
      const why = lost.has(cidr) ? (want.has(cidr) && firstOfNet.get(subnet(cidr)) === cidr ? ' (re-added first: the first listed address of its subnet is the primary)' : ' (re-added: its subnet is rebuilt around the primary)') : ''
      const v6lost = p.v6gone && parsePrefix(cidr)?.family === 6
      // Re-adding an address the link had before this run (flushed by a down): the undo of the down restores it.
      const had = v6lost && observed.some((a) => a.cidr === cidr)
      const c = this.change('create', 'address', key, h, `${cidr} on ${host}${why}`, [
        this.cmd(h, 'l3', L.addrAdd(host, cidr), key, had ? [] : [this.cmd(h, 'l3', L.addrDel(host, cidr), key)]),
      ], persisting && !v6lost)
      if (!v6 && parsePrefix(cidr)?.family === 6) v6 = c
    }
    early.forEach(add)
    if (extra.length) p.l3Reset = true
    // Undo of the deletions: every address the link had, in its original order (replace is idempotent), on the
    // first deletion — so a revert also brings back secondaries the kernel dropped with their primary.
    const restoreAll = extra.length ? observed.map((a) => this.cmd(h, 'l3', L.addrReplace(host, a.cidr), addressKey(d.name, a.cidr))) : []
    // Adopting an EXISTING link: its item's ip_addresses are the full set (the vpp-agent's meaning), so the addresses
    // it had are removed — the operator's, not lnx's: named as such in the plan and warned about.
    const foreign = d.type === 'EXISTING' && !p.cur
    // Drift is an out-of-band edit of something lnx owns: a link adopted in this run (a tap where VPP made it) was not.
    extra.forEach((a, i) => {
      const key = addressKey(d.name, a.cidr)
      const strip = foreign && !lost.has(a.cidr)
      const detail = strip ? `strips ${a.cidr} from ${host}, not lnx's (an EXISTING item's ip_addresses are the link's full set)`
        : lost.has(a.cidr) ? `${a.cidr} on ${host} (deleted to be re-added in the listed order)` : `${a.cidr} on ${host}`
      this.change('delete', 'address', key, h, detail, [this.cmd(h, 'l3', L.addrDel(host, a.cidr), key, i === 0 ? restoreAll : [])], !foreign && !inPlace)
      if (strip) {
        this.foreignStrips.push({file: d.source?.file ?? '', key: d.key, path: 'ip_addresses', message: `strips ${a.cidr} from ${host}, not lnx's: an EXISTING item's ip_addresses are the link's full set`, hint: `list ${a.cidr} in ip_addresses to keep it`})
      }
    })
    late.forEach(add)
    if (v6) {
      // Containers often disable IPv6; the vpp-agent enables it per link before adding an address.
      // It enables it on the namespace's lo too (interface_address.go): local delivery of IPv6 goes through lo.
      const c = v6
      const sysctl = (dev: string): Cmd => ({ns: h, phase: 'tools', tool: {cmd: 'sysctl', args: ['-q', '-w', `net/ipv6/conf/${dev}/disable_ipv6=0`]}, key: c.key, undo: []})
      c.cmds.unshift(sysctl(host))
      const nsId = h.path
      if (host !== 'lo' && !this.loV6Enabled.has(nsId)) {
        this.loV6Enabled.add(nsId)
        c.cmds.unshift(sysctl('lo'))
      }
    }
  }

  // ---------------------------------------------------------------- routes and ARP entries

  /** Why an item on this interface cannot be applied yet (interface pending, down, without address). */
  private l3Blocker(ifName: string, what: string): {p: IfPlan; reason?: string} | {reason: string} {
    const p = this.ifp.get(ifName)
    if (!p) {
      const o = this.owned.get(ifName)
      return {reason: `interface ${ifName} is not defined${o ? ' in this config' : ''}`}
    }
    if (p.state === 'pending') return {reason: `interface ${ifName} is pending (${p.reason})`}
    const upAfter = p.d.type === 'EXISTING' ? p.d.enabled || !!(p.cur?.link ?? p.adopt)?.up : p.d.enabled
    if (!upAfter) return {reason: `interface ${ifName} is not enabled (${what} needs it up)`}
    if (this.addrsAfter(p).length === 0) return {reason: `interface ${ifName} has no IP address`}
    return {p}
  }

  private planRoute(r: DRoute) {
    const b = this.l3Blocker(r.iface, 'a route')
    if (!('p' in b)) return this.pend(r.key, `route ${r.dst}${r.gw ? ` via ${r.gw}` : ''}: ${b.reason}`)
    const p = b.p
    const h = p.target!.handle
    const obsNs = p.target!.kind === 'ready' ? p.target!.obs : undefined
    const host = p.d.hostName
    if (r.gw) {
      const gw = parseAddr(r.gw)!
      const inSubnet = this.addrsAfter(p).some((a) => {
        const pp = parsePrefix(a)
        return !!pp && contains(pp, gw)
      })
      const viaLink = (this.linkRoutesByIface.get(r.iface) ?? []).some((x) => contains(parsePrefix(x.dst)!, gw))
        || (!p.fresh && obsNs ? this.idx(obsNs).routesByDev.get(p.cur?.link.name ?? host) ?? [] : []).some((x) => x.scope === 'link' && !x.gw && x.table === 'main' && contains(parsePrefix(x.dst)!, gw))
      // An IPv6 link-local gateway is on the link by definition (the usual "::/0 via fe80::1 dev X").
      if (!inSubnet && !viaLink && !isLinkLocal6(gw)) return this.pend(r.key, `route ${r.dst} via ${r.gw}: gateway not inside any subnet of ${r.iface}`)
    }
    const spec = {dst: r.dst, gw: r.gw, dev: host, metric: r.metric, scope: r.scope, family: r.family}
    const gone = p.fresh
    const linkName = p.cur?.link.name ?? p.adopt?.name
    const ix = obsNs ? this.idx(obsNs) : undefined
    const same = (ix?.mainRoutes.get(`${r.family}|${r.dst}|${r.metric}`) ?? []).find((x) => !(gone && x.dev === linkName))
    // Described only when a change is made (a no-op re-apply leaves most routes unchanged).
    let described: string | undefined
    const detail = () => (described ??= describeRoute(spec))
    if (same) {
      const onMine = same.dev === linkName
      const exact = onMine && same.gw === r.gw && (r.family === 6 || same.scope === r.scope)
      if (routeOwned(same)) {
        if (exact && p.l3Reset) {
          this.change('update', 'route', r.key, h, `${detail()} (re-asserted: the address change may flush it)`, [
            this.cmd(h, 'l3', L.route('replace', spec), r.key, []),
          ])
          return
        }
        if (exact) return void this.unchanged++
        // The undo runs before a rename of this link is undone: it names the link by its new name.
        const old = {dst: same.dst, gw: same.gw, dev: onMine ? host : same.dev!, metric: same.metric, scope: same.scope, family: same.family}
        this.change('update', 'route', r.key, h, `${describeRoute(old)} → ${detail()}`, [
          this.cmd(h, 'l3', L.route('replace', spec), r.key, [this.cmd(h, 'l3', L.route('replace', old), r.key)]),
        ], true)
        return
      }
      // The kernel's connected route is already what this item asks for.
      if (exact && same.protocol === 'kernel') return void this.unchanged++
      if (exact && linkName && same.protocol === 'boot') {
        // Take-over from the vpp-agent (its routes are proto boot): same route on an owned link → re-marked.
        // Other tools' protocols (static, zebra, bird, …) are collisions.
        const old = {dst: same.dst, gw: same.gw, dev: host, metric: same.metric, scope: same.scope, family: same.family, proto: same.protocol}
        this.change('update', 'route', r.key, h, `adopt ${detail()} (proto ${same.protocol} → lnx)`, [
          this.cmd(h, 'l3', L.route('replace', spec), r.key, [this.cmd(h, 'l3', L.route('replace', old), r.key)]),
        ])
        return
      }
      return this.collide(r.key, `a route to ${r.dst} with metric ${r.metric} already exists in ${h.label || 'the default namespace'} (dev ${same.dev}${same.gw ? ` via ${same.gw}` : ''}, proto ${same.protocol}) and lnx does not own it`, 'dst_network')
    }
    // Same item at another metric: a metric change is delete + add (they are different kernel routes).
    const moved = gone ? undefined : (ix?.routesByDev.get(linkName ?? '') ?? []).find((x) => routeOwned(x) && x.dst === r.dst && x.table === 'main' && x.type === 'unicast' && x.family === r.family)
    const cmds: Cmd[] = []
    if (moved) {
      const old = {dst: moved.dst, gw: moved.gw, dev: moved.dev!, metric: moved.metric, scope: moved.scope, family: moved.family}
      // In teardown, before address changes that could flush it.
      cmds.push(this.cmd(h, 'teardown', L.route('del', old), r.key, [this.cmd(h, 'l3', L.route('replace', old), r.key)]))
    }
    cmds.push(this.cmd(h, 'l3', L.route('add', spec), r.key, [this.cmd(h, 'l3', L.route('del', spec), r.key)]))
    // Missing on an owned link that stays: drift (without a state file, also when the file just added it).
    this.change(moved ? 'update' : 'create', 'route', r.key, h, moved ? `metric ${moved.metric} → ${r.metric}: ${detail()}` : detail(), cmds, !!moved || this.persists(p))
  }

  /** An owned link that exists and keeps its dependents through this run. */
  private persists(p: IfPlan): boolean {
    return !!p.cur && p.state === 'existing' && !p.fresh
  }

  private planArp(a: DArp) {
    const b = this.l3Blocker(a.iface, 'an ARP entry')
    if (!('p' in b)) return this.pend(a.key, `ARP ${a.ip}: ${b.reason}`)
    const p = b.p
    const h = p.target!.handle
    const obsNs = p.target!.kind === 'ready' ? p.target!.obs : undefined
    const host = p.d.hostName
    const linkName = p.cur?.link.name ?? p.adopt?.name
    const n = p.fresh || !obsNs ? undefined : this.idx(obsNs).neighs.get(`${linkName}|${a.ip}`)
    const detail = `${a.ip} → ${a.mac} on ${host}`
    if (n && n.permanent) {
      if (neighOwned(n)) {
        if (n.mac === a.mac && p.l3Reset) {
          this.change('update', 'arp', a.key, h, `${detail} (re-asserted: the address change may flush it)`, [this.cmd(h, 'l3', L.neighReplace(host, a.ip, a.mac), a.key, [])])
          return
        }
        if (n.mac === a.mac) return void this.unchanged++
        this.change('update', 'arp', a.key, h, `${a.ip} on ${host}: ${n.mac} → ${a.mac}`, [
          this.cmd(h, 'l3', L.neighReplace(host, a.ip, a.mac), a.key, [this.cmd(h, 'l3', L.neighReplace(host, a.ip, n.mac ?? '', n.protocol), a.key)]),
        ], true)
        return
      }
      if (n.mac === a.mac && n.protocol === '0') {
        // Take-over from the vpp-agent, whose neighbours carry no protocol; other tools' are collisions.
        this.change('update', 'arp', a.key, h, `adopt ${detail} (protocol ${n.protocol} → lnx)`, [
          this.cmd(h, 'l3', L.neighReplace(host, a.ip, a.mac), a.key, [this.cmd(h, 'l3', L.neighReplace(host, a.ip, n.mac ?? '', n.protocol), a.key)]),
        ])
        return
      }
      return this.collide(a.key, `a permanent neighbour ${a.ip} (${n.mac}, protocol ${n.protocol}) already exists on ${n.dev} and lnx does not own it`, 'ip_address')
    }
    this.change('create', 'arp', a.key, h, detail, [
      this.cmd(h, 'l3', L.neighReplace(host, a.ip, a.mac), a.key, [this.cmd(h, 'l3', L.neighDel(host, a.ip), a.key)]),
    ], this.persists(p))
  }
}

interface NsIndex {
  links: Map<string, OLink>
  routesByDev: Map<string, ORoute[]>
  /** Main-table unicast routes by "family|dst|metric": the kernel's identity of a route. */
  mainRoutes: Map<string, ORoute[]>
  neighsByDev: Map<string, ONeigh[]>
  neighs: Map<string, ONeigh>
}

function buildIndex(ns: ObservedNs): NsIndex {
  const push = <K, V>(m: Map<K, V[]>, k: K, v: V) => {
    const a = m.get(k)
    if (a) a.push(v)
    else m.set(k, [v])
  }
  const i: NsIndex = {links: new Map(), routesByDev: new Map(), mainRoutes: new Map(), neighsByDev: new Map(), neighs: new Map()}
  for (const l of ns.links) i.links.set(l.name, l)
  for (const r of ns.routes) {
    if (r.dev) push(i.routesByDev, r.dev, r)
    if (r.table === 'main' && r.type === 'unicast') push(i.mainRoutes, `${r.family}|${r.dst}|${r.metric}`, r)
  }
  for (const n of ns.neighs) {
    push(i.neighsByDev, n.dev, n)
    i.neighs.set(`${n.dev}|${n.ip}`, n)
  }
  return i
}

const interfaceKeyOf = (name: string) => `config/linux/interfaces/v2/interface/${name}`

const subnets = new Map<string, string>()
/** The network of an address ("10.0.0.5/24" → "10.0.0.0/24"), memoised: asked several times per address. */
function subnet(cidr: string): string {
  let s = subnets.get(cidr)
  if (s === undefined) {
    const p = parsePrefix(cidr)
    s = p ? formatPrefix(network(p)) : cidr
    if (subnets.size > 1 << 20) subnets.clear()
    subnets.set(cidr, s)
  }
  return s
}

function describeLink(l: OLink): string {
  return [l.kind || 'link', l.alias ? `alias "${l.alias}"` : 'no alias', `group ${l.group}`].join(', ')
}

export function describeRoute(r: {dst: string; gw?: string; dev: string; metric: number; scope?: string; family: 4 | 6}): string {
  return `${r.dst}${r.gw ? ` via ${r.gw}` : ''} dev ${r.dev}${r.metric ? ` metric ${r.metric}` : ''}${r.family === 4 && r.scope ? ` scope ${r.scope}` : ''}`
}
