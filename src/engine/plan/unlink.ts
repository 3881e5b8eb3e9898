// Link deletions, batched per namespace: one goes as `link del dev`, several as one `link del group` (one kernel
// unregister batch instead of ≈17 ms per veth), each with the undo that re-creates the link as it was observed.
import {isLnxGroup, type OLink} from '../../kernel/observe.js'
import {DEFAULT_HANDLE} from '../../kernel/namespaces.js'
import {ipLine, type LinkEnd} from '../../kernel/iproute2.js'
import type {Change, Cmd} from '../contract.js'
import type {PlanContext} from './context.js'
import {kindOfKernel} from '../../kinds/index.js'

/**
 * Link deletions are collected per namespace: one goes as `link del dev`; several are marked with a group of
 * their own and deleted with one `link del group` (one kernel unregister batch instead of ≈17 ms per veth).
 */
export function unlink(cx: PlanContext, l: OLink, key: string, change: Change) {
  const k = l.ns.id
  if (!cx.unlinks.has(k)) cx.unlinks.set(k, {ns: l.ns, items: []})
  cx.unlinks.get(k)!.items.push({l, key, change})
}

/** The collected link deletions as commands: after every item is planned. */
export function finishUnlinks(cx: PlanContext) {
  for (const {ns, items} of cx.unlinks.values()) {
    const h = ns.handle
    if (items.length === 1) {
      const {l, key, change} = items[0]
      change.cmds.push(cx.cmd(h, 'unlink', ipLine.linkDel(l.name), key, recreateLinkUndo(cx, l, key)))
      continue
    }
    const used = new Set(ns.links.map((l) => l.group))
    let g = 100000 + (process.pid % 100000)
    while (used.has(String(g))) g++
    const undo: Cmd[] = []
    for (const {l, key, change} of items) {
      // The group's undo goes with the re-created links' configuration (after them, should they be re-made).
      change.cmds.push(cx.cmd(h, 'unlink', ipLine.group(l.name, g), key, [cx.cmd(h, 'configure', ipLine.group(l.name, l.group), key)]))
      undo.push(...recreateLinkUndo(cx, l, key))
    }
    const last = items[items.length - 1]
    last.change.cmds.push({...cx.cmd(h, 'unlink', ipLine.linkDelGroup(g), last.key, undo), late: true})
  }
}

export function markDeleted(cx: PlanContext, l: OLink) {
  cx.deleted.add(l)
  // A pair's peer goes with it (the kernel cannot keep one end).
  if (kindOfKernel(l.kind)?.pair && l.peer) cx.deleted.add(l.peer)
}

/** A re-add that follows a deleted link's re-creation on revert (its routes and neighbours). */
export function addLinkUndo(cx: PlanContext, l: OLink, c: Cmd) {
  if (!cx.linkUndoExtra.has(l)) cx.linkUndoExtra.set(l, [])
  cx.linkUndoExtra.get(l)!.push(c)
}

/** Undo of deleting a link: re-create it as observed (a pair with both ends; tap/others cannot be re-made). */
function recreateLinkUndo(cx: PlanContext, l: OLink, key: string): Cmd[] {
  const createPair = kindOfKernel(l.kind)?.plan.createPair
  if (!createPair || !l.peer) return []
  const a = l
  const b = l.peer
  const end = (x: OLink): LinkEnd => ({host: x.name, netns: x.ns.handle.isDefault ? undefined : x.ns.handle.path, mtu: x.mtu, mac: x.mac})
  const out: Cmd[] = [cx.cmd(DEFAULT_HANDLE, 'links', createPair(end(a), end(b)), key)]
  for (const x of [a, b]) {
    const ns = x.ns.handle
    if (!isLnxGroup(x)) out.push(cx.cmd(ns, 'configure', ipLine.group(x.name, x.group), key))
    if (x.alias) out.push(cx.cmd(ns, 'configure', ipLine.alias(x.name, x.alias), key))
    if (x.up) out.push(cx.cmd(ns, 'configure', ipLine.up(x.name), key))
    for (const ad of x.addresses.filter((q) => !q.auto)) out.push(cx.cmd(ns, 'l3', ipLine.addrReplace(x.name, ad.cidr), key))
  }
  for (const x of [a, b]) out.push(...(cx.linkUndoExtra.get(x) ?? []))
  return out
}
