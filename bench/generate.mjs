#!/usr/bin/env node
// Scale topology generator for the benchmark (issue "Speed at scale").
//
// N named namespaces in a ring; veth pair i has end a<i> in ns(i mod N) and end b<i> in ns((i+1) mod N), both
// in a /24 of its own (10.x.y.0/24); routes via the other end's address (reachable: same /24); permanent ARP
// entries on the ends. Writes, into one directory:
//   config.json           the lnx config (vpp-agent ConfigData)
//   config.yaml           the same config as block-style YAML (reading YAML vs JSON is measured)
//   floor/default.batch   `ip -batch` for the default namespace: netns add + veth pairs created with both ends placed
//   floor/<ns>.batch      `ip -n <ns> -batch` per namespace: link up, addr add, route add, neigh replace
//   floor/apply.sh        runs the batch files above (the floor)
//   floor/delete.sh       group-delete floor: `ip -n <ns> link del group 76` in the fewest namespaces that cover every pair
//   floor/dump.batch, floor/dump.sh   raw `ip -json` dumps of every namespace (the reads lnx does, one process per namespace)
//   ops.json              one argv array per operation (no shell) for the "one ip process per op" variant
//   pyroute2_apply.py     a pyroute2 script creating the same (reads config.json; run with /usr/bin/python3)
//   topology.json         the parameters and counts
//
// Usage: node bench/generate.mjs [--namespaces 50] [--pairs 1000] [--addrs 1] [--routes 5000] [--arps 2000] [--out DIR]
import {mkdirSync, rmSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {stringify} from 'yaml'

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url))
export const GROUP = 76
export const PROTO = 76
export const DEFAULTS = {namespaces: 50, pairs: 1000, addrs: 1, routes: 5000, arps: 2000}

const ip4 = (n) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')
const hex = (n) => n.toString(16).padStart(2, '0')
/** Locally administered unicast MAC: 02:<tag>:<4 bytes of n>. */
const mac = (tag, n) => ['02', tag, hex((n >>> 24) & 255), hex((n >>> 16) & 255), hex((n >>> 8) & 255), hex(n & 255)].join(':')
const SUBNET_BASE = (10 << 24) >>> 0 // 10.0.0.0, one /24 per pair
const ROUTE_BASE = (20 << 24) >>> 0 // 20.0.0.0, one /24 per route

/** The topology as plain data (everything else is rendered from it). */
export function topology(params = {}) {
  const p = {...DEFAULTS, ...params}
  const {namespaces: N, pairs: P, addrs: A, routes: R, arps: Q} = p
  if (N < 1 || P < 1 || A < 1) throw new Error('need at least 1 namespace, 1 pair and 1 address per end')
  if (P > 65536 * 4) throw new Error('too many pairs for the 10.0.0.0/8 plan')
  if (2 * A + 1 >= 100) throw new Error('at most 49 addresses per end')
  if (Q > 2 * P * 150) throw new Error('at most 300 ARP entries per pair')
  const nsNames = Array.from({length: N}, (_, j) => `ns${j}`)
  const pairs = []
  for (let i = 0; i < P; i++) {
    const net = (SUBNET_BASE + i * 256) >>> 0
    const end = (side) => {
      const addrs = Array.from({length: A}, (_, k) => `${ip4(net + 1 + side + 2 * k)}/24`)
      return {
        name: `${side ? 'b' : 'a'}${i}`,
        ns: nsNames[(i + side) % N],
        mac: mac(side ? 'bb' : 'aa', i),
        addrs,
        ip: addrs[0].split('/')[0],
      }
    }
    pairs.push({i, net, a: end(0), b: end(1)})
  }
  const routes = []
  for (let j = 0; j < R; j++) {
    const pr = pairs[j % P]
    const side = Math.floor(j / P) % 2
    const [me, other] = side ? [pr.b, pr.a] : [pr.a, pr.b]
    routes.push({iface: me.name, ns: me.ns, dst: `${ip4((ROUTE_BASE + j * 256) >>> 0)}/24`, gw: other.ip, metric: 100})
  }
  const arps = []
  for (let k = 0; k < Q; k++) {
    const e = k % (2 * P)
    const pr = pairs[e >> 1]
    const me = e & 1 ? pr.b : pr.a
    arps.push({iface: me.name, ns: me.ns, ip: ip4(pr.net + 100 + Math.floor(k / (2 * P))), mac: mac('cc', k)})
  }
  return {params: p, namespaces: nsNames, pairs, routes, arps}
}

/** (a) the lnx config: vpp-agent ConfigData. */
export function lnxConfig(t) {
  const iface = (me, peer) => ({
    name: me.name,
    type: 'VETH',
    namespace: {type: 'NSID', reference: me.ns},
    enabled: true,
    ip_addresses: me.addrs,
    phys_address: me.mac,
    veth: {peer_if_name: peer.name},
  })
  return {
    interfaces: t.pairs.flatMap((p) => [iface(p.a, p.b), iface(p.b, p.a)]),
    routes: t.routes.map((r) => ({outgoing_interface: r.iface, dst_network: r.dst, gw_addr: r.gw, metric: r.metric})),
    arp_entries: t.arps.map((a) => ({interface: a.iface, ip_address: a.ip, hw_address: a.mac})),
  }
}

/** (b) the hand-written `ip -batch` files: {default: lines, perNs: Map ns → lines}. */
export function floorBatches(t) {
  const def = t.namespaces.map((n) => `netns add ${n}`)
  for (const p of t.pairs) {
    def.push(`link add name ${p.a.name} address ${p.a.mac} group ${GROUP} netns /run/netns/${p.a.ns} type veth peer name ${p.b.name} address ${p.b.mac} group ${GROUP} netns /run/netns/${p.b.ns}`)
  }
  const perNs = new Map(t.namespaces.map((n) => [n, {up: ['link set dev lo up'], addr: [], route: [], neigh: []}]))
  for (const p of t.pairs) {
    for (const e of [p.a, p.b]) {
      const s = perNs.get(e.ns)
      s.up.push(`link set dev ${e.name} up`)
      for (const a of e.addrs) s.addr.push(`addr add ${a} dev ${e.name}`)
    }
  }
  for (const r of t.routes) perNs.get(r.ns).route.push(`route add ${r.dst} via ${r.gw} dev ${r.iface} metric ${r.metric} proto ${PROTO}`)
  for (const a of t.arps) perNs.get(a.ns).neigh.push(`neigh replace ${a.ip} lladdr ${a.mac} dev ${a.iface} nud permanent protocol ${PROTO}`)
  const out = new Map()
  for (const [n, s] of perNs) out.set(n, [...s.up, ...s.addr, ...s.route, ...s.neigh])
  return {default: def, perNs: out}
}

/** Namespaces whose `link del group` removes every pair (greedy cover; a namespace left empty would fail). */
export function groupDeleteNamespaces(t) {
  const left = new Set(t.pairs.map((p) => p.i))
  const byNs = new Map(t.namespaces.map((n) => [n, []]))
  for (const p of t.pairs) {
    byNs.get(p.a.ns).push(p.i)
    if (p.b.ns !== p.a.ns) byNs.get(p.b.ns).push(p.i)
  }
  const chosen = []
  for (const n of t.namespaces) {
    const mine = byNs.get(n).filter((i) => left.has(i))
    if (!mine.length) continue
    chosen.push(n)
    for (const i of mine) left.delete(i)
  }
  return chosen
}

export const DUMP_READS = ['addr show', 'route show table all', 'neigh show', 'netns list-id']

/** (c) one argv array per operation. */
export function perOpArgv(t) {
  const b = floorBatches(t)
  const split = (l) => l.split(' ')
  const ops = b.default.map((l) => ['ip', ...split(l)])
  for (const [n, lines] of b.perNs) for (const l of lines) ops.push(['ip', '-n', n, ...split(l)])
  return ops
}

/** (d) pyroute2: one netlink request per object, one rtnl socket per namespace (opened inside it, kept). */
export const PYROUTE2_SCRIPT = `#!/usr/bin/python3
# Generated by bench/generate.mjs: creates the topology of config.json with pyroute2 (Debian python3-pyroute2 0.7).
import json, os, sys
from pyroute2 import IPRoute, netns
from pyroute2.netlink.rtnl import ndmsg

GROUP = ${GROUP}
PROTO = ${PROTO}
cfg = json.load(open(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), 'config.json')))
ifaces = {i['name']: i for i in cfg['interfaces']}
nss = sorted({i['namespace']['reference'] for i in cfg['interfaces']}, key=lambda n: int(n[2:]) if n[2:].isdigit() else n)
for n in nss:
    netns.create(n)
fds = {n: os.open('/run/netns/' + n, os.O_RDONLY) for n in nss}
main = IPRoute()
done = set()
for i in cfg['interfaces']:
    peer = ifaces[i['veth']['peer_if_name']]
    if i['name'] in done:
        continue
    done.update((i['name'], peer['name']))
    main.link('add', ifname=i['name'], kind='veth', address=i['phys_address'], group=GROUP,
              net_ns_fd=fds[i['namespace']['reference']],
              peer={'ifname': peer['name'], 'address': peer['phys_address'], 'group': GROUP,
                    'net_ns_fd': fds[peer['namespace']['reference']]})
main.close()
sock = {}
for n in nss:
    netns.pushns(n)
    sock[n] = IPRoute()
    netns.popns()
idx = {}
nsof = {}
for n in nss:
    for l in sock[n].get_links():
        idx[(n, l.get_attr('IFLA_IFNAME'))] = l['index']
    lo = idx[(n, 'lo')]
    sock[n].link('set', index=lo, state='up')
for i in cfg['interfaces']:
    n = i['namespace']['reference']
    nsof[i['name']] = n
    sock[n].link('set', index=idx[(n, i['name'])], state='up')
for i in cfg['interfaces']:
    n = nsof[i['name']]
    for a in i['ip_addresses']:
        ip, plen = a.split('/')
        sock[n].addr('add', index=idx[(n, i['name'])], address=ip, prefixlen=int(plen))
for r in cfg['routes']:
    n = nsof[r['outgoing_interface']]
    sock[n].route('add', dst=r['dst_network'], gateway=r['gw_addr'], oif=idx[(n, r['outgoing_interface'])],
                  priority=r['metric'], proto=PROTO)
for a in cfg['arp_entries']:
    n = nsof[a['interface']]
    sock[n].neigh('replace', dst=a['ip_address'], lladdr=a['hw_address'], ifindex=idx[(n, a['interface'])],
                  state=ndmsg.states['permanent'])
for s in sock.values():
    s.close()
`

/** Synthetic `ip -d -j` arrays [links, routes, neighs, nsids] per namespace, as the kernel would show the topology
 * after `lnx apply` (owned: group 76, vpp-agent alias, proto 76) — input for parseNamespace in planning benchmarks. */
export function syntheticIpJson(t, {label = 'vpp1', applied = true} = {}) {
  const nsIndex = new Map(t.namespaces.map((n, j) => [n, j]))
  const per = new Map(t.namespaces.map((n) => [n, {links: [], routes: [], neighs: [], nsids: new Map(), next: 2}]))
  const loopback = (up) => ({
    ifindex: 1, ifname: 'lo', flags: up ? ['LOOPBACK', 'UP', 'LOWER_UP'] : ['LOOPBACK'], mtu: 65536, qdisc: 'noop', operstate: up ? 'UNKNOWN' : 'DOWN',
    group: 'default', txqlen: 1000, link_type: 'loopback', address: '00:00:00:00:00:00', broadcast: '00:00:00:00:00:00', promiscuity: 0,
    min_mtu: 0, max_mtu: 0,
    addr_info: up ? [{family: 'inet', local: '127.0.0.1', prefixlen: 8, scope: 'host', label: 'lo', valid_life_time: 4294967295, preferred_life_time: 4294967295},
      {family: 'inet6', local: '::1', prefixlen: 128, scope: 'host', noprefixroute: true, valid_life_time: 4294967295, preferred_life_time: 4294967295}] : [],
  })
  for (const [n, s] of per) {
    s.links.push(loopback(applied))
    if (applied) {
      s.routes.push(
        {type: 'local', dst: '127.0.0.0/8', dev: 'lo', table: 'local', protocol: 'kernel', scope: 'host', prefsrc: '127.0.0.1', flags: []},
        {type: 'local', dst: '127.0.0.1', dev: 'lo', table: 'local', protocol: 'kernel', scope: 'host', prefsrc: '127.0.0.1', flags: []},
        {type: 'broadcast', dst: '127.255.255.255', dev: 'lo', table: 'local', protocol: 'kernel', scope: 'link', prefsrc: '127.0.0.1', flags: []},
        {type: 'local', dst: '::1', dev: 'lo', table: 'local', protocol: 'kernel', scope: 'global', metric: 0, flags: [], pref: 'medium'},
      )
    }
  }
  if (!applied) return t.namespaces.map((n) => [per.get(n).links, [], [], []])
  const nsid = (from, to) => {
    const s = per.get(from)
    if (!s.nsids.has(to)) s.nsids.set(to, s.nsids.size)
    return s.nsids.get(to)
  }
  for (const p of t.pairs) {
    const ia = per.get(p.a.ns).next++
    const ib = per.get(p.b.ns).next++
    for (const [me, peer, idx, pidx] of [[p.a, p.b, ia, ib], [p.b, p.a, ib, ia]]) {
      const s = per.get(me.ns)
      const same = me.ns === peer.ns
      const link = {
        ifindex: idx, link_index: pidx, ifname: me.name, flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], mtu: 1500, qdisc: 'noqueue',
        operstate: 'UP', group: String(GROUP), txqlen: 1000, link_type: 'ether', address: me.mac, broadcast: 'ff:ff:ff:ff:ff:ff',
        promiscuity: 0, min_mtu: 68, max_mtu: 65535, linkinfo: {info_kind: 'veth'}, ifalias: `/vnf-agent/${label}/${me.name}/${peer.name}`,
        addr_info: [
          ...me.addrs.map((a, k) => ({family: 'inet', local: a.split('/')[0], prefixlen: 24, scope: 'global', ...(k ? {secondary: true} : {}), label: me.name, valid_life_time: 4294967295, preferred_life_time: 4294967295})),
          {family: 'inet6', local: `fe80::${(idx & 0xffff).toString(16)}:ff:fe00:${(nsIndex.get(me.ns) & 0xffff).toString(16)}`, prefixlen: 64, scope: 'link', valid_life_time: 4294967295, preferred_life_time: 4294967295},
        ],
      }
      if (!same) link.link_netnsid = nsid(me.ns, peer.ns)
      else link.link = peer.name
      s.links.push(link)
      const ll = link.addr_info[link.addr_info.length - 1].local
      s.routes.push(
        {type: 'unicast', dst: `${ip4(p.net)}/24`, dev: me.name, table: 'main', protocol: 'kernel', scope: 'link', prefsrc: me.ip, flags: []},
        ...me.addrs.map((a) => ({type: 'local', dst: a.split('/')[0], dev: me.name, table: 'local', protocol: 'kernel', scope: 'host', prefsrc: me.ip, flags: []})),
        {type: 'broadcast', dst: ip4(p.net + 255), dev: me.name, table: 'local', protocol: 'kernel', scope: 'link', prefsrc: me.ip, flags: []},
        {type: 'unicast', dst: 'fe80::/64', dev: me.name, table: 'main', protocol: 'kernel', scope: 'global', metric: 256, flags: [], pref: 'medium'},
        {type: 'local', dst: ll, dev: me.name, table: 'local', protocol: 'kernel', scope: 'global', metric: 0, flags: [], pref: 'medium'},
        {type: 'multicast', dst: 'ff00::/8', dev: me.name, table: 'local', protocol: 'kernel', scope: 'global', metric: 256, flags: [], pref: 'medium'},
      )
    }
  }
  for (const r of t.routes) per.get(r.ns).routes.push({type: 'unicast', dst: r.dst, gateway: r.gw, dev: r.iface, table: 'main', protocol: String(PROTO), scope: 'global', metric: r.metric, flags: []})
  for (const a of t.arps) per.get(a.ns).neighs.push({dst: a.ip, dev: a.iface, lladdr: a.mac, state: ['PERMANENT'], protocol: String(PROTO)})
  return t.namespaces.map((n) => {
    const s = per.get(n)
    return [s.links, s.routes, s.neighs, [...s.nsids].map(([name, id]) => ({nsid: id, name}))]
  })
}

/** Writes every artefact into dir; returns the file map and counts. */
export function writeAll(params, dir) {
  const t = topology(params)
  rmSync(dir, {recursive: true, force: true})
  mkdirSync(join(dir, 'floor'), {recursive: true})
  const cfg = lnxConfig(t)
  writeFileSync(join(dir, 'config.json'), JSON.stringify(cfg, null, 1) + '\n')
  writeFileSync(join(dir, 'config.yaml'), stringify(cfg, {lineWidth: 0}))
  const b = floorBatches(t)
  writeFileSync(join(dir, 'floor', 'default.batch'), b.default.join('\n') + '\n')
  const apply = ['#!/bin/sh', '# the floor: hand-written ip -batch files, one process per namespace', 'set -e', `cd "$(dirname "$0")"`, 'ip -batch default.batch']
  for (const [n, lines] of b.perNs) {
    writeFileSync(join(dir, 'floor', `${n}.batch`), lines.join('\n') + '\n')
    apply.push(`ip -n ${n} -batch ${n}.batch`)
  }
  writeFileSync(join(dir, 'floor', 'apply.sh'), apply.join('\n') + '\n')
  const del = ['#!/bin/sh', '# group-delete floor: every pair goes with the group of one of its namespaces', 'set -e',
    ...groupDeleteNamespaces(t).map((n) => `ip -n ${n} link del group ${GROUP}`)]
  writeFileSync(join(dir, 'floor', 'delete.sh'), del.join('\n') + '\n')
  writeFileSync(join(dir, 'floor', 'dump.batch'), DUMP_READS.join('\n') + '\n')
  const dump = ['#!/bin/sh', '# raw ip -json dumps of every namespace (the default one too), one process each', 'set -e', `cd "$(dirname "$0")"`,
    'ip -d -j -force -batch dump.batch', ...t.namespaces.map((n) => `ip -n ${n} -d -j -force -batch dump.batch`)]
  writeFileSync(join(dir, 'floor', 'dump.sh'), dump.join('\n') + '\n')
  const ops = perOpArgv(t)
  writeFileSync(join(dir, 'ops.json'), '[\n' + ops.map((o) => JSON.stringify(o)).join(',\n') + '\n]\n')
  writeFileSync(join(dir, 'pyroute2_apply.py'), PYROUTE2_SCRIPT)
  const counts = {
    namespaces: t.namespaces.length,
    interfaces: cfg.interfaces.length,
    addresses: cfg.interfaces.reduce((s, i) => s + i.ip_addresses.length, 0),
    routes: cfg.routes.length,
    arps: cfg.arp_entries.length,
    ops: ops.length,
  }
  counts.items = counts.interfaces + counts.addresses + counts.routes + counts.arps
  writeFileSync(join(dir, 'topology.json'), JSON.stringify({params: t.params, counts}, null, 1) + '\n')
  return {dir, topology: t, counts}
}

export function parseArgs(argv, spec) {
  const out = {}
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k]
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`)
    const name = a.slice(2)
    if (!(name in spec)) throw new Error(`unknown flag ${a} (known: ${Object.keys(spec).map((s) => '--' + s).join(' ')})`)
    if (spec[name] === 'bool') out[name] = true
    else {
      const v = argv[++k]
      if (v === undefined) throw new Error(`${a} needs a value`)
      out[name] = spec[name] === 'int' ? Number.parseInt(v, 10) : v
      if (spec[name] === 'int' && !(Number.isInteger(out[name]) && out[name] >= 0)) throw new Error(`${a}: not a non-negative integer: ${v}`)
    }
  }
  return out
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const spec = {namespaces: 'int', pairs: 'int', addrs: 'int', routes: 'int', arps: 'int', out: 'str', help: 'bool'}
  const f = parseArgs(process.argv.slice(2), spec)
  if (f.help) {
    console.log('usage: node bench/generate.mjs [--namespaces 50] [--pairs 1000] [--addrs 1] [--routes 5000] [--arps 2000] [--out DIR]')
    process.exit(0)
  }
  const {out, help, ...params} = f
  const r = writeAll(params, out ?? join(BENCH_DIR, 'out', 'topology'))
  console.log(`${r.dir}: ${JSON.stringify(r.counts)}`)
}
