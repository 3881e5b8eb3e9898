import type {DumpResult, DumpWhat} from '../engine/dump.js'
import {ownedView, ownership, routeOwned, neighOwned} from '../kernel/owned.js'
import {table} from './table.js'
import {paint} from './style.js'

const nsName = (l: string) => l || 'default'

export function dumpTables(r: DumpResult, what: DumpWhat, opts: {managed: boolean; wide?: boolean; label: string}): string {
  const out: string[] = []
  const pick = (w: DumpWhat) => what === 'all' || what === w
  const section = (title: string, body: string) => out.push(`${paint.cyan(title)}\n${body}`)
  if (pick('interfaces')) {
    const rows: string[][] = []
    for (const ns of r.obs.namespaces) {
      for (const l of ns.links) {
        const own = ownership(l, opts.label)
        if (opts.managed && own !== 'owned') continue
        const v = ownedView(l, opts.label)
        rows.push([
          nsName(ns.handle.label),
          v?.name ?? '-',
          l.name,
          v?.type ?? (l.kind || '?'),
          l.up ? paint.green('up') : paint.dim('down'),
          String(l.mtu),
          l.kind === 'loopback' ? '-' : l.mac,
          l.addresses.filter((a) => !a.auto).map((a) => a.cidr).join(',') || '-',
          l.peer ? `${l.peer.name}${l.peer.ns !== ns ? `@${nsName(l.peer.ns.handle.label)}` : ''}` : '-',
          own === 'owned' ? 'yes' : own === 'leftover' ? 'leftover' : own === 'other' ? 'other' : 'no',
        ])
      }
    }
    section('INTERFACES', table(['NAMESPACE', 'NAME', 'HOST', 'TYPE', 'STATE', 'MTU', 'MAC', 'ADDRESSES', 'PEER', 'MANAGED'], rows, {wide: opts.wide}))
  }
  if (pick('routes')) {
    const rows: string[][] = []
    for (const ns of r.obs.namespaces) {
      for (const rt of ns.routes) {
        const mine = routeOwned(rt)
        if (opts.managed && !mine) continue
        if (!mine && (rt.protocol === 'kernel' || rt.table === 'local' || rt.type !== 'unicast')) continue
        rows.push([nsName(ns.handle.label), rt.dst, rt.gw ?? '-', rt.dev ?? '-', String(rt.metric), rt.scope, rt.table, rt.protocol, mine ? 'yes' : 'no'])
      }
    }
    section('ROUTES', table(['NAMESPACE', 'DST', 'VIA', 'DEV', 'METRIC', 'SCOPE', 'TABLE', 'PROTO', 'MANAGED'], rows, {wide: opts.wide}))
  }
  if (pick('arps')) {
    const rows: string[][] = []
    for (const ns of r.obs.namespaces) {
      for (const n of ns.neighs) {
        const mine = neighOwned(n)
        if (opts.managed && !mine) continue
        if (!n.permanent) continue
        rows.push([nsName(ns.handle.label), n.ip, n.mac ?? '-', n.dev, n.protocol, mine ? 'yes' : 'no'])
      }
    }
    section('ARP ENTRIES', table(['NAMESPACE', 'IP', 'MAC', 'DEV', 'PROTO', 'MANAGED'], rows, {wide: opts.wide}))
  }
  if (pick('namespaces')) {
    section('NAMESPACES', table(['NAMESPACE', 'LINKS', 'MANAGED', 'FOREIGN'], r.namespaces.map((n) => [nsName(n.name), String(n.links), String(n.owned), String(n.foreign)])))
  }
  return out.join('\n\n')
}
