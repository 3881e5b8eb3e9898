// The registry of link kinds: one line per proto Interface_Type (but UNDEFINED). Everything that treats link kinds
// differently — validation, normalisation, the planner, read-back, REST dump, Notify, graph, doctor, `interface
// add --type` — looks a kind up here. A new kind: its module beside these, one line below, one builder of `ip`
// lines in kernel/iproute2.ts, and the .proto change (docs/adding-a-link-kind.md).
import {Interface_Type_VALUES, type Interface_Type} from '../model/generated.js'
import type {KindType, LinkKind} from './kind.js'
import {veth} from './veth.js'
import {tap} from './tap.js'
import {loopback} from './loopback.js'
import {existing} from './existing.js'
import {dummy} from './dummy.js'
import {vrf} from './vrf.js'

export type {KindType, LinkKind} from './kind.js'

/** The order lists show them in (`--type`, doctor). Read-back goes by kernel kind, EXISTING being the fallback. */
export const KINDS: readonly LinkKind[] = [
  veth,
  tap,
  loopback,
  existing,
  dummy,
  vrf,
]

const byType = new Map<string, LinkKind>(KINDS.map((k) => [k.type, k]))
const byFlag = new Map<string, LinkKind>(KINDS.map((k) => [k.flag, k]))
const byKernel = new Map<string, LinkKind>(KINDS.flatMap((k) => k.kernelKinds.map((n) => [n, k] as const)))

/** The kind of a proto type; undefined for UNDEFINED (or a type this registry lacks). */
export const kindOf = (type: Interface_Type | string | undefined): LinkKind | undefined => (type ? byType.get(type) : undefined)

/** The kind of an observed link's kernel kind (info_kind; "loopback" for lo). */
export const kindOfKernel = (kernelKind: string): LinkKind | undefined => byKernel.get(kernelKind)

/** The kind of an `interface add --type` value. */
export const kindOfFlag = (flag: string): LinkKind | undefined => byFlag.get(flag)

/** The fallback of read-back: a link lnx owns that no kind claims is an adopted one. */
export const ADOPTED: LinkKind = existing

/** Type names in proto order, for messages ("one of VETH, TAP_TO_VPP, …"). */
export const typeNames = (): KindType[] => KINDS.map((k) => k.type).sort((a, b) => Interface_Type_VALUES[a] - Interface_Type_VALUES[b])
