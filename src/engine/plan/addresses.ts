// Addresses: the diff of an interface's addresses (with the primary-first order the kernel keeps per subnet), the
// IPv6 enabling they need, and what an interface holds after this run (what routes and ARP entries wait for).
import {addressKey} from '../../model/keys.js'
import {formatPrefix, network, parsePrefix} from '../../model/ip.js'
import {ipLine} from '../../kernel/iproute2.js'
import type {Change, Cmd} from '../contract.js'
import {persists, type InterfacePlan, type PlanContext} from './context.js'
import {kindOf} from '../../kinds/index.js'
import {article} from '../../kinds/kind.js'

/** link_only, or a kind whose ip_addresses are a full set of someone else's link (EXISTING) listing none: the
 * addresses are left to someone else. */
const leftAlone = (p: InterfacePlan) => p.d.linkOnly || (!!kindOf(p.d.type)!.addresses?.fullSet && p.d.addresses.length === 0)

/** Addresses an interface will hold after this run (for route/ARP dependencies). */
export function addrsAfter(cx: PlanContext, p: InterfacePlan): string[] {
  if (leftAlone(p)) {
    const l = p.cur?.link ?? p.adopt
    return l ? l.addresses.filter((a) => !a.auto).map((a) => a.cidr) : []
  }
  return p.d.addresses
}

/** The addresses of one interface: added, deleted, and the subnets rebuilt around their primary. */
export function planAddresses(cx: PlanContext, p: InterfacePlan) {
  const d = p.d
  if (p.state === 'pending') return
  if (leftAlone(p)) return
  const k = kindOf(d.type)!
  const h = p.target!.handle
  const host = d.hostName
  // A tap adopted where it is (default namespace) keeps what it has: its addresses are diffed, not assumed gone.
  const inPlace = k.plan.origin === 'adopt-vpp-tap' && !p.cur && !!p.adopt?.ns.handle.isDefault && p.target!.handle.isDefault
  const l = inPlace ? p.adopt : p.fresh && p.state !== 'existing' ? undefined : p.cur?.link ?? p.adopt
  // lo's 127.0.0.1/8 and ::1/128 are the kernel's (it adds them when lo comes up): listed, they are satisfied.
  const kernelOwn = (c: string) => !!k.addresses?.kernelOwn?.includes(c)
  const observed = (l?.addresses ?? []).filter((a) => !a.auto && !kernelOwn(a.cidr))
  const present = p.v6gone ? observed.filter((a) => a.family !== 6) : observed
  // Exactly the one listed address there, as a primary: nothing to do (most links of a no-op re-apply).
  if (present.length === 1 && d.addresses.length === 1 && present[0].cidr === d.addresses[0] && !present[0].secondary) {
    cx.unchanged++
    return
  }
  // Nothing there (a new link): every listed address is added, in order, without the subnet bookkeeping below.
  const rebuild = present.length > 0
  const want: ReadonlySet<string> = rebuild ? new Set(d.addresses) : NONE
  // The first listed IPv4 address of a subnet is its primary (the src of the connected route). A subnet whose
  // primary goes away, or is not the first listed, is rebuilt: every address of it is deleted (secondaries
  // first, so none is promoted whatever promote_secondaries says) and the listed ones re-added in order.
  const firstOfNet = new Map<string, string>()
  if (rebuild) for (const c of d.addresses) {
    if (parsePrefix(c)?.family === 4 && !firstOfNet.has(subnet(c))) firstOfNet.set(subnet(c), c)
  }
  // A link that is someone else's (EXISTING: a NIC the host may be reached through) is not rebuilt for the order alone.
  const reorder = !k.addresses?.fullSet
  const doomedNets: ReadonlySet<string> = !rebuild ? NONE : new Set(present.filter((a) => a.family === 4 && !a.secondary && (!want.has(a.cidr) || (reorder && firstOfNet.get(subnet(a.cidr)) !== a.cidr))).map((a) => subnet(a.cidr)))
  const extra = !rebuild ? [] : present.filter((a) => !want.has(a.cidr) || (a.family === 4 && doomedNets.has(subnet(a.cidr))))
  // Then: new addresses outside the rebuilt subnets go first (the link never runs out of addresses), then
  // deletions (secondaries first), then the rest — removing the last address flushes routes and neighbours.
  extra.sort((a, b) => Number(b.secondary) - Number(a.secondary))
  const lost: ReadonlySet<string> = extra.length ? new Set(extra.filter((a) => want.has(a.cidr)).map((a) => a.cidr)) : NONE
  const have: ReadonlySet<string> = rebuild ? new Set(present.map((a) => a.cidr)) : NONE
  const adds = d.addresses.filter((c) => !kernelOwn(c) && (!have.has(c) || lost.has(c)))
  cx.unchanged += d.addresses.length - adds.length
  const early = lost.size || doomedNets.size ? adds.filter((c) => !lost.has(c) && !doomedNets.has(subnet(c))) : adds
  const late = early === adds ? [] : adds.filter((c) => !early.includes(c))
  // Missing from an owned link that stays: someone removed it (or the file added it — without a state file
  // lnx cannot tell; either way the owned link differs from its item).
  const persisting = persists(p)
  let v6: Change | undefined
  const add = (cidr: string) => {
    const key = addressKey(d.name, cidr)
    const why = lost.has(cidr) ? (want.has(cidr) && firstOfNet.get(subnet(cidr)) === cidr ? ' (re-added first: the first listed address of its subnet is the primary)' : ' (re-added: its subnet is rebuilt around the primary)') : ''
    const v6lost = p.v6gone && parsePrefix(cidr)?.family === 6
    // Re-adding an address the link had before this run (flushed by a down): the undo of the down restores it.
    const had = v6lost && observed.some((a) => a.cidr === cidr)
    const c = cx.change('create', 'address', key, h, `${cidr} on ${host}${why}`, [
      cx.cmd(h, 'l3', ipLine.addrAdd(host, cidr), key, had ? [] : [cx.cmd(h, 'l3', ipLine.addrDel(host, cidr), key)]),
    ], persisting && !v6lost)
    if (!v6 && parsePrefix(cidr)?.family === 6) v6 = c
  }
  early.forEach(add)
  if (extra.length) p.l3Reset = true
  // Undo of the deletions: every address the link had, in its original order (replace is idempotent), on the
  // first deletion — so a revert also brings back secondaries the kernel dropped with their primary.
  const restoreAll = extra.length ? observed.map((a) => cx.cmd(h, 'l3', ipLine.addrReplace(host, a.cidr), addressKey(d.name, a.cidr))) : []
  // Adopting an EXISTING link: its item's ip_addresses are the full set (the vpp-agent's meaning), so the addresses
  // it had are removed — the operator's, not lnx's: named as such in the plan and warned about.
  const foreign = !!k.addresses?.fullSet && !p.cur
  // Drift is an out-of-band edit of something lnx owns: a link adopted in this run (a tap where VPP made it) was not.
  extra.forEach((a, i) => {
    const key = addressKey(d.name, a.cidr)
    const strip = foreign && !lost.has(a.cidr)
    const detail = strip ? `strips ${a.cidr} from ${host}, not lnx's (${article(d.type)} item's ip_addresses are the link's full set)`
      : lost.has(a.cidr) ? `${a.cidr} on ${host} (deleted to be re-added in the listed order)` : `${a.cidr} on ${host}`
    cx.change('delete', 'address', key, h, detail, [cx.cmd(h, 'l3', ipLine.addrDel(host, a.cidr), key, i === 0 ? restoreAll : [])], !foreign && !inPlace)
    if (strip) {
      cx.foreignStrips.push({file: d.source?.file ?? '', key: d.key, path: 'ip_addresses', message: `strips ${a.cidr} from ${host}, not lnx's: ${article(d.type)} item's ip_addresses are the link's full set`, hint: `list ${a.cidr} in ip_addresses to keep it`})
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
    if (host !== 'lo' && !cx.loV6Enabled.has(nsId)) {
      cx.loV6Enabled.add(nsId)
      c.cmds.unshift(sysctl('lo'))
    }
  }
}

const NONE: ReadonlySet<string> = new Set()

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
