// What lnx owns, read from marks in the kernel itself (docs/DESIGN.md "Principles"): the link group set at creation,
// the vpp-agent-format alias, and the route/neighbour protocol number.
import type {DInterface} from '../model/types.js'
import {isLnxGroup, isLnxProto, type OLink, type ONeigh, type ORoute} from './observe.js'
import {ADOPTED, kindOf, kindOfKernel} from '../kinds/index.js'
import type {OwnedView} from '../kinds/kind.js'

export const ALIAS_PREFIX = '/vnf-agent/'
/**
 * lnx's mark on an adopted EXISTING link. The vpp-agent sets no alias on EXISTING links, and on a resync it takes
 * every link whose alias starts with /vnf-agent/<label>/ for one of its own — a veth marked /vnf-agent/<label>/<name>
 * would be a half-pair without peer, which it deletes. This prefix is one no vpp-agent reads, so a vpp-agent taking
 * the host back never destroys a NIC lnx adopted. The old mark (/vnf-agent/<label>/<name>) is still recognised.
 */
export const EXISTING_PREFIX = '/lnx-existing/'
/** The alias a reverted TAP or released LOOPBACK gets (as the vpp-agent does). */
export const UNCONFIGURED = 'unconfigured'

export interface AliasInfo {
  label: string
  name: string
  rest: string[]
  /** The EXISTING mark (EXISTING_PREFIX). */
  existing?: boolean
}

export function parseAlias(a: string | undefined): AliasInfo | null {
  if (!a) return null
  const existing = a.startsWith(EXISTING_PREFIX)
  if (!existing && !a.startsWith(ALIAS_PREFIX)) return null
  const parts = a.slice(existing ? EXISTING_PREFIX.length : ALIAS_PREFIX.length).split('/')
  if (parts.length < 2 || !parts[0] || !parts[1]) return null
  if (existing) return parts.length === 2 ? {label: parts[0], name: parts[1], rest: [], existing} : null
  return {label: parts[0], name: parts[1], rest: parts.slice(2)}
}

/** The vpp-agent's alias formats, …/name and what the kind adds (VETH /peer; TAP /vppTap/origHostName); EXISTING lnx's. */
export function aliasFor(label: string, d: DInterface, origHost?: string): string {
  const alias = kindOf(d.type)?.alias
  if (alias?.existingMark) return `${EXISTING_PREFIX}${label}/${d.name}`
  return [`${ALIAS_PREFIX}${label}/${d.name}`, ...(alias?.rest?.(d, origHost) ?? [])].join('/')
}

export type Ownership = 'owned' | 'leftover' | 'other' | 'foreign'

/**
 * owned: our alias (created or adopted by lnx with this label, or by a vpp-agent with it: take-over);
 * leftover: a crash between `link add` and `link set alias` — in lnx's group, without alias, and of a kind lnx
 * creates: a dummy, or a veth whose peer is lnx's too (in lnx's group, without alias or with this label's);
 * other: the alias of another label — someone else's; foreign: everything else (a bridge, lo or a veth of
 * someone else's that merely sits in group 76 is not lnx's to delete).
 */
export function ownership(l: OLink, label: string): Ownership {
  const a = parseAlias(l.alias)
  if (a) return a.label === label ? 'owned' : 'other'
  if (isLnxGroup(l) && !l.alias && lnxMadeKind(l, label)) return 'leftover'
  return 'foreign'
}

function lnxMadeKind(l: OLink, label: string): boolean {
  const k = kindOfKernel(l.kind)
  if (!k?.lnxGroup) return false
  if (!k.pair) return true
  if (!l.peer || !isLnxGroup(l.peer)) return false
  const pa = parseAlias(l.peer.alias)
  return !l.peer.alias || (!!pa && pa.label === label)
}

export type OwnedLink = OwnedView

export function ownedView(l: OLink, label: string): OwnedLink | null {
  if (ownership(l, label) !== 'owned') return null
  const a = parseAlias(l.alias)!
  // The kernel kind and the alias shape (or lnx's group) tell the kind: a VETH (…/name/peer) or TAP
  // (…/name/vppTap/orig) from an adopted link (…/name, or lnx's EXISTING mark).
  const k = kindOfKernel(l.kind)
  const kind = !a.existing && k?.owns?.(l, a.rest, isLnxGroup(l)) ? k : ADOPTED
  return {
    link: l,
    name: a.name,
    type: kind.type,
    peerName: undefined,
    vppTap: undefined,
    origHost: undefined,
    ...kind.fromAlias?.(a.rest),
  }
}

export const routeOwned = (r: ORoute) => isLnxProto(r.protocol)
export const neighOwned = (n: ONeigh) => isLnxProto(n.protocol) && n.permanent
