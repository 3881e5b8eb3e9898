// ARP entries: each desired permanent neighbour against the kernel's neighbours of its link.
import type {DArp} from '../../model/types.js'
import {neighOwned} from '../../kernel/owned.js'
import {ipLine} from '../../kernel/iproute2.js'
import {persists, type PlanContext} from './context.js'
import {interfaceFor} from './l3-target.js'

/** One desired ARP entry (a permanent neighbour): unchanged, created, updated, adopted from the vpp-agent, or a collision. */
export function planArp(cx: PlanContext, a: DArp) {
  const t = interfaceFor(cx, a.iface, 'an ARP entry')
  if (typeof t === 'string') return cx.pend(a.key, `ARP ${a.ip}: ${t}`)
  const {p, handle: h, host, ix, linkName} = t
  const n = p.fresh || !ix ? undefined : ix.neigh(String(linkName), a.ip)
  // Already there, lnx's and not to re-assert: most entries of a no-op re-apply.
  if (n && n.permanent && neighOwned(n) && n.mac === a.mac && !p.l3Reset) return void cx.unchanged++
  const detail = `${a.ip} → ${a.mac} on ${host}`
  if (n && n.permanent) {
    if (neighOwned(n)) {
      if (n.mac === a.mac && p.l3Reset) {
        cx.change('update', 'arp', a.key, h, `${detail} (re-asserted: the address change may flush it)`, [cx.cmd(h, 'l3', ipLine.neighReplace(host, a.ip, a.mac), a.key, [])])
        return
      }
      if (n.mac === a.mac) return void cx.unchanged++
      cx.change('update', 'arp', a.key, h, `${a.ip} on ${host}: ${n.mac} → ${a.mac}`, [
        cx.cmd(h, 'l3', ipLine.neighReplace(host, a.ip, a.mac), a.key, [cx.cmd(h, 'l3', ipLine.neighReplace(host, a.ip, n.mac ?? '', n.protocol), a.key)]),
      ], true)
      return
    }
    if (n.mac === a.mac && n.protocol === '0') {
      // Take-over from the vpp-agent, whose neighbours carry no protocol; other tools' are collisions.
      cx.change('update', 'arp', a.key, h, `adopt ${detail} (protocol ${n.protocol} → lnx)`, [
        cx.cmd(h, 'l3', ipLine.neighReplace(host, a.ip, a.mac), a.key, [cx.cmd(h, 'l3', ipLine.neighReplace(host, a.ip, n.mac ?? '', n.protocol), a.key)]),
      ])
      return
    }
    return cx.collide(a.key, `a permanent neighbour ${a.ip} (${n.mac}, protocol ${n.protocol}) already exists on ${n.dev} and lnx does not own it`, 'ip_address')
  }
  cx.change('create', 'arp', a.key, h, detail, [
    cx.cmd(h, 'l3', ipLine.neighReplace(host, a.ip, a.mac), a.key, [cx.cmd(h, 'l3', ipLine.neighDel(host, a.ip), a.key)]),
  ], persists(p))
}
