// Imperative verbs on the same engine: read what lnx owns, change one item, and plan that item, its veth peer
// and its dependents only (untouched items stay out of the plan).
import {LnxError, type ItemError} from '../errors.js'
import {desiredFromObjects} from '../config/index.js'
import type {ARPEntry, Interface, Route} from '../model/generated.js'
import {normalizeAddr, normalizeCidr, normalizeNetwork} from '../model/ip.js'
import {nsNameProblem} from '../model/names.js'
import {interfaceKey} from '../model/keys.js'
import {KINDS, kindOf, kindOfFlag} from '../kinds/index.js'
import {article} from '../kinds/kind.js'
import {observe} from '../kernel/observe.js'
import {ownership} from '../kernel/owned.js'
import {DEFAULT_HANDLE, listNamed, listStrays, namedHandle, scanNamed, strayMessage} from '../kernel/namespaces.js'
import {ipBatch, probeIp} from '../kernel/run.js'
import {ownedConfig, type OwnedConfig} from './owned-config.js'
import {checkPrivileges, runDesired, type EngineOptions, type EngineOutput} from '../services/cli-run.js'
import {assertNoTry} from './try-journal.js'
import {withSession} from './session.js'
import {containerNamespaces} from './microservices.js'

export const CLI = 'command line'

export type Opts = Omit<EngineOptions, 'mode'>

/** Where a field of an item came from on the command line, so that errors name the flag. */
export type FlagMap = Record<string, string>

/**
 * A verb's read-modify-write happens entirely under the lock: read what lnx owns, change one item, plan and
 * execute it — so concurrent verbs cannot lose each other's changes. A dry run takes no lock.
 */
async function locked<T>(opts: {dryRun?: boolean; lockTimeoutSeconds?: number; say?: (msg: string) => void}, fn: () => Promise<T>): Promise<T> {
  if (opts.dryRun) return fn()
  await checkPrivileges()
  await probeIp()
  return withSession({lockTimeoutSeconds: opts.lockTimeoutSeconds, say: opts.say}, fn)
}

async function readOwnedItems(label: string): Promise<OwnedConfig> {
  await checkPrivileges()
  // Items in containers are items too: read the labelled containers' namespaces (warnings are dump's business).
  return ownedConfig(await observe({extra: (await containerNamespaces()).handles}), label)
}

function renameFlags(e: unknown, flags: FlagMap): never {
  if (e instanceof LnxError && e.errors) {
    const errors: ItemError[] = e.errors.map((x) => {
      const base = x.path.replace(/\[\d+\]$/, '')
      const flag = x.file === CLI ? flags[x.path] ?? flags[base] : undefined
      return flag ? {...x, path: flag} : x
    })
    const one = errors.length === 1 ? `${errors[0].file === CLI && errors[0].path ? `${errors[0].path}: ` : ''}${errors[0].message}` : e.message
    throw new LnxError(e.code, one, {errors, key: e.key, hint: e.hint})
  }
  throw e
}

async function applyItems(docs: {file: string; doc: unknown}[], opts: Opts, mode: 'apply' | 'delete', flags: FlagMap): Promise<EngineOutput> {
  let desired
  try {
    ;({desired} = await desiredFromObjects(docs))
  } catch (e) {
    renameFlags(e, flags)
  }
  try {
    // The documents are lnx's own (one item and its dependents): the static warnings about them ("not defined in
    // these files") would be noise; the engine's own warnings (foreign addresses stripped) are kept.
    return await runDesired(desired!, {...opts, mode, imperative: true})
  } catch (e) {
    renameFlags(e, flags)
  }
}

/**
 * A name lnx does not manage: a helpful exit 2, naming a foreign link if there is one. Adopting (EXISTING) hands lnx
 * the link's addresses and state only, so it is no way to its MTU or MAC: the hint says so when those were asked.
 */
function notManaged(st: OwnedConfig, name: string, what = 'interface', asked: {mtuMac?: boolean} = {}): LnxError {
  const foreign = st.foreign.interfaces.find((f) => f.name === name)
  if (foreign) {
    return new LnxError('INVALID', `${what} ${name} exists but lnx does not manage it (a foreign ${foreign.kind} link${foreign.namespace ? ` in ${(foreign.namespace as any).reference}` : ''})`, {
      hint: asked.mtuMac
        ? `lnx manages the MTU and MAC only of links it creates; even adopted (--type existing) only addresses and state are managed: use ip link set dev ${name} …`
        : `adopt it first: lnx interface add ${name} --type existing (lnx then manages its addresses and state, not its MTU or MAC)`,
    })
  }
  return new LnxError('INVALID', `no interface named ${name} is managed by lnx`, {hint: 'lnx interface show lists them; lnx interface add creates one'})
}

export interface NsFlags {
  namespace?: string
  'netns-pid'?: string
  'netns-path'?: string
  microservice?: string
}

export function nsFromFlags(f: NsFlags): Interface['namespace'] | undefined {
  const set = (['namespace', 'netns-pid', 'netns-path', 'microservice'] as const).filter((k) => f[k] !== undefined)
  if (set.length > 1) throw new LnxError('INVALID', `--${set.join(' and --')} cannot be combined: an interface lives in one namespace`)
  if (f.namespace !== undefined) return f.namespace === '' || f.namespace === 'default' ? undefined : {type: 'NSID', reference: f.namespace}
  if (f['netns-pid'] !== undefined) return {type: 'PID', reference: f['netns-pid']}
  if (f['netns-path'] !== undefined) return {type: 'FD', reference: f['netns-path']}
  if (f.microservice !== undefined) return {type: 'MICROSERVICE', reference: f.microservice}
  return undefined
}

const NS_FLAGS = {'namespace.reference': '--namespace', 'namespace.type': '--namespace', namespace: '--namespace'}
const IF_FLAGS: FlagMap = {
  ...NS_FLAGS,
  name: 'NAME',
  host_if_name: '--host-name',
  ip_addresses: '--ip',
  phys_address: '--mac',
  mtu: '--mtu',
  // The kinds' own flags ('veth.peer_if_name' → --peer, …).
  ...Object.fromEntries(KINDS.flatMap((k) => Object.entries(k.cli?.flags ?? {}).flatMap(([n, f]) => (f.path ? [[f.path, `--${n}`]] : [])))),
  type: '--type',
}

export interface InterfaceAddSpec {
  name: string
  /** An `interface add --type` value of the registry (kinds/). */
  type: string
  ns?: Interface['namespace']
  hostName?: string
  ips: string[]
  mac?: string
  mtu?: number
  down: boolean
  /** The kinds' own flags (--peer, --vpp-tap, …) by name, as given. */
  kindFlags: Record<string, string | number | undefined>
}

const refuse = (flag: string, message: string, detail = message): never => {
  throw new LnxError('INVALID', message, {errors: [{file: CLI, key: '', path: flag, message: detail}]})
}

export function interfaceAdd(s: InterfaceAddSpec, opts: Opts): Promise<EngineOutput> {
  return locked(opts, () => interfaceAddLocked(s, opts))
}

async function interfaceAddLocked(s: InterfaceAddSpec, opts: Opts): Promise<EngineOutput> {
  const st = await readOwnedItems(opts.label)
  if (st.owned.has(s.name)) throw new LnxError('INVALID', `interface ${s.name} already exists`, {hint: `change it with lnx interface set ${s.name} …`})
  const kind = kindOfFlag(s.type)
  if (!kind) return refuse('--type', `--type: no link kind ${s.type}`, `--type: no link kind ${s.type} (one of ${KINDS.map((k) => k.flag).join(', ')})`)
  // Another kind's flags are refused, not ignored.
  const own = kind.cli?.flags ?? {}
  const stray = Object.keys(s.kindFlags).filter((f) => s.kindFlags[f] !== undefined && !(f in own))
  if (stray.length) {
    const owner = KINDS.find((k) => k.cli?.flags?.[stray[0]])!
    const theirs = stray.filter((f) => owner.cli?.flags?.[f])
    throw new LnxError('INVALID', `--${theirs.join(' and --')} only go${theirs.length === 1 ? 'es' : ''} with --type ${owner.flag}`)
  }
  const item: Interface = {name: s.name, type: kind.type, enabled: !s.down}
  if (s.ns) item.namespace = s.ns
  if (s.hostName) item.host_if_name = s.hostName
  if (s.ips.length) item.ip_addresses = s.ips
  if (s.mac) item.phys_address = s.mac
  if (s.mtu !== undefined) item.mtu = s.mtu
  if (!kind.inNamespace && item.namespace) refuse('--namespace', `${article(kind.type)} interface takes no namespace`, `--namespace: ${article(kind.type)} interface takes no namespace`)
  const flags = Object.fromEntries(Object.keys(own).map((f) => [f, s.kindFlags[f]]))
  const items = kind.cli?.items?.(item, {
    name: s.name, hostName: s.hostName, ips: s.ips, flags, refuse,
    owned: (n) => st.interfaces.find((i) => i.name === n),
    foreignAddresses: (host) => (st.foreign.interfaces.find((f) => f.name === host && !f.namespace)?.ip_addresses as string[] | undefined) ?? [],
  }) ?? [item]
  return applyItems([{file: CLI, doc: {interfaces: items}}], opts, 'apply', IF_FLAGS)
}

export interface InterfaceSetSpec {
  mtu?: number
  mac?: string
  addIps: string[]
  delIps: string[]
  up?: boolean
  hostName?: string
  ns?: Interface['namespace'] | null
}

/**
 * The owned item, its veth peer, and the routes and ARP entries on both: re-creating the pair re-creates both ends,
 * whose dependents must come back with them. Taken down, the item's own are left out: the kernel flushes them and
 * the plan deletes them, saying so (plan/deletions.ts deleteFlushedByDown), as no later run could re-add them.
 */
function withDependents(st: OwnedConfig, item: Interface): {interfaces: Interface[]; routes: Route[]; arp_entries: ARPEntry[]} {
  const interfaces = [item]
  const peerName = kindOf(item.type)?.pair?.peerOf(item)
  const peer = peerName ? st.interfaces.find((i) => i.name === peerName) : undefined
  if (peer) interfaces.push(peer)
  const on = new Set(interfaces.filter((i) => i.enabled !== false || i !== item).map((i) => i.name))
  return {
    interfaces,
    routes: st.routes.filter((r) => on.has(r.outgoing_interface ?? '')),
    arp_entries: st.arp_entries.filter((a) => on.has(a.interface ?? '')),
  }
}

export function interfaceSet(name: string, s: InterfaceSetSpec, opts: Opts): Promise<EngineOutput> {
  return locked(opts, () => interfaceSetLocked(name, s, opts))
}

async function interfaceSetLocked(name: string, s: InterfaceSetSpec, opts: Opts): Promise<EngineOutput> {
  const st = await readOwnedItems(opts.label)
  const cur = st.interfaces.find((i) => i.name === name)
  if (!cur) throw notManaged(st, name, 'interface', {mtuMac: s.mtu !== undefined || s.mac !== undefined})
  const k = kindOf(cur.type)
  if (k && !k.manages.mtu && !k.manages.mac && (s.mtu !== undefined || s.mac !== undefined)) {
    const flag = s.mtu !== undefined ? '--mtu' : '--mac'
    const what = s.mtu !== undefined ? 'MTU' : 'MAC'
    const msg = `the ${what} of ${name} is not managed: it is ${article(cur.type!)} interface, of which lnx manages only the addresses and state (as the vpp-agent does)`
    throw new LnxError('INVALID', `${flag}: ${msg}`, {errors: [{file: CLI, key: interfaceKey(name), path: flag, message: msg}], hint: `change it with ip link set dev ${cur.host_if_name ?? name} ${s.mtu !== undefined ? 'mtu' : 'address'} …`})
  }
  const item: Interface = structuredClone(cur)
  if (s.mtu !== undefined) item.mtu = s.mtu
  if (s.mac !== undefined) item.phys_address = s.mac
  if (s.hostName !== undefined) item.host_if_name = s.hostName
  if (s.up !== undefined) item.enabled = s.up
  if (s.ns !== undefined) {
    if (s.ns === null) delete item.namespace
    else item.namespace = s.ns
  }
  const addrs = [...(item.ip_addresses ?? [])]
  for (const a of s.delIps) {
    const n = normalizeCidr(a)
    const i = addrs.findIndex((x) => x === n || x === a)
    if (i < 0) throw new LnxError('INVALID', `--del-ip: ${name} has no address ${a}`, {errors: [{file: CLI, key: interfaceKey(name), path: '--del-ip', message: `${name} has no address ${a} (it has ${addrs.join(', ') || 'none'})`}]})
    addrs.splice(i, 1)
  }
  for (const a of s.addIps) if (!addrs.includes(normalizeCidr(a) ?? a)) addrs.push(a)
  if (addrs.length) item.ip_addresses = addrs
  else delete item.ip_addresses
  const flags = {...IF_FLAGS, ip_addresses: s.addIps.length ? '--add-ip' : '--del-ip'}
  return applyItems([{file: CLI, doc: withDependents(st, item)}], opts, 'apply', flags)
}

export function interfaceDelete(name: string, opts: Opts): Promise<EngineOutput> {
  return locked(opts, () => interfaceDeleteLocked(name, opts))
}

async function interfaceDeleteLocked(name: string, opts: Opts): Promise<EngineOutput> {
  const st = await readOwnedItems(opts.label)
  const cur = st.interfaces.find((i) => i.name === name)
  if (!cur) throw notManaged(st, name)
  // An adopted NIC (EXISTING) is released with its addresses: which of them the operator had before adopting it is
  // not written anywhere, and stripping them all would cut what runs over it (interface set --del-ip removes one).
  const item = kindOf(cur.type)?.addresses?.keptOnRelease ? {...cur, ip_addresses: undefined} : cur
  return applyItems([{file: CLI, doc: withDependents(st, item)}], opts, 'delete', IF_FLAGS)
}

export async function showInterfaces(label: string, name?: string): Promise<OwnedConfig> {
  const st = await readOwnedItems(label)
  if (name && !st.interfaces.some((i) => i.name === name)) throw notManaged(st, name)
  return st
}

const ROUTE_FLAGS: FlagMap = {dst_network: 'DST', outgoing_interface: '--dev', gw_addr: '--via', metric: '--metric', scope: '--scope'}

export interface RouteSpec {
  dst: string
  dev: string
  via?: string
  metric?: number
  scope?: string
}

function ifaceFor(st: OwnedConfig, dev: string): Interface {
  const i = st.interfaces.find((x) => x.name === dev)
  if (!i) throw notManaged(st, dev)
  return i
}

export function routeAdd(s: RouteSpec, opts: Opts): Promise<EngineOutput> {
  return locked(opts, () => routeAddLocked(s, opts))
}

async function routeAddLocked(s: RouteSpec, opts: Opts): Promise<EngineOutput> {
  const st = await readOwnedItems(opts.label)
  const iface = ifaceFor(st, s.dev)
  const route: Route = {outgoing_interface: s.dev, dst_network: s.dst}
  if (s.via) route.gw_addr = s.via
  if (s.metric !== undefined) route.metric = s.metric
  if (s.scope) route.scope = s.scope.toUpperCase() as Route['scope']
  const deps = withDependents(st, iface)
  // Other routes on the link stay as they are; scope-LINK ones can make a gateway reachable.
  const dst = normalizeNetwork(s.dst)
  const routes = [...deps.routes.filter((r) => !(r.outgoing_interface === s.dev && normalizeNetwork(r.dst_network ?? '') === dst)), route]
  return applyItems([{file: CLI, doc: {interfaces: deps.interfaces, routes}}], opts, 'apply', ROUTE_FLAGS)
}

export function routeDelete(s: {dst: string; dev: string}, opts: Opts): Promise<EngineOutput> {
  return locked(opts, () => routeDeleteLocked(s, opts))
}

async function routeDeleteLocked(s: {dst: string; dev: string}, opts: Opts): Promise<EngineOutput> {
  const st = await readOwnedItems(opts.label)
  ifaceFor(st, s.dev)
  const dst = normalizeNetwork(s.dst)
  const r = st.routes.find((x) => x.outgoing_interface === s.dev && normalizeNetwork(x.dst_network ?? '') === dst)
  if (!r) throw new LnxError('INVALID', `no route to ${s.dst} on ${s.dev} is managed by lnx`, {hint: 'lnx route show lists them'})
  return applyItems([{file: CLI, doc: {routes: [r]}}], opts, 'delete', ROUTE_FLAGS)
}

const ARP_FLAGS: FlagMap = {interface: '--dev', ip_address: 'IP', hw_address: 'MAC'}

export function arpAdd(s: {dev: string; ip: string; mac: string}, opts: Opts): Promise<EngineOutput> {
  return locked(opts, () => arpAddLocked(s, opts))
}

async function arpAddLocked(s: {dev: string; ip: string; mac: string}, opts: Opts): Promise<EngineOutput> {
  const st = await readOwnedItems(opts.label)
  const iface = ifaceFor(st, s.dev)
  const deps = withDependents(st, iface)
  const ip = normalizeAddr(s.ip) ?? s.ip
  const arps = [...deps.arp_entries.filter((a) => !(a.interface === s.dev && a.ip_address === ip)), {interface: s.dev, ip_address: s.ip, hw_address: s.mac}]
  return applyItems([{file: CLI, doc: {interfaces: deps.interfaces, arp_entries: arps}}], opts, 'apply', ARP_FLAGS)
}

export function arpDelete(s: {dev: string; ip: string}, opts: Opts): Promise<EngineOutput> {
  return locked(opts, () => arpDeleteLocked(s, opts))
}

async function arpDeleteLocked(s: {dev: string; ip: string}, opts: Opts): Promise<EngineOutput> {
  const st = await readOwnedItems(opts.label)
  ifaceFor(st, s.dev)
  const ip = normalizeAddr(s.ip) ?? s.ip
  const a = st.arp_entries.find((x) => x.interface === s.dev && x.ip_address === ip)
  if (!a) throw new LnxError('INVALID', `no ARP entry for ${s.ip} on ${s.dev} is managed by lnx`, {hint: 'lnx arp show lists them'})
  return applyItems([{file: CLI, doc: {arp_entries: [a]}}], opts, 'delete', ARP_FLAGS)
}

// ---------------------------------------------------------------- namespaces

export interface NamespaceInfo {
  name: string
  links: number
  managed: number
  foreign: number
  routes: number
  arps: number
}

export async function namespaceList(label: string): Promise<NamespaceInfo[]> {
  await checkPrivileges()
  const obs = await observe({extra: (await containerNamespaces()).handles})
  return obs.namespaces.map((n) => {
    const managed = n.links.filter((l) => ownership(l, label) === 'owned').length
    return {
      name: n.handle.label,
      links: n.links.length,
      managed,
      foreign: n.links.length - managed,
      routes: n.routes.filter((r) => r.protocol === '76').length,
      arps: n.neighs.filter((x) => x.protocol === '76' && x.permanent).length,
    }
  })
}

function checkNsName(name: string) {
  const p = nsNameProblem(name)
  if (p) throw new LnxError('INVALID', `namespace name "${name}" ${p}`, {errors: [{file: CLI, key: '', path: 'NAME', message: `namespace name "${name}" ${p}`}]})
}

export async function namespaceAdd(name: string, opts: {dryRun?: boolean; lockTimeoutSeconds?: number; say?: (msg: string) => void}): Promise<{created: boolean; name: string; commands: string[]}> {
  checkNsName(name)
  await checkPrivileges()
  const commands = [`ip netns add ${name}`, `ip -n ${name} link set dev lo up`]
  await assertNoTry()
  if (opts.dryRun) return (await listNamed()).includes(name) ? {created: false, name, commands: []} : {created: false, name, commands}
  return withSession(opts, async () => {
    // A try may have started while this run waited for the lock.
    await assertNoTry()
    const {named, strays} = await scanNamed()
    if (named.includes(name)) return {created: false, name, commands: []}
    if (strays.includes(name)) throw new LnxError('INVALID', strayMessage(name).replace(': skipped;', ';'))
    const r = await ipBatch(DEFAULT_HANDLE, [`netns add ${name}`])
    if (!r.ok) {
      // Killed or refused midway, `ip netns add` can leave the file without the namespace mounted on it: that file
      // did not exist before (checked under the lock), so it is ours to remove.
      if ((await listStrays()).includes(name)) await ipBatch(DEFAULT_HANDLE, [`netns del ${name}`], {force: true})
      throw new LnxError(r.unknown ? 'INTERRUPTED' : 'KERNEL', `ip netns add ${name}: ${r.failure?.message}`)
    }
    const up = await ipBatch(namedHandle(name), ['link set dev lo up'])
    if (!up.ok) throw new LnxError('KERNEL', `lo up in ${name}: ${up.failure?.message}`)
    return {created: true, name, commands}
  })
}

export async function namespaceDelete(name: string, opts: {force?: boolean; dryRun?: boolean; label: string; lockTimeoutSeconds?: number; say?: (msg: string) => void}): Promise<{deleted: boolean; name: string; removed: string[]}> {
  checkNsName(name)
  await checkPrivileges()
  const inspect = async () => {
    if (!(await listNamed()).includes(name)) throw new LnxError('INVALID', `namespace ${name} does not exist`, {hint: 'lnx namespace list'})
    // Every namespace: a veth's peer elsewhere goes with it and must be named.
    const obs = await observe()
    const ns = obs.byLabel.get(name)
    const links = (ns?.links ?? []).filter((l) => l.name !== 'lo')
    const removed = links.map((l) => `${l.name} (${l.kind || 'link'}, ${ownership(l, opts.label) === 'owned' ? 'managed by lnx' : 'foreign'}${l.kind === 'veth' && l.peer ? `; its peer ${l.peer.name}${l.peer.ns !== ns ? ` in ${l.peer.ns.handle.label || 'the default namespace'}` : ''} goes too` : l.kind === 'veth' ? '; its peer goes too' : ''}${l.kind === 'tap' || l.kind === 'tun' ? '; a tap dies with its namespace' : ''})`)
    if (links.length && !opts.force) {
      throw new LnxError('INVALID', `namespace ${name} still holds ${links.map((l) => l.name).join(', ')}`, {hint: `--force removes them with the namespace`})
    }
    return removed
  }
  await assertNoTry()
  if (opts.dryRun) return {deleted: false, name, removed: await inspect()}
  return withSession(opts, async () => {
    await assertNoTry()
    const removed = await inspect()
    const r = await ipBatch(DEFAULT_HANDLE, [`netns del ${name}`])
    if (!r.ok) throw new LnxError('KERNEL', `ip netns del ${name}: ${r.failure?.message}`)
    return {deleted: true, name, removed}
  })
}
