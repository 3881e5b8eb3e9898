// Interfaces: what state each desired interface is in (classification: create, re-create, existing, pending),
// what it adopts (EXISTING, LOOPBACK, VPP's tap, crash leftovers), and the commands that create or update it.
// Addresses, routes and ARP entries read the InterfacePlan this leaves in cx.interfaces.
import {LnxError} from '../../errors.js'
import {LNX_GROUP} from '../../model/keys.js'
import {nsLabel, type DInterface} from '../../model/types.js'
import {vppTapCandidates} from '../../model/names.js'
import {isLnxGroup, type ObservedNs, type OLink} from '../../kernel/observe.js'
import {aliasFor, neighOwned, ownedView, ownership, parseAlias, UNCONFIGURED, type OwnedLink} from '../../kernel/owned.js'
import {DEFAULT_HANDLE} from '../../kernel/namespaces.js'
import {ipLine, type LinkEnd} from '../../kernel/iproute2.js'
import type {Change, Cmd} from '../contract.js'
import type {InterfacePlan, PlanContext} from './context.js'
import {ensureNamespace, type TargetNs} from './namespaces.js'
import {deleteLeftover, deleteOwnedLink} from './deletions.js'
import {kindOf, kindOfKernel, type LinkKind} from '../../kinds/index.js'

/** Classifies every desired interface (in name order); both ends of a pair end up in the same state. */
export function classifyInterfaces(cx: PlanContext, ifaces: DInterface[]) {
  for (const d of ifaces) classify(cx, d)
  reconcilePairs(cx)
}

/** The commands that create, adopt or update each classified interface. */
export function planInterfaces(cx: PlanContext, ifaces: DInterface[]) {
  for (const d of ifaces) planInterface(cx, cx.interfaces.get(d.name)!)
  for (const d of ifaces) {
    if (d.vrfMaster && cx.interfaces.get(d.name)!.state !== 'pending') cx.warnings.push(`${d.key}: vrf_master_interface ${d.vrfMaster} is not applied (lnx does not manage VRF membership yet)`)
  }
}

function classify(cx: PlanContext, d: DInterface) {
  const p: InterfacePlan = {d, state: 'existing', fresh: false, v6gone: false}
  cx.interfaces.set(d.name, p)
  const ns = cx.targetOf(d)
  if (!ns) throw new LnxError('INTERNAL', `namespace of ${d.key} was not resolved`)
  if (ns.status === 'pending') return markPending(p, `namespace ${nsLabel(d.ns)}: ${ns.reason}`)
  p.target = ns
  const targetObs = ns.status === 'ready' ? ns.obs : undefined
  const cur = cx.owned.get(d.name)
  const k = kindOf(d.type)!
  const waits = k.plan.waitsFor?.(d, (n) => !!cx.desiredIf(n))
  if (waits) return markPending(p, waits)
  const unmade = cur ? undefined : notMadeHere(cx, k)
  if (unmade) return markPending(p, unmade)
  if (cur) {
    p.cur = cur
    const why = recreateReason(cx, d, cur, ns)
    if (why) {
      p.state = 'recreate'
      p.reason = why
      if (k.plan.origin === 'adopt-vpp-tap' && cur.type === d.type) {
        // Re-created as the vpp-agent does: the old binding's tap is reverted, then the tap adopted from the default
        // namespace — the same one (namespace change), or the new binding's, which must exist first.
        if (cur.vppTap === d.vppTap) p.adopt = revertedTap(cx, cur)
        else {
          const l = findVppTap(cx, d, cur.link)
          if (!l) return markPending(p, `${why}: ${vppTapMissing(cx, d)}`)
          if (!adoptable(cx, l, d)) return
          p.adopt = l
        }
      }
    }
    return checkHostFree(cx, p, targetObs)
  }
  // Not owned yet: find what to adopt, or check that the name is free.
  switch (k.plan.origin) {
    case 'adopt-host': {
      const l = cx.linkByHost(targetObs, d.hostName)
      if (!l) return markPending(p, `host link ${d.hostName} does not exist${ns.handle.label ? ` in ${ns.handle.label}` : ''}`)
      if (!adoptable(cx, l, d)) return
      p.adopt = l
      return
    }
    case 'adopt-lo': {
      const l = cx.linkByHost(targetObs, k.hostName!)
      if (l && !adoptable(cx, l, d)) return
      p.adopt = l
      if (!l) p.state = 'existing' // created with the namespace
      return
    }
    case 'adopt-vpp-tap': {
      const l = findVppTap(cx, d)
      if (!l) return markPending(p, vppTapMissing(cx, d))
      if (!adoptable(cx, l, d)) return
      p.adopt = l
      p.state = 'create'
      return checkHostFree(cx, p, targetObs)
    }
    default: {
      const l = cx.linkByHost(targetObs, d.hostName)
      if (l) {
        const own = ownership(l, cx.input.label)
        if (own === 'leftover' && k.pair && kindOfKernel(l.kind) === k) {
          // A crash between `link add` and `link set alias`: ours, adopted (reconcilePairs checks its peer).
          p.adopt = l
          p.state = 'existing'
          return
        }
        if (own === 'leftover') {
          deleteLeftover(cx, l)
        } else if (own === 'owned') {
          // Ours, under another logical name that is no longer in the config: handed over by re-creation.
          const v = ownedView(l, cx.input.label)!
          if (cx.desiredIf(v.name)) return cx.collide(d.key, `host name ${d.hostName} is used by ${v.name}, also in the config`, 'host_if_name')
          deleteOwnedLink(cx, v, 'its host name is taken by ' + d.name)
        } else {
          return cx.collide(d.key, `a link named ${d.hostName} already exists in ${ns.handle.label || 'the default namespace'} and lnx does not own it (${describeLink(l)})`, d.hostName === d.name ? 'name' : 'host_if_name')
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
function findVppTap(cx: PlanContext, d: DInterface, not?: OLink): OLink | undefined {
  const def = cx.input.obs.byLabel.get('')
  for (const n of vppTapCandidates(d.vppTap!, d.hostName)) {
    const l = cx.linkByHost(def, n)
    if (l && l !== not && kindOf(d.type)!.kernelKinds.includes(l.kind)) return l
  }
  return undefined
}

function vppTapMissing(cx: PlanContext, d: DInterface): string {
  const def = cx.input.obs.byLabel.get('')
  const names = vppTapCandidates(d.vppTap!, d.hostName)
  const other = names.map((n) => cx.linkByHost(def, n)).find((x) => x)
  const looked = `${names[0]} (VPP's name for TAP ${d.vppTap} without host_if_name)${names.length > 1 ? `, ${names.slice(1).join(', ')}` : ''}`
  return `VPP's tap is not in the default namespace: looked for ${looked}${other ? `; ${other.name} is a ${other.kind || 'link'}, not a tap` : ' (VPP has not created it yet)'}`
}

/** The tap as deleting cur leaves it: VPP's name, default namespace, alias "unconfigured", no addresses, down. */
function revertedTap(cx: PlanContext, cur: OwnedLink): OLink {
  const l = cur.link
  return {...l, name: cur.origHost ?? cur.vppTap ?? l.name, ns: cx.input.obs.byLabel.get('') ?? l.ns, alias: UNCONFIGURED, addresses: [], up: false}
}

function markPending(p: InterfacePlan, reason: string) {
  p.state = 'pending'
  p.reason = reason
}

/** EXISTING, LOOPBACK and TAP links are adopted only when their alias is empty, "unconfigured" or ours. */
function adoptable(cx: PlanContext, l: OLink, d: DInterface): boolean {
  if (!l.alias || l.alias === UNCONFIGURED) return true
  const a = parseAlias(l.alias)
  if (a && a.label === cx.input.label && a.name === d.name) return true
  cx.collide(d.key, `${l.name} has the alias "${l.alias}", which is not lnx's mark for ${d.name}: another tool or agent manages it`, 'host_if_name')
  return false
}

function checkHostFree(cx: PlanContext, p: InterfacePlan, obs: ObservedNs | undefined) {
  const d = p.d
  const mine = p.cur?.link ?? p.adopt
  const l = cx.linkByHost(obs, d.hostName)
  if (!l || l === mine) return
  // Moving or renaming onto a name that is taken.
  const own = ownership(l, cx.input.label)
  if (own === 'leftover') return deleteLeftover(cx, l)
  if (own === 'owned') {
    const v = ownedView(l, cx.input.label)!
    if (!cx.desiredIf(v.name)) return deleteOwnedLink(cx, v, 'its host name is taken by ' + d.name)
    return
  }
  cx.collide(d.key, `a link named ${d.hostName} already exists in ${obs?.handle.label || 'the default namespace'} and lnx does not own it (${describeLink(l)})`, 'host_if_name')
}

/** Why a kind cannot be made on this host by this lnx: its kernel module is missing, or it has no create line. */
function notMadeHere(cx: PlanContext, k: LinkKind): string | undefined {
  const m = k.kernel
  if (m && !m.required && !cx.input.kernelKinds?.has(m.check)) return `${k.type} interfaces are not supported by this kernel (no ${m.module} module: modprobe ${m.module})`
  if (k.plan.origin === 'create' && !k.plan.create && !k.plan.createPair) return `${k.type} interfaces are not created by this lnx version yet`
  return undefined
}

/** A type or namespace change (for kinds that live in one), or what the kind itself says forces a re-create. */
function recreateReason(cx: PlanContext, d: DInterface, cur: OwnedLink, ns: TargetNs): string | undefined {
  const k = kindOf(d.type)!
  if (cur.type !== d.type && !k.plan.mayReadBackAs?.includes(cur.type)) return `type ${cur.type} → ${d.type}`
  const here = cur.link.ns
  if (k.inNamespace) {
    if (ns.status === 'create' || (ns.status === 'ready' && ns.obs.id !== here.id)) return `namespace ${here.handle.label || 'default'} → ${ns.status === 'create' ? ns.name : ns.handle.label || 'default'}`
  }
  const label = cx.input.label
  return k.plan.recreateReason?.(d, cur, {
    ownedName: (l) => ownedView(l, label)?.name,
    isLeftover: (l) => ownership(l, label) === 'leftover',
    hostOf: (n) => cx.desiredIf(n)?.hostName,
  })
}

/** Both ends of a pair are created together: if one must be (re)made, so must the other. */
function reconcilePairs(cx: PlanContext) {
  let again = true
  while (again) {
    again = false
    for (const p of cx.interfaces.values()) {
      if (!kindOf(p.d.type)!.pair || !p.d.peer) continue
      const q = cx.interfaces.get(p.d.peer)
      if (!q) continue
      if (p.state === 'pending' && q.state !== 'pending') {
        markPending(q, `peer ${p.d.name} is pending (${p.reason})`)
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
  for (const p of cx.interfaces.values()) if (p.state === 'pending') cx.pend(p.d.key, p.reason!)
}

function planInterface(cx: PlanContext, p: InterfacePlan) {
  const d = p.d
  if (p.state === 'pending') return
  const t = p.target!
  ensureNamespace(cx, t)
  const h = t.handle
  const k = kindOf(d.type)!
  const alias = aliasFor(cx.input.label, d, p.adopt?.name ?? p.cur?.origHost ?? d.vppTap)

  if (p.state === 'recreate' && p.cur) {
    // The owned link exists but differs in what only a re-creation changes (moved, peer gone, …): drift.
    deleteOwnedLink(cx, p.cur, `re-created: ${p.reason}`, {drift: true})
    // The deletion entry stands for the old object; the creation below for the new one.
  }
  if (p.state === 'existing' && p.adopt && k.pair) {
    // Adopting a crash leftover: only the alias is missing.
    return updateLink(cx, p, p.adopt, alias, true, true)
  }
  if (p.state === 'existing') {
    const link = p.cur?.link ?? p.adopt
    if (!link) {
      // The lo (origin adopt-lo) of a namespace created in this run.
      return updateLoopbackOfNewNs(cx, p, alias)
    }
    return updateLink(cx, p, link, alias, !p.cur)
  }
  // create / recreate
  p.fresh = true
  if (k.plan.createPair) {
    const q = cx.interfaces.get(d.peer!)!
    if (q.fresh && q.hostAfterLinks) {
      // The pair line was emitted with the peer.
      configureNew(cx, p, alias, false)
      return
    }
    const qt = q.target!
    ensureNamespace(cx, qt)
    const end = (x: InterfacePlan, tt: TargetNs & {status: 'ready' | 'create'}): LinkEnd => ({
      host: x.d.hostName,
      netns: tt.handle.isDefault ? undefined : tt.handle.path,
      mtu: x.d.mtu,
      mac: x.d.mac,
    })
    p.hostAfterLinks = d.hostName
    q.hostAfterLinks = q.d.hostName
    q.fresh = true
    const line = k.plan.createPair(end(p, t), end(q, qt))
    const cmds = [cx.cmd(DEFAULT_HANDLE, 'links', line, d.key, [cx.cmd(h, 'teardown', ipLine.linkDel(d.hostName), d.key)])]
    const where = (x: TargetNs & {status: 'ready' | 'create'}) => x.handle.label || 'default'
    cx.change('create', 'interface', d.key, h, `${k.flag} pair ${d.hostName} (${where(t)}) ↔ ${q.d.hostName} (${where(qt)})`, cmds, p.state === 'recreate' || q.state === 'recreate')
    configureNew(cx, p, alias, false)
    return
  }
  if (k.plan.origin === 'adopt-vpp-tap') {
    const l = p.adopt!
    const cmds: Cmd[] = []
    if (!h.isDefault) {
      // Moving a link takes it down and drops its addresses, routes and neighbours: the undo moves it back and
      // restores them as they were (the tap is VPP's; a failed adoption must leave it untouched).
      const back = [
        cx.cmd(h, 'teardown', ipLine.move(d.hostName, DEFAULT_HANDLE.path, l.name), d.key),
        ...l.addresses.filter((a) => !a.auto).map((a) => cx.cmd(DEFAULT_HANDLE, 'teardown', ipLine.addrReplace(l.name, a.cidr), d.key)),
        ...(l.up ? [cx.cmd(DEFAULT_HANDLE, 'teardown', ipLine.up(l.name), d.key)] : []),
        ...(l.up ? flushedRoutes(cx, l, l.name) : []),
        ...permanentNeighs(cx, l, l.name).all,
      ]
      cmds.push(cx.cmd(DEFAULT_HANDLE, 'links', ipLine.move(l.name, h.path, d.hostName), d.key, back))
    } else if (l.name !== d.hostName) {
      cmds.push(cx.cmd(DEFAULT_HANDLE, 'links', ipLine.rename(l.name, d.hostName), d.key, [cx.cmd(h, 'teardown', ipLine.rename(d.hostName, l.name), d.key)]))
    }
    p.hostAfterLinks = d.hostName
    // What adoption changes on the tap is restored on revert.
    const restore: Cmd[] = []
    restore.push(cx.cmd(h, 'configure', ipLine.alias(d.hostName, l.alias), d.key))
    if (l.mtu !== d.mtu && d.mtu) restore.push(cx.cmd(h, 'configure', ipLine.mtu(d.hostName, l.mtu), d.key))
    if (d.mac && l.mac !== d.mac) restore.push(cx.cmd(h, 'configure', ipLine.mac(d.hostName, l.mac), d.key))
    const c = cx.change('create', 'interface', d.key, h, `adopt tap ${l.name}${h.isDefault ? '' : ` into ${h.label}`}${l.name !== d.hostName ? ` as ${d.hostName}` : ''}`, cmds)
    configureNew(cx, p, alias, true, c, restore)
    if (!h.isDefault) p.v6gone = true
    return
  }
  if (k.plan.create) {
    // Created in place (netns names the target), in lnx's group; undone by deleting it.
    const line = k.plan.create({host: d.hostName, netns: h.isDefault ? undefined : h.path, mtu: d.mtu, mac: d.mac})
    cx.change('create', 'interface', d.key, h, `${k.flag} ${d.hostName}`, [cx.cmd(DEFAULT_HANDLE, 'links', line, d.key, [cx.cmd(h, 'teardown', ipLine.linkDel(d.hostName), d.key)])])
    p.hostAfterLinks = d.hostName
    configureNew(cx, p, alias, false)
  }
}

/** Alias, MTU, MAC and state of a link made (or moved) in this run. */
function configureNew(cx: PlanContext, p: InterfacePlan, alias: string, setMtuMac: boolean, into?: Change, restore: Cmd[] = []) {
  const d = p.d
  const h = p.target!.handle
  const cmds: Cmd[] = []
  const undoFirst = restore.length ? restore : []
  cmds.push(cx.cmd(h, 'configure', ipLine.alias(d.hostName, alias), d.key, undoFirst))
  if (setMtuMac && d.mtu) cmds.push(cx.cmd(h, 'configure', ipLine.mtu(d.hostName, d.mtu), d.key))
  if (setMtuMac && d.mac) cmds.push(cx.cmd(h, 'configure', ipLine.mac(d.hostName, d.mac), d.key))
  // An adopted tap that was up (in the default namespace, not moved) stays up on revert.
  const wasUp = !!p.adopt?.up && p.target!.handle.isDefault
  if (d.enabled) cmds.push(cx.cmd(h, 'configure', ipLine.up(d.hostName), d.key, wasUp ? [] : [cx.cmd(h, 'configure', ipLine.down(d.hostName), d.key)]))
  cmds.push(...offloadCmds(cx, p, undefined))
  if (into) into.cmds.push(...cmds)
  else {
    const c = cx.changeOf('create', d.key)
    if (c) c.cmds.push(...cmds)
    else cx.change('create', 'interface', d.key, h, `${kindOf(d.type)!.flag} end ${d.hostName}`, cmds, p.state === 'recreate')
  }
}

function updateLoopbackOfNewNs(cx: PlanContext, p: InterfacePlan, alias: string) {
  const d = p.d
  const h = p.target!.handle
  const k = kindOf(d.type)!
  const lo = k.hostName!
  const cmds = [cx.cmd(h, 'configure', ipLine.alias(lo, alias), d.key)]
  if (d.mtu && d.mtu !== k.defaultMtu) cmds.push(cx.cmd(h, 'configure', ipLine.mtu(lo, d.mtu), d.key))
  if (d.enabled) cmds.push(cx.cmd(h, 'configure', ipLine.up(lo), d.key))
  p.fresh = true
  cx.change('create', 'interface', d.key, h, `${k.flag} of ${h.label}`, cmds)
}

/** In-place update of an existing link: never flaps it unless the config asks for down. */
function updateLink(cx: PlanContext, p: InterfacePlan, l: OLink, alias: string, adopting: boolean, leftover = false) {
  const d = p.d
  const k = kindOf(d.type)!
  const h = l.ns.handle
  const cmds: Cmd[] = []
  const diffs: string[] = []
  let host = l.name
  if (d.hostName !== l.name && k.manages.rename) {
    cmds.push(cx.cmd(h, 'configure', ipLine.rename(l.name, d.hostName), d.key, [cx.cmd(h, 'configure', ipLine.rename(d.hostName, l.name), d.key)]))
    diffs.push(`host_if_name ${l.name} → ${d.hostName}`)
    host = d.hostName
  }
  // An EXISTING still carrying the old /vnf-agent/ mark gets lnx's EXISTING mark: a migration, not drift.
  let migrated = false
  if (l.alias !== alias) {
    cmds.push(cx.cmd(h, 'configure', ipLine.alias(host, alias), d.key, [cx.cmd(h, 'configure', ipLine.alias(host, l.alias), d.key)]))
    migrated = !adopting && !!k.alias?.existingMark && parseAlias(l.alias)?.existing !== true
    diffs.push(adopting ? `adopt (mark with alias ${alias})` : migrated ? `mark ${l.alias} → ${alias} (a mark the vpp-agent ignores)` : `alias ${l.alias ?? '(none)'} → ${alias}`)
  }
  if (d.mtu && d.mtu !== l.mtu && k.manages.mtu) {
    cmds.push(cx.cmd(h, 'configure', ipLine.mtu(host, d.mtu), d.key, [cx.cmd(h, 'configure', ipLine.mtu(host, l.mtu), d.key)]))
    diffs.push(`mtu ${l.mtu} → ${d.mtu}`)
  }
  if (k.lnxGroup && !isLnxGroup(l)) {
    // lnx's group is its creation mark: moved out of it by hand, the link is put back.
    cmds.push(cx.cmd(h, 'configure', ipLine.group(host, LNX_GROUP), d.key, [cx.cmd(h, 'configure', ipLine.group(host, l.group), d.key)]))
    diffs.push(`group ${l.group} → ${LNX_GROUP}`)
  }
  if (d.mac && d.mac !== l.mac && k.manages.mac) {
    // A new MAC flushes the link's neighbours, permanent ones included: lnx's are re-asserted by their items,
    // foreign ones here — and, on revert, all of them again after the old MAC is back.
    const neighs = permanentNeighs(cx, l, host)
    cmds.push(cx.cmd(h, 'configure', ipLine.mac(host, d.mac), d.key, [cx.cmd(h, 'configure', ipLine.mac(host, l.mac), d.key), ...neighs.all]))
    cmds.push(...neighs.foreign)
    diffs.push(`phys_address ${l.mac} → ${d.mac}${neighs.foreign.length ? ` (re-asserting ${neighs.foreign.length} foreign permanent neighbour${neighs.foreign.length === 1 ? '' : 's'} the change flushes)` : ''}`)
    p.l3Reset = true
  }
  const wantUp = k.keepsUp ? l.up || d.enabled : d.enabled
  if (wantUp !== l.up) {
    if (wantUp) cmds.push(cx.cmd(h, 'configure', ipLine.up(host), d.key, [cx.cmd(h, 'configure', ipLine.down(host), d.key)]))
    else {
      // Undo: up again, then what going down flushed (IPv4 routes that are not the kernel's, permanent neighbours).
      // IPv6 addresses go with the link's state too: the undo puts back those it had.
      const v6back = l.addresses.filter((a) => a.family === 6 && !a.auto).map((a) => cx.cmd(h, 'l3', ipLine.addrReplace(host, a.cidr), d.key))
      cmds.push(cx.cmd(h, 'configure', ipLine.down(host), d.key, [cx.cmd(h, 'configure', ipLine.up(host), d.key), ...v6back, ...flushedRoutes(cx, l, host), ...permanentNeighs(cx, l, host).all]))
      // Down drops IPv4 routes, permanent neighbours and IPv6 addresses: everything below re-adds them.
      p.v6gone = true
      p.fresh = true
    }
    diffs.push(`enabled ${l.up} → ${wantUp}`)
  }
  const off = offloadCmds(cx, p, l)
  if (off.length) {
    cmds.push(...off)
    diffs.push('checksum offload')
  }
  p.hostAfterLinks = host
  // A veth of lnx's without its alias mark (cleared by hand, or a crash) is drift too.
  if (cmds.length) cx.change('update', 'interface', d.key, h, diffs.join(', '), cmds, (!adopting || leftover) && !(migrated && diffs.length === 1))
  else cx.unchanged++
}

/** Permanent neighbours of a link as observed, as `neigh replace` lines: all of them, and the foreign ones. */
function permanentNeighs(cx: PlanContext, l: OLink, host: string): {all: Cmd[]; foreign: Cmd[]} {
  const h = l.ns.handle
  const key = `foreign/${h.label || 'default'}/${host}`
  const all: Cmd[] = []
  const foreign: Cmd[] = []
  for (const n of cx.index(l.ns).neighsByDev.get(l.name) ?? []) {
    if (!n.permanent || !n.mac) continue
    const c = cx.cmd(h, 'l3', ipLine.neighReplace(host, n.ip, n.mac, n.protocol), key)
    all.push(c)
    if (!neighOwned(n)) foreign.push({...c, undo: []})
  }
  return {all, foreign}
}

/** IPv4 routes on a link that taking it down flushes (the kernel's own come back by themselves), to re-add. */
function flushedRoutes(cx: PlanContext, l: OLink, host: string): Cmd[] {
  const h = l.ns.handle
  return (cx.index(l.ns).routesByDev.get(l.name) ?? [])
    .filter((r) => r.family === 4 && r.protocol !== 'kernel' && r.type === 'unicast')
    .map((r) => cx.cmd(h, 'l3', ipLine.route('replace', {dst: r.dst, gw: r.gw, dev: host, metric: r.metric, scope: r.scope, family: r.family, table: r.table, proto: r.protocol}), `foreign/${h.label || 'default'}/${host}`))
}

function offloadCmds(cx: PlanContext, p: InterfacePlan, l: OLink | undefined): Cmd[] {
  const d = p.d
  // Only kinds with checksum offloading (a veth) have these fields (kinds/<kind>.ts normalize).
  const want = (o?: string) => (o === 'CHKSM_OFFLOAD_DISABLED' ? false : o === 'CHKSM_OFFLOAD_ENABLED' ? true : undefined)
  const rx = want(d.rxOffload)
  const tx = want(d.txOffload)
  if (rx === undefined && tx === undefined) return []
  const h = p.target!.handle
  const cur = l ? cx.input.offload?.get(`${l.ns.id}/${l.name}`) : undefined
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

function describeLink(l: OLink): string {
  return [l.kind || 'link', l.alias ? `alias "${l.alias}"` : 'no alias', `group ${l.group}`].join(', ')
}
