// What one planning run shares across the item modules (interfaces, addresses, routes, ARP, namespaces,
// deletions): the input, the plan being built, and the bookkeeping that links items to each other (which links go
// away, which interfaces are fresh, which changes exist). The item modules are plain functions taking it.
import {interfaceKey} from '../../model/keys.js'
import type {DInterface, DRoute} from '../../model/types.js'
import type {ItemError} from '../../errors.js'
import type {ObservedNs, OLink, ORoute} from '../../kernel/observe.js'
import {ownedView, type OwnedLink} from '../../kernel/owned.js'
import type {NsHandle} from '../../kernel/run.js'
import type {Action, Change, Cmd, ItemKind, Pending, Phase} from '../contract.js'
import {ObservedNsIndex} from './ns-index.js'
import type {L3Target} from './l3-target.js'
import {kindOf, kindOfKernel} from '../../kinds/index.js'
import {nsRefKey, type TargetNs} from './namespaces.js'
import type {PlanInput} from './index.js'

/** What planning decided about one desired interface; addresses, routes and ARP entries read it. */
export interface InterfacePlan {
  d: DInterface
  state: 'pending' | 'create' | 'recreate' | 'existing'
  reason?: string
  target?: TargetNs & {status: 'ready' | 'create'}
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

/** A link deletion waiting for its namespace's unlink commands (deletions.ts). */
export interface Unlink {
  l: OLink
  key: string
  change: Change
}

/** lo's addresses the kernel adds itself when lo comes up: never lnx's to add or remove (the loopback kind's). */
export const LO_KERNEL = new Set(kindOfKernel('loopback')?.addresses?.kernelOwn)

/** localeCompare's order (the same default collator) at a fraction of its cost per call: sorting 5000 route keys
 * took 30-75 ms with localeCompare, about 1 ms with one Collator. */
// Made on first use: ICU's collator set-up (and the check below) cost about 8 ms at module load, in every command —
// `lnx --version` and `validate` included — though only the planner sorts.
let collator: Intl.Collator | undefined
export const byText = (a: string, b: string): number => (collator ??= new Intl.Collator()).compare(a, b)

/**
 * Keys made only of these characters are ordered by the collator as by code units, when the collator is English
 * with default options: each character has a primary weight of its own, in code-unit order ("-" < "." < "/" <
 * digits < letters), with no contraction among them. Other locales (Danish "aa", Czech "ch", …) are not assumed.
 */
const PLAIN_KEY = /^[-./0-9a-z]*$/
let plainChecked: boolean | undefined
const plainIsCodeUnitOrder = (): boolean => (plainChecked ??= checkPlainOrder())
function checkPlainOrder(): boolean {
  const o = (collator ??= new Intl.Collator()).resolvedOptions()
  if (new Intl.Locale(o.locale).language !== 'en' || o.numeric || o.caseFirst !== 'false' || o.ignorePunctuation || o.collation !== 'default') return false
  const chars = '-./0123456789abcdefghijklmnopqrstuvwxyz'
  for (let i = 1; i < chars.length; i++) if (byText(chars[i - 1], chars[i]) >= 0) return false
  return true
}

/**
 * A copy of items in the order of a stable sort by (rank, byText(text)), for less: sorted by code units first, then
 * checked against the collator pair by pair (n collator calls, not n log n) unless every key is plain (above).
 * Where the two orders differ (mixed case, "_" …) the check fails and the list is sorted with the collator: the
 * result is always the collator's.
 */
export function sortedByText<T>(items: readonly T[], text: (x: T) => string, rank?: (x: T) => number): T[] {
  const n = items.length
  const keys = new Array<string>(n)
  const ranks = new Array<number>(n)
  const order = new Array<number>(n)
  let plain = plainIsCodeUnitOrder()
  for (let i = 0; i < n; i++) {
    keys[i] = text(items[i])
    ranks[i] = rank ? rank(items[i]) : 0
    order[i] = i
    if (plain && !PLAIN_KEY.test(keys[i])) plain = false
  }
  // Ties by input position: stable.
  order.sort((a, b) => ranks[a] - ranks[b] || (keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : a - b))
  if (!plain) {
    for (let i = 1; i < n; i++) {
      const a = order[i - 1]
      const b = order[i]
      const c = ranks[a] - ranks[b] || byText(keys[a], keys[b])
      if (c > 0 || (c === 0 && keys[a] !== keys[b])) return [...items].sort((x, y) => (rank ? rank(x) - rank(y) : 0) || byText(text(x), text(y)))
    }
  }
  return order.map((i) => items[i])
}

/** Config keys of observed routes and neighbours (the kernel prints them canonically: no normalising needed). */
export const observedRouteKey = (r: ORoute, iface: string) => `config/linux/l3/v2/route/${r.dst}/${iface}`
export const observedArpKey = (iface: string, ip: string) => `config/linux/l3/v2/arp/${iface}/${ip}`
export {interfaceKey}

/** The undo of a command that needs none: one shared empty list (undo lists are read-only), not one per command. */
const NO_UNDO: readonly Cmd[] = Object.freeze([])

export class PlanContext {
  readonly changes: Change[] = []
  readonly pending: Pending[] = []
  unchanged = 0
  readonly warnings: string[] = []
  readonly collisions: ItemError[] = []
  readonly foreignStrips: ItemError[] = []
  /** This label's links by logical name, as the kernel shows them. */
  readonly owned = new Map<string, OwnedLink>()
  /** Desired interfaces by name, once classified. */
  readonly interfaces = new Map<string, InterfacePlan>()
  /** Observed links this run deletes (a veth's peer with it). */
  readonly deleted = new Set<OLink>()
  /** Named namespaces this run creates. */
  readonly createdNs = new Set<string>()
  /** Namespaces (by path) whose lo gets IPv6 enabled in this run. */
  readonly loV6Enabled = new Set<string>()
  /** Link deletions per namespace id, turned into commands at the end (deletions.ts). */
  readonly unlinks = new Map<string, {ns: ObservedNs; items: Unlink[]}>()
  /** Re-adds that follow a deleted link's re-creation on revert (its routes and neighbours). */
  readonly linkUndoExtra = new Map<OLink, Cmd[]>()
  readonly desiredByName = new Map<string, DInterface>()
  /** Interfaces routes and ARP entries go on, by name, once worked out (l3-target.ts). */
  readonly l3Targets = new Map<string, L3Target>()
  /** Gateway-less scope-link routes by interface: what makes a gateway reachable without an address. */
  readonly linkRoutesByIface = new Map<string, DRoute[]>()
  // Indexes: planning stays linear in the number of items (100k-item plans).
  private readonly changeIndex: Record<Action, Map<string, Change>> = {create: new Map(), update: new Map(), delete: new Map()}
  private readonly pendingKeys = new Set<string>()
  private readonly nsIndexes = new Map<ObservedNs, ObservedNsIndex>()
  /** Every observed link's owned view (null: not this label's), read once: parsing aliases is per-link work. */
  private readonly views = new Map<OLink, OwnedLink | null>()

  constructor(readonly input: PlanInput) {
    for (const ns of input.obs.namespaces) {
      for (const l of ns.links) {
        const v = ownedView(l, input.label)
        this.views.set(l, v)
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

  index(ns: ObservedNs): ObservedNsIndex {
    let i = this.nsIndexes.get(ns)
    if (!i) {
      i = new ObservedNsIndex(ns)
      this.nsIndexes.set(ns, i)
    }
    return i
  }

  change(action: Action, kind: ItemKind, key: string, ns: NsHandle | string, detail: string, cmds: Cmd[], drift = false): Change {
    const c: Change = {action, kind, key, namespace: typeof ns === 'string' ? ns : ns.label, detail, cmds}
    if (drift && !this.input.noDrift) c.drift = true
    this.changes.push(c)
    const byKey = this.changeIndex[action]
    if (!byKey.has(key)) byKey.set(key, c)
    return c
  }

  /** The first change of this action on this item. */
  changeOf(action: Action, key: string): Change | undefined {
    return this.changeIndex[action].get(key)
  }

  hasChange(key: string, action?: Action): boolean {
    const i = this.changeIndex
    return action ? i[action].has(key) : i.create.has(key) || i.update.has(key) || i.delete.has(key)
  }

  cmd(ns: NsHandle, phase: Phase, line: string, key: string, undo: readonly Cmd[] = NO_UNDO): Cmd {
    return {ns, phase, line, key, undo}
  }

  collide(key: string, message: string, path = '') {
    const d = this.input.desired
    const src = [...d.interfaces, ...d.routes, ...d.arps].find((x) => x.key === key)?.source
    this.collisions.push({file: src?.file ?? '', key, path, message})
  }

  pend(key: string, reason: string) {
    if (this.pendingKeys.has(key)) return
    this.pendingKeys.add(key)
    this.pending.push({key, reason})
  }

  /** The namespace a desired interface goes to, as resolved before planning. */
  targetOf(d: DInterface): TargetNs | undefined {
    return this.input.namespaces.get(nsRefKey(d.ns))
  }

  /** The link of that host name in that namespace, unless this run deletes it. */
  linkByHost(ns: ObservedNs | undefined, host: string): OLink | undefined {
    const l = ns ? this.index(ns).links.get(host) : undefined
    return l && !this.deleted.has(l) ? l : undefined
  }

  desiredIf(name: string): DInterface | undefined {
    return this.desiredByName.get(name)
  }

  /** Host name → logical name of this label's links in a namespace. */
  logicalNames(ns: ObservedNs): Map<string, string> {
    const m = new Map<string, string>()
    for (const l of ns.links) {
      const v = this.viewOf(l)
      if (v) m.set(l.name, v.name)
    }
    return m
  }

  /** ownedView of an observed link, from the views read once. */
  viewOf(l: OLink): OwnedLink | null {
    const v = this.views.get(l)
    return v === undefined ? ownedView(l, this.input.label) : v
  }
}

/** An owned link that exists and keeps its dependents through this run. */
/** Whether the link is up once this run is done (a kind that keeps an adopted link up keeps it so). */
export function upAfterRun(p: InterfacePlan): boolean {
  return kindOf(p.d.type)!.keepsUp ? p.d.enabled || !!(p.cur?.link ?? p.adopt)?.up : p.d.enabled
}

export function persists(p: InterfacePlan): boolean {
  return !!p.cur && p.state === 'existing' && !p.fresh
}
