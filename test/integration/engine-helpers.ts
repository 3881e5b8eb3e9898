// Shared helpers of engine*.test.ts (not a test file itself). Kernel state is read with raw `ip -json` only.
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {ROOT, withPlayground} from '../helpers/playground.ts'
import {tempDir} from '../helpers/tmp.ts'

export {LNX, ROOT} from '../helpers/playground.ts'
export const SEED = join(ROOT, 'examples', 'seed.yaml')

export const KEY = {
  iface: (n: string) => `config/linux/interfaces/v2/interface/${n}`,
  route: (dst: string, i: string) => `config/linux/l3/v2/route/${dst}/${i}`,
  arp: (i: string, ip: string) => `config/linux/l3/v2/arp/${i}/${ip}`,
}

/** The playground of test/helpers (its run() keeps stdin closed when there is no input). */
export const withPg = withPlayground

let dir: string | undefined
export function tmpFile(name: string, content: string): string {
  dir ??= tempDir('engine')
  const f = join(dir, `${Math.random().toString(36).slice(2, 8)}-${name}`)
  writeFileSync(f, content)
  return f
}

export const ipj = (pg: Playground, ns: string, ...args: string[]) => pg.ipJson(ns, ...args)

/** `lnx apply -f - --json` with a config object (JSON is YAML). */
export const apply = (pg: Playground, cfg: unknown, extra: string[] = [], env?: Record<string, string>) =>
  pg.lnxJson(['apply', '-f', '-', ...extra], {input: typeof cfg === 'string' ? cfg : JSON.stringify(cfg), env})

export const links = (pg: Playground, ns: string) => ipj(pg, ns, '-d', 'link', 'show')
export const link = async (pg: Playground, ns: string, name: string) => (await links(pg, ns)).find((l: any) => l.ifname === name)

/** Addresses other than link-local ones, "a/len", sorted. */
export async function addrs(pg: Playground, ns: string, dev: string): Promise<string[]> {
  const l = (await ipj(pg, ns, 'addr', 'show')).find((x: any) => x.ifname === dev)
  if (!l) throw new Error(`${dev} not in ${ns || 'default'}`)
  return (l.addr_info ?? []).filter((a: any) => a.scope !== 'link').map((a: any) => `${a.local}/${a.prefixlen}`).sort()
}

/** The other end of a veth, resolved through link_netnsid → netns list-id. */
export async function peerOf(pg: Playground, ns: string, name: string): Promise<{ns: string; name: string} | undefined> {
  const l = await link(pg, ns, name)
  if (!l?.link_index) return undefined
  let pns = ns
  if (l.link_netnsid !== undefined) {
    const ids = await ipj(pg, ns, 'netns', 'list-id')
    pns = ids.find((x: any) => x.nsid === l.link_netnsid)?.name
    if (pns === undefined) return undefined
  }
  const p = (await links(pg, pns)).find((x: any) => x.ifindex === l.link_index)
  return p ? {ns: pns, name: p.ifname} : undefined
}

export const netnsList = async (pg: Playground): Promise<string[]> => (await ipj(pg, '', 'netns', 'list')).map((x: any) => x.name).sort()
export const routes = (pg: Playground, ns: string) => ipj(pg, ns, 'route', 'show')
export const neighs = (pg: Playground, ns: string) => ipj(pg, ns, 'neigh', 'show')

export function veth(name: string, peer: string, ns?: string, extra: Record<string, unknown> = {}) {
  return {name, type: 'VETH', ...(ns ? {namespace: {type: 'NSID', reference: ns}} : {}), enabled: true, veth: {peer_if_name: peer}, ...extra}
}

/** veth1 (ns1) ↔ veth2 (ns2). */
export function pair(o: {ns1?: string; ns2?: string; ips1?: string[]; ips2?: string[]} = {}) {
  return [
    veth('veth1', 'veth2', o.ns1 ?? 'ns1', o.ips1 ? {ip_addresses: o.ips1} : {}),
    veth('veth2', 'veth1', o.ns2 ?? 'ns2', o.ips2 ? {ip_addresses: o.ips2} : {}),
  ]
}

/** Polls until fn() is true (namespace teardown and device unregistration are asynchronous). */
export async function until(fn: () => Promise<boolean>, ms = 3000): Promise<boolean> {
  const end = Date.now() + ms
  for (;;) {
    if (await fn()) return true
    if (Date.now() > end) return false
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** Waits for snapshot equality (asynchronous teardown), returning the last snapshot for the assertion. */
export async function settledSnapshot(pg: Playground, want: string, ms = 3000): Promise<string> {
  let last = ''
  await until(async () => (last = await pg.snapshot()) === want, ms)
  return last
}

/** Waits until IPv6 autoconfiguration is done everywhere: every up link with carrier has its link-local address, out
 * of DAD. Its local route appears only then (carrier is noticed by linkwatch up to 1 s later, DAD takes ~1 s more),
 * which would make two snapshots taken a second apart differ for reasons that have nothing to do with lnx. */
export async function settle(pg: Playground, ms = 6000): Promise<void> {
  const ok = await until(async () => {
    for (const ns of ['', ...(await netnsList(pg))]) {
      for (const l of await ipj(pg, ns, 'addr', 'show')) {
        const v6 = (l.addr_info ?? []).filter((a: any) => a.family === 'inet6')
        if (v6.some((a: any) => a.tentative)) return false
        const carrier = l.flags.includes('UP') && l.flags.includes('LOWER_UP') && !l.flags.includes('LOOPBACK')
        if (carrier && !v6.some((a: any) => a.scope === 'link')) return false
      }
    }
    return true
  }, ms)
  if (!ok) throw new Error('IPv6 autoconfiguration did not settle')
}
