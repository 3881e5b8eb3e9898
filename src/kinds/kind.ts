// What a link kind declares: one object per proto Interface_Type (src/kinds/<kind>.ts), collected in the registry
// (src/kinds/index.ts). Validation, normalisation, the planner, read-back (owned links → items, REST dump, Notify),
// graph, doctor and the imperative `interface add --type` read these declarations instead of testing type names.
//
// Why src/kinds/ and not engine/: model/validate.ts and model/normalize.ts read the kinds, and model/ must not
// import engine/. A kind module imports only what sits below the engine: model/ (types, names, IP parsing), the
// `ip` line builders of kernel/iproute2.ts (pure strings), and types (never values) of kernel/ and engine/. Nothing
// in src/kinds/ imports model/validate.ts, model/normalize.ts or kernel/owned.ts, which import the registry: no cycle.
import type {Interface, Interface_Type} from '../model/generated.js'
import type {DInterface} from '../model/types.js'
import type {ObservedNs, OLink} from '../kernel/observe.js'
import type {LinkEnd} from '../kernel/iproute2.js'

/** Every proto type but UNDEFINED. */
export type KindType = Exclude<Interface_Type, 'UNDEFINED'>

/** Reports a problem at a field path of the item being validated. */
export type Report = (path: string, message: string, hint?: string) => void

export interface ValidateContext {
  err: Report
  warn: Report
  /** The first item of these files with this logical name. */
  item: (name: string) => Interface | undefined
  /** Checks a logical name (required, characters, length); reports at path and says whether it is usable. */
  checkName: (value: string | undefined, path: string, what: string) => boolean
}

/** What the alias of an owned link says beyond label and name (the vpp-agent's formats), read back. */
export interface AliasFields {
  peerName?: string
  vppTap?: string
  origHost?: string
}

/** An owned link as read back (kernel/owned.ts builds it from the alias; the kind fills its own fields). */
export interface OwnedView extends AliasFields {
  link: OLink
  name: string
  type: KindType
}

/** A flag of `interface add` that belongs to one kind (plain data: commands/ builds the oclif flag from it). */
export interface KindFlag {
  description: string
  options?: string[]
  integer?: boolean
  /** The field path of the item it sets (errors on that path name the flag). */
  path?: string
}

/** What `interface add` knows when a kind builds its item from flags. */
export interface AddContext {
  name: string
  hostName?: string
  ips: string[]
  /** This kind's flag values, by flag name. */
  flags: Record<string, string | number | undefined>
  /** An item lnx already owns, by logical name. */
  owned: (name: string) => Interface | undefined
  /** User addresses of a link lnx does not own, in the default namespace, by host name. */
  foreignAddresses: (host: string) => string[]
  /** Refuses the command line: exit 2 naming the flag. */
  refuse: (flag: string, message: string, detail?: string) => never
}

/** A kernel module the kind needs, and how doctor proves the kernel can make one. */
export interface KernelSupport {
  /** doctor's check is named link-<check>: the kernel's name of the kind. */
  check: string
  module: string
  /** Required by lnx whatever the config (veth, tun); otherwise only when a config uses the kind. */
  required: boolean
  /** An `ip -batch` line that creates one, named from `name` (run in a throwaway namespace). */
  probe: (name: string) => string
  fix?: string
}

export interface LinkKind {
  type: KindType
  /** `interface add --type` value. */
  flag: string
  /** `ip -d link`'s info_kind of links of this kind ("loopback": lo, which has none); empty: any kind. */
  kernelKinds: string[]
  /** The Interface's oneof link section that belongs to this kind. */
  section?: 'veth' | 'tap' | 'vrf_dev'
  /** The one host name a link of this kind has (lo): host_if_name cannot change it, one per namespace. */
  hostName?: string
  /** False: the item takes no namespace (adopted where it is, in the default namespace). */
  inNamespace: boolean
  /** MTU the kernel takes (min_mtu..max_mtu) and why; defaultMtu is what MTU 0 means (undefined: left alone). */
  mtu: {min: number; max: number; why: string}
  defaultMtu?: number
  /** A runtime limit beyond the static range: what is wrong with d's MTU given the default namespace as read. */
  mtuProblem?: (d: DInterface, defaultNs: ObservedNs | undefined) => string | undefined
  /** Fields of the link itself lnx sets (beyond state and addresses). */
  manages: {mtu: boolean; mac: boolean; rename: boolean}
  /** Links lnx creates carry lnx's group (their creation mark: a crash before the alias leaves a leftover). */
  lnxGroup: boolean
  /** Two links made together, each the other's peer (a logical name: DInterface.peer, peerOf an item). */
  pair?: {peerOf: (i: Interface) => string | undefined}
  /** enabled: false does not take the adopted link down (lnx keeps a link that is up, up). */
  keepsUp?: boolean
  /** Can be the vrf_master_interface of another link: also (and be in a VRF itself), or only (a VRF is never
   * inside another VRF). */
  vrfMaster?: 'also' | 'only'
  /** Addresses: kernelOwn are the kernel's (listed: satisfied; never stripped); fullSet: ip_addresses are the
   * link's full set of a link lnx did not make (others' addresses are stripped, said loudly; none listed: left
   * alone; not rebuilt for order); keptOnRelease: `interface delete` leaves the addresses in place. */
  addresses?: {kernelOwn?: string[]; fullSet?: boolean; keptOnRelease?: boolean}
  /** Type-specific rules of validation (the common ones — names, addresses, MTU range, sections — are generic). */
  validate?: (i: Interface, ctx: ValidateContext) => void
  /** The kind's own fields of the desired model. */
  normalize?: (i: Interface) => Partial<DInterface>
  /** Alias: what follows …/<label>/<name> (the vpp-agent's format of the kind); existingMark: lnx's own EXISTING
   * prefix instead, which no vpp-agent reads. */
  alias?: {rest?: (d: DInterface, origHost?: string) => string[]; existingMark?: boolean}
  /** Read back: is this owned link (its kernel kind is one of kernelKinds) of this kind, and its alias fields. */
  owns?: (l: OLink, aliasRest: string[], lnxGroup: boolean) => boolean
  fromAlias?: (rest: string[]) => AliasFields
  /** The item's own section, from an owned link (dump, imperative read-modify-write). */
  toItem?: (v: OwnedView) => Partial<Interface>
  /** The REST dump's "Link" ({"Veth": …}), in the vpp-agent's encoding. */
  restLink?: (v: OwnedView, offloadOff: () => Promise<{rx: boolean; tx: boolean}>) => Promise<Record<string, unknown> | undefined>
  /** graph: the node's kind line, and its shape (hexagon: VPP's side). */
  graph: {label: (d: DInterface) => string; shape?: 'hexagon'}
  kernel?: KernelSupport
  plan: KindPlan
  /** `interface add`: the kind's own flags, and the items the command line asks for (this one first). */
  cli?: {flags?: Record<string, KindFlag>; items?: (item: Interface, ctx: AddContext) => Interface[]}
}

/** What the planner needs to know of an owned link's surroundings to judge it (kernel/owned.ts answers). */
export interface RecreateContext {
  /** The logical name of a link this label owns; undefined for any other link. */
  ownedName: (l: OLink) => string | undefined
  /** In lnx's group without alias: a crash leftover. */
  isLeftover: (l: OLink) => boolean
  /** The host name a desired interface will have. */
  hostOf: (name: string) => string | undefined
}

/** How the planner (engine/plan/) makes, keeps and removes a link of the kind. */
export interface KindPlan {
  /** Where the link comes from: lnx creates it (create/createPair), or adopts the link of its host name where it
   * is, the namespace's lo, or VPP's tap from the default namespace. */
  origin: 'create' | 'adopt-host' | 'adopt-lo' | 'adopt-vpp-tap'
  /** The `ip` line that creates one (kernel/iproute2.ts); a pair: both ends in one line. None for a kind of origin
   * create: this lnx version does not create it yet (pending, said so). */
  create?: (end: LinkEnd) => string
  createPair?: (a: LinkEnd, b: LinkEnd) => string
  /** What it waits for beyond its namespace and kernel module (pending reason), given the names defined. */
  waitsFor?: (d: DInterface, defined: (name: string) => boolean) => string | undefined
  /** What forces a re-create beyond a type or namespace change (delete + create, dependents re-made). */
  recreateReason?: (d: DInterface, cur: OwnedView, cx: RecreateContext) => string | undefined
  /** Kinds an owned link of this kind may read back as without a type change (a dummy out of lnx's group). */
  mayReadBackAs?: KindType[]
  /** Its undo when the item goes: deleted (a pair with its peer), reverted to what was adopted, or released
   * (the mark cleared, or set to "unconfigured" as the vpp-agent leaves lo). */
  removal: 'delete' | 'revert' | 'release'
  releaseMark?: 'unconfigured'
}

/** "a VETH", "an EXISTING". */
export const article = (type: string) => `${/^[AEIOU]/.test(type) ? 'an' : 'a'} ${type}`
