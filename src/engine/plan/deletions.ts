// Deletions: owned links (deleted, or released for kinds lnx adopts rather than creates), their routes and
// neighbours, crash leftovers, --prune, `lnx delete`, and what --prune would delete (kept). The link deletions
// themselves are batched per namespace in unlink.ts.
import {neighOwned, ownedView, ownership, routeOwned, UNCONFIGURED, type OwnedLink} from '../../kernel/owned.js'
import type {OLink, ORoute} from '../../kernel/observe.js'
import {DEFAULT_HANDLE} from '../../kernel/namespaces.js'
import {ipLine} from '../../kernel/iproute2.js'
import type {Cmd} from '../contract.js'
import {addLinkUndo, markDeleted, unlink} from './unlink.js'
import {interfaceKey, observedArpKey, observedRouteKey, sortedByText, type InterfacePlan, type PlanContext} from './context.js'
import {deleteEmptyNamespaces} from './namespaces.js'
import {describeRoute} from './routes.js'
import {kindOf} from '../../kinds/index.js'

/** A link in lnx's group without its alias (a crash between `link add` and the alias): deleted. */
export function deleteLeftover(cx: PlanContext, l: OLink) {
  if (cx.deleted.has(l)) return
  markDeleted(cx, l)
  const key = `leftover/${l.ns.handle.label || 'default'}/${l.name}`
  const c = cx.change('delete', 'interface', key, l.ns.handle, `lnx leftover ${l.name} (lnx group, no alias)`, [])
  unlink(cx, l, key, c)
}

/** Deletes (or, for adopted kinds, releases) an owned link, after its owned routes and neighbours. */
export function deleteOwnedLink(cx: PlanContext, v: OwnedLink, why: string, opts: {stripListed?: string[]; drift?: boolean} = {}) {
  const drift = !!opts.drift
  const l = v.link
  if (cx.deleted.has(l)) return
  const key = interfaceKey(v.name)
  const ns = l.ns.handle
  const k = kindOf(v.type)!
  const drop = k.plan.removal === 'delete'
  deleteDependents(cx, l, v.name, drop)
  if (drop) {
    markDeleted(cx, l)
    const peer = l.peer ? ownedView(l.peer, cx.input.label) : null
    const c = cx.change('delete', 'interface', key, ns, `${k.pair ? `${k.flag} ${l.name}${l.peer ? ` (and its peer ${l.peer.name})` : ''}` : l.name}: ${why}`, [], drift)
    unlink(cx, l, key, c)
    if (peer && peer.name !== v.name) {
      deleteDependents(cx, l.peer!, peer.name, true)
      if (!cx.hasChange(interfaceKey(peer.name), 'delete')) {
        cx.change('delete', 'interface', interfaceKey(peer.name), l.peer!.ns.handle, `${k.flag} ${l.peer!.name}: deleted with its peer ${v.name}`, [], drift)
      }
    }
    return
  }
  if (k.plan.removal === 'revert') {
    // VPP's tap: back to VPP's name in the default namespace, without lnx's addresses, state and mark.
    markDeleted(cx, l)
    const orig = v.origHost ?? v.vppTap ?? l.name
    const cmds: Cmd[] = []
    const userAddrs = l.addresses.filter((a) => !a.auto)
    for (const a of userAddrs) cmds.push(cx.cmd(ns, 'teardown', ipLine.addrDel(l.name, a.cidr), key, [cx.cmd(ns, 'teardown', ipLine.addrReplace(l.name, a.cidr), key)]))
    if (l.up) cmds.push(cx.cmd(ns, 'teardown', ipLine.down(l.name), key, [cx.cmd(ns, 'teardown', ipLine.up(l.name), key)]))
    cmds.push(cx.cmd(ns, 'teardown', ipLine.alias(l.name, UNCONFIGURED), key, [cx.cmd(ns, 'teardown', ipLine.alias(l.name, l.alias), key)]))
    if (!ns.isDefault) {
      cmds.push(cx.cmd(ns, 'teardown', ipLine.move(l.name, DEFAULT_HANDLE.path, orig), key, [cx.cmd(DEFAULT_HANDLE, 'teardown', ipLine.move(orig, ns.path, l.name), key)]))
    } else if (orig !== l.name) {
      cmds.push(cx.cmd(ns, 'teardown', ipLine.rename(l.name, orig), key, [cx.cmd(ns, 'teardown', ipLine.rename(orig, l.name), key)]))
    }
    cx.change('delete', 'interface', key, ns, `revert tap ${l.name} to ${orig} in the default namespace (never destroyed): ${why}`, cmds, drift)
    return
  }
  // Released (EXISTING, LOOPBACK, VRF): the mark goes; only the addresses the item lists are stripped (delete -f).
  const cmds: Cmd[] = []
  const stripped: string[] = []
  // lo's own addresses stay: the kernel's, not the item's to remove.
  const kernelOwn = (c: string) => !!k.addresses?.kernelOwn?.includes(c)
  for (const cidr of opts.stripListed ?? []) {
    if (!l.addresses.some((a) => a.cidr === cidr) || kernelOwn(cidr)) continue
    stripped.push(cidr)
    cmds.push(cx.cmd(ns, 'teardown', ipLine.addrDel(l.name, cidr), key, [cx.cmd(ns, 'teardown', ipLine.addrReplace(l.name, cidr), key)]))
  }
  // A released lo gets "unconfigured", as the vpp-agent leaves it (interface_loop.go); others get their alias cleared.
  cmds.push(cx.cmd(ns, 'teardown', ipLine.alias(l.name, k.plan.releaseMark === 'unconfigured' ? UNCONFIGURED : undefined), key, [cx.cmd(ns, 'teardown', ipLine.alias(l.name, l.alias), key)]))
  const kept = l.addresses.filter((a) => !a.auto && !stripped.includes(a.cidr) && !kernelOwn(a.cidr)).map((a) => a.cidr)
  cx.change('delete', 'interface', key, ns,
    `release ${l.name} (${v.type}: never deleted)${stripped.length ? `, remove ${stripped.join(', ')}` : ''}${kept.length ? `; addresses left in place: ${kept.join(', ')}` : ''}: ${why}`, cmds, drift)
}

/**
 * Owned routes and neighbours on a link that is going away, listed so that a revert restores them. When the link
 * itself is deleted (implicit), the kernel removes them with it: no command, the re-adds join the link's undo.
 */
function deleteDependents(cx: PlanContext, l: OLink, name: string, implicit = false) {
  const ns = l.ns
  const ix = cx.index(ns)
  const why = `its interface ${name} goes away`
  for (const r of (ix.routesByDev.get(l.name) ?? []).filter(routeOwned)) deleteRoute(cx, r, observedRouteKey(r, name), implicit ? `${why} (removed with it)` : why, implicit ? l : undefined)
  for (const n of (ix.neighsByDev.get(l.name) ?? []).filter(neighOwned)) {
    const key = observedArpKey(name, n.ip)
    if (cx.hasChange(key)) continue
    const readd = cx.cmd(ns.handle, 'l3', ipLine.neighReplace(l.name, n.ip, n.mac ?? '', n.protocol), key)
    if (implicit) {
      addLinkUndo(cx, l, readd)
      cx.change('delete', 'arp', key, ns.handle, `${n.ip} on ${l.name}: ${why} (removed with it)`, [])
    } else {
      cx.change('delete', 'arp', key, ns.handle, `${n.ip} on ${l.name}: ${why}`, [cx.cmd(ns.handle, 'teardown', ipLine.neighDel(l.name, n.ip), key, [readd])])
    }
  }
}

/** Deletes an owned route; deleted with its link (withLink), it only joins the link's undo. */
export function deleteRoute(cx: PlanContext, r: ORoute, key: string, why: string, withLink?: OLink) {
  if (cx.hasChange(key, 'delete')) return
  const ns = r.ns.handle
  const spec = {dst: r.dst, gw: r.gw, dev: r.dev!, metric: r.metric, scope: r.scope, family: r.family, table: r.table, proto: r.protocol}
  const readd = cx.cmd(ns, 'l3', ipLine.route('replace', spec), key)
  if (withLink) {
    addLinkUndo(cx, withLink, readd)
    cx.change('delete', 'route', key, ns, `${describeRoute(spec)}: ${why}`, [])
    return
  }
  cx.change('delete', 'route', key, ns, `${describeRoute(spec)}: ${why}`, [cx.cmd(ns, 'teardown', ipLine.route('del', spec), key, [readd])])
}

/**
 * A link this run takes down loses its routes and permanent neighbours: the kernel flushes them. The owned ones no
 * item of this run lists would vanish unannounced, and nothing brings them back (lnx keeps no state; an imperative
 * verb reads the kernel): they are planned as deletions, whose undo re-adds them should the run fail, and a
 * warning says how to put them back once the link is up. Listed ones stay pending: their config re-adds them.
 */
export function deleteFlushedByDown(cx: PlanContext, p: InterfacePlan) {
  const l = p.cur?.link
  // A kind that keeps an adopted link up (EXISTING) is never taken down by enabled: false.
  if (!l || p.state !== 'existing' || !l.up || p.d.enabled || kindOf(p.d.type)!.keepsUp) return
  const listed = new Set([...cx.input.desired.routes, ...cx.input.desired.arps].filter((x) => x.iface === p.d.name).map((x) => x.key))
  const name = p.d.name
  const ix = cx.index(l.ns)
  const why = `${l.name} goes down, and the kernel flushes it with the link (lnx keeps no copy)`
  const readd: string[] = []
  for (const r of (ix.routesByDev.get(l.name) ?? []).filter(routeOwned)) {
    const key = observedRouteKey(r, name)
    if (listed.has(key) || cx.hasChange(key, 'delete')) continue
    const metric = r.metric !== (r.family === 6 ? 1024 : 0) ? ` --metric ${r.metric}` : ''
    const scope = r.family === 4 && r.scope !== (r.gw ? 'global' : 'link') ? ` --scope ${r.scope}` : ''
    const cmd = `lnx route add ${r.dst} --dev ${name}${r.gw ? ` --via ${r.gw}` : ''}${metric}${scope}`
    readd.push(cmd)
    deleteRoute(cx, r, key, `${why}; once ${name} is up again: ${cmd}`)
  }
  const ns = l.ns.handle
  for (const n of (ix.neighsByDev.get(l.name) ?? []).filter(neighOwned)) {
    const key = observedArpKey(name, n.ip)
    if (listed.has(key) || cx.hasChange(key)) continue
    const cmd = `lnx arp add ${n.ip} ${n.mac} --dev ${name}`
    readd.push(cmd)
    cx.change('delete', 'arp', key, ns, `${n.ip} → ${n.mac} on ${l.name}: ${why}; once ${name} is up again: ${cmd}`, [
      cx.cmd(ns, 'teardown', ipLine.neighDel(l.name, n.ip), key, [cx.cmd(ns, 'l3', ipLine.neighReplace(l.name, n.ip, n.mac ?? '', n.protocol), key)]),
    ])
  }
  if (readd.length) cx.warnings.push(`${name} goes down: the kernel flushes its routes and ARP entries, and lnx keeps no copy of them; once it is up again, re-add them: ${readd.join('; ')}`)
}

/** --prune: owned links, leftovers, routes and neighbours of this label that the config does not name. */
export function planPrune(cx: PlanContext) {
  const desiredNames = new Set(cx.input.desired.interfaces.map((i) => i.name))
  for (const v of cx.owned.values()) {
    if (desiredNames.has(v.name)) continue
    deleteOwnedLink(cx, v, 'not in the config (--prune)')
  }
  for (const ns of cx.input.obs.namespaces) {
    for (const l of ns.links) if (ownership(l, cx.input.label) === 'leftover' && !isAdopted(cx, l)) deleteLeftover(cx, l)
  }
  // Owned routes/neighbours that no config item describes — only on this label's links: another label's (or
  // another agent's) carry the same protocol number and stay untouched.
  const routeKeys = new Set(cx.input.desired.routes.map((r) => r.key))
  const arpKeys = new Set(cx.input.desired.arps.map((a) => a.key))
  for (const ns of cx.input.obs.namespaces) {
    const names = cx.logicalNames(ns)
    const ix = cx.index(ns)
    for (const r of ns.routes.filter(routeOwned)) {
      const name = names.get(r.dev ?? '')
      const dev = ix.links.get(r.dev ?? '')
      if (!name || (dev && cx.deleted.has(dev))) continue
      const key = observedRouteKey(r, name)
      if (!routeKeys.has(key)) deleteRoute(cx, r, key, 'not in the config (--prune)')
    }
    for (const n of ns.neighs.filter(neighOwned)) {
      const name = names.get(n.dev)
      const dev = ix.links.get(n.dev)
      if (!name || (dev && cx.deleted.has(dev))) continue
      const key = observedArpKey(name, n.ip)
      if (arpKeys.has(key)) continue
      cx.change('delete', 'arp', key, ns.handle, `${n.ip} on ${n.dev}: not in the config (--prune)`, [
        cx.cmd(ns.handle, 'teardown', ipLine.neighDel(n.dev, n.ip), key, [cx.cmd(ns.handle, 'l3', ipLine.neighReplace(n.dev, n.ip, n.mac ?? '', n.protocol), key)]),
      ])
    }
  }
}

function isAdopted(cx: PlanContext, l: OLink) {
  for (const p of cx.interfaces.values()) if (p.adopt === l) return true
  return false
}

/** lnx delete: the file's items, routes and neighbours first, then links (and, asked, emptied namespaces). */
export function planDelete(cx: PlanContext) {
  const {desired} = cx.input
  // An imperative delete has no file: its item was named on the command line, the rest goes with its interface.
  const gone = new Set(desired.interfaces.map((d) => d.name))
  const why = (kind: 'route' | 'interface', iface?: string) =>
    !cx.input.noDrift ? 'in the file (delete)' : iface && gone.has(iface) ? `its interface ${iface} goes away` : `as asked (lnx ${kind} delete)`
  for (const r of desired.routes) {
    const iface = cx.owned.get(r.iface)
    if (!iface) continue
    const o = iface.link.ns.routes.find((x) => routeOwned(x) && x.dev === iface.link.name && x.dst === r.dst)
    if (o) deleteRoute(cx, o, r.key, why('route', r.iface))
  }
  for (const a of desired.arps) {
    const iface = cx.owned.get(a.iface)
    if (!iface) continue
    const n = cx.index(iface.link.ns).neigh(iface.link.name, a.ip)
    if (n && !neighOwned(n)) continue
    if (!n) continue
    const ns = iface.link.ns.handle
    cx.change('delete', 'arp', a.key, ns, `${a.ip} on ${iface.link.name}`, [
      cx.cmd(ns, 'teardown', ipLine.neighDel(iface.link.name, a.ip), a.key, [cx.cmd(ns, 'l3', ipLine.neighReplace(iface.link.name, a.ip, n.mac ?? '', n.protocol), a.key)]),
    ])
  }
  for (const d of sortedByText(desired.interfaces, (d) => d.name)) {
    const v = cx.owned.get(d.name)
    if (!v) continue
    deleteOwnedLink(cx, v, why('interface'), {stripListed: d.addresses})
  }
  if (cx.input.deleteNamespaces) deleteEmptyNamespaces(cx)
}

/** What --prune would delete, counted: owned links the config does not name, and owned routes/ARPs on this label's links. */
export function countKept(cx: PlanContext): number {
  let n = 0
  for (const v of cx.owned.values()) if (!cx.desiredIf(v.name) && !cx.deleted.has(v.link)) n++
  // Built on the first namespace holding this label's links (none on a fresh host).
  let routeKeys: Set<string> | undefined
  let arpKeys: Set<string> | undefined
  for (const ns of cx.input.obs.namespaces) {
    const logical = cx.logicalNames(ns)
    if (!logical.size) continue
    routeKeys ??= new Set(cx.input.desired.routes.map((r) => r.key))
    arpKeys ??= new Set(cx.input.desired.arps.map((a) => a.key))
    const ix = cx.index(ns)
    const gone = (dev: string) => {
      const l = ix.links.get(dev)
      return !!l && cx.deleted.has(l)
    }
    for (const r of ns.routes) {
      if (!routeOwned(r)) continue
      const name = logical.get(r.dev ?? '')
      if (name && !gone(r.dev!) && !routeKeys.has(observedRouteKey(r, name)) && !cx.hasChange(observedRouteKey(r, name), 'delete')) n++
    }
    for (const x of ns.neighs) {
      if (!neighOwned(x)) continue
      const name = logical.get(x.dev)
      if (name && !gone(x.dev) && !arpKeys.has(observedArpKey(name, x.ip)) && !cx.hasChange(observedArpKey(name, x.ip), 'delete')) n++
    }
  }
  return n
}
