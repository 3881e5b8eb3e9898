// What lnx must never change: the objects it does not own, in every namespace of a playground, read with raw
// `ip -json` (independently of lnx's code). Take a picture before a run, assert after it that nothing in the
// picture changed: foreign links (kind, state, MTU, MAC, alias, group, master, addresses), the routes on them
// and other tools' routes anywhere, permanent neighbours lnx does not own, policy-routing rules, and the
// namespaces holding any of those.
import assert from 'node:assert/strict'
import type {Playground} from './playground.ts'

const LNX_GROUP = '76'
const LNX_PROTO = '76'

export interface ForeignPicture {
  /** ns → link name → properties. */
  links: Record<string, Record<string, unknown>>
  /** ns → foreign routes, described. */
  routes: Record<string, string[]>
  /** ns → permanent neighbours lnx does not own. */
  neighs: Record<string, string[]>
  /** ns → rules (v4 and v6). */
  rules: Record<string, string[]>
  /** ns → lnx's links: other tools' routes and neighbours on them go when lnx deletes the link. */
  lnxLinks: Record<string, string[]>
}

async function namespaces(pg: Playground): Promise<string[]> {
  return ['', ...(await pg.run('ls', ['/run/netns'])).stdout.split('\n').filter(Boolean).sort()]
}

/** lnx's link: its alias mark (any label; /lnx-existing/ on an adopted EXISTING), or a veth/dummy in its group (its leftovers). Everything else is foreign. */
const lnxLink = (l: any) => /^\/(vnf-agent|lnx-existing)\//.test(l.ifalias ?? '') || (String(l.group) === LNX_GROUP && ['veth', 'dummy'].includes(l.linkinfo?.info_kind) && !l.ifalias)

async function read(pg: Playground, ns: string, onlyLinks?: Set<string>) {
  const ip = (...a: string[]) => pg.ipJson(ns, ...a)
  const all = await ip('-d', 'addr', 'show')
  const foreign = all.filter((l: any) => (onlyLinks ? onlyLinks.has(l.ifname) : !lnxLink(l)))
  const links: Record<string, unknown> = {}
  for (const l of foreign) {
    links[l.ifname] = {
      kind: l.linkinfo?.info_kind ?? l.link_type,
      up: (l.flags ?? []).includes('UP'),
      mtu: l.mtu,
      mac: l.address,
      alias: l.ifalias ?? null,
      group: String(l.group),
      master: l.master ?? null,
      addrs: (l.addr_info ?? []).filter((a: any) => !(a.family === 'inet6' && a.scope === 'link' && !a.permanent)).map((a: any) => `${a.local}/${a.prefixlen}`).sort(),
    }
  }
  const names = new Set(Object.keys(links))
  const routes = (await ip('route', 'show', 'table', 'all'))
    .filter((r: any) => r.table !== 'local' && String(r.protocol ?? 'boot') !== LNX_PROTO)
    // On a foreign link (or without one): all of them but the kernel's IPv6 link-local route, which comes and goes
    // with carrier and DAD. On lnx's links: other tools' routes only (connected routes follow lnx's addresses).
    .filter((r: any) => (!r.dev || names.has(r.dev) ? !(r.protocol === 'kernel' && String(r.dst).startsWith('fe80::')) : r.protocol !== 'kernel'))
    .map((r: any) => `${r.type ?? 'unicast'} ${r.dst}${r.gateway ? ` via ${r.gateway}` : ''}${r.dev ? ` dev ${r.dev}` : ''} table ${r.table ?? 'main'} proto ${r.protocol ?? 'boot'} metric ${r.metric ?? 0} scope ${r.scope ?? 'global'}${r.prefsrc ? ` src ${r.prefsrc}` : ''}`)
    .sort()
  const neighs = (await ip('neigh', 'show'))
    .filter((n: any) => (n.state ?? []).includes('PERMANENT') && String(n.protocol ?? '0') !== LNX_PROTO)
    .map((n: any) => `${n.dst} lladdr ${n.lladdr} dev ${n.dev} protocol ${n.protocol ?? '0'}`)
    .sort()
  const rules = [...(await ip('-4', 'rule', 'show')), ...(await ip('-6', 'rule', 'show'))].map((r: any) => JSON.stringify(r)).sort()
  const existing = all.map((l: any) => l.ifname as string)
  return {links, routes, neighs, rules, lnxLinks: all.filter(lnxLink).map((l: any) => l.ifname as string), existing}
}

/** The foreign objects of every namespace, as they are now. */
export async function foreignPicture(pg: Playground): Promise<ForeignPicture> {
  const pic: ForeignPicture = {links: {}, routes: {}, neighs: {}, rules: {}, lnxLinks: {}}
  for (const ns of await namespaces(pg)) {
    const r = await read(pg, ns)
    pic.links[ns] = r.links
    pic.routes[ns] = r.routes
    pic.neighs[ns] = r.neighs
    pic.rules[ns] = r.rules
    pic.lnxLinks[ns] = r.lnxLinks
  }
  return pic
}

/** Asserts that every foreign object of the picture is still there, unchanged, and that none was added to them. */
export async function assertForeignUnchanged(pg: Playground, before: ForeignPicture, msg = ''): Promise<void> {
  const now = new Set(await namespaces(pg))
  const after: Omit<ForeignPicture, 'lnxLinks'> = {links: {}, routes: {}, neighs: {}, rules: {}}
  const gone: Record<string, Set<string>> = {}
  for (const ns of Object.keys(before.links)) {
    if (!now.has(ns)) {
      // A namespace that held nothing foreign may go (lnx's own); one with foreign objects must stay.
      const held = Object.keys(before.links[ns]).filter((l) => l !== 'lo').length + before.routes[ns].length + before.neighs[ns].length
      assert.equal(held, 0, `${msg}namespace ${ns} held foreign objects and is gone`)
      continue
    }
    const r = await read(pg, ns, new Set(Object.keys(before.links[ns])))
    after.links[ns] = r.links
    after.routes[ns] = r.routes
    after.neighs[ns] = r.neighs
    after.rules[ns] = r.rules
    gone[ns] = new Set(before.lnxLinks[ns].filter((l) => !r.existing.includes(l)))
  }
  // Entries on an lnx link that lnx deleted in between went with it.
  const kept = (ns: string, xs: string[]) => xs.filter((x) => !gone[ns]?.has(x.match(/ dev (\S+)/)?.[1] ?? ''))
  const present = (p: ForeignPicture) => ({
    links: Object.fromEntries(Object.entries(p.links).filter(([ns]) => now.has(ns))),
    routes: Object.fromEntries(Object.entries(p.routes).filter(([ns]) => now.has(ns)).map(([ns, xs]) => [ns, kept(ns, xs)])),
    neighs: Object.fromEntries(Object.entries(p.neighs).filter(([ns]) => now.has(ns)).map(([ns, xs]) => [ns, kept(ns, xs)])),
    rules: Object.fromEntries(Object.entries(p.rules).filter(([ns]) => now.has(ns))),
  })
  assert.deepEqual(after, present(before), `${msg}foreign objects changed`)
}
