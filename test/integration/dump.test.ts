import {test} from 'node:test'
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {parse as parseYaml} from 'yaml'
import {withPlayground, type Playground} from '../helpers/playground.ts'

test('dump -o json shows a veth pair made with raw ip, owned and foreign apart', async () => {
  await withPlayground(async (pg) => {
    await pg.sh(`ip netns add ns1; ip netns add ns2
      ip link add name v1 netns /run/netns/ns1 group 76 type veth peer name v2 netns /run/netns/ns2 group 76
      ip -n ns1 link set dev v1 alias /vnf-agent/vpp1/veth1/veth2 up
      ip -n ns2 link set dev v2 alias /vnf-agent/vpp1/veth2/veth1
      ip -n ns1 addr add 10.0.0.1/24 dev v1
      ip link add name hostv type veth peer name nsv netns /run/netns/ns1`)
    const r = await pg.lnxJson(['dump', 'all'])
    assert.equal(r.code, 0, r.stderr)
    const ip = (await pg.ipJson('ns1', 'addr', 'show', 'dev', 'v1'))[0]
    const v1 = r.json.interfaces.find((i: any) => i.name === 'veth1')
    assert.deepEqual(v1.ip_addresses, ['10.0.0.1/24'])
    assert.equal(v1.phys_address, ip.address)
    assert.equal(v1.host_if_name, 'v1')
    assert.deepEqual(v1.namespace, {type: 'NSID', reference: 'ns1'})
    assert.ok(r.json.foreign.interfaces.some((i: any) => i.name === 'hostv'))
    assert.ok(!r.json.interfaces.some((i: any) => i.name === 'hostv'))
  })
})

// ---------------------------------------------------------------------------------------------------------------
// A richer topology made with raw ip (lnx's marks: group 76 in `ip link add`, alias /vnf-agent/vpp1/…, proto 76),
// checked against `ip -json` read here, independently of lnx's own reader.

const TOPOLOGY = `ip netns add ns1; ip netns add ns2
  ip link add name v1 netns /run/netns/ns1 address 02:00:00:00:01:01 mtu 9000 group 76 type veth \\
    peer name v2 netns /run/netns/ns2 address 02:00:00:00:02:02 mtu 9000 group 76
  ip -n ns1 link set dev v1 alias /vnf-agent/vpp1/veth1/veth2 up
  ip -n ns2 link set dev v2 alias /vnf-agent/vpp1/veth2/veth1 up
  ip -n ns1 addr add 10.0.0.1/24 dev v1
  ip -n ns1 addr add 10.0.0.5/24 dev v1
  ip -n ns1 addr add 2001:db8::1/64 dev v1 nodad
  ip -n ns2 addr add 10.0.0.2/24 dev v2
  ip -n ns2 addr add 2001:db8::2/64 dev v2 nodad
  ip link add name hostv address 02:00:00:00:0a:01 type veth peer name nsv netns /run/netns/ns1 address 02:00:00:00:0a:02
  ip link set dev hostv up
  ip -n ns1 link set dev nsv up
  ip addr add 172.16.0.1/30 dev hostv
  ip tuntap add dev tap-host mode tap
  ip link set dev tap-host address 02:00:00:00:0b:01 alias /vnf-agent/vpp1/tap1/tap-host/tap-host up
  ip addr add 192.168.50.1/24 dev tap-host
  ip -n ns2 link add name s0 address 02:00:00:00:0c:01 type veth peer name s1 address 02:00:00:00:0c:02
  ip -n ns1 route add 192.168.10.0/24 via 10.0.0.2 dev v1 proto 76 metric 100
  ip -n ns1 route add 2001:db8:10::/64 via 2001:db8::2 dev v1 proto 76
  ip -n ns1 route add 192.168.30.0/24 via 10.0.0.3 dev v1 proto static
  ip -n ns2 route add default via 10.0.0.1 dev v2 proto 76
  ip -n ns1 neigh add 10.0.0.9 lladdr 02:00:00:00:00:09 dev v1 nud permanent protocol 76
  ip -n ns1 neigh add 10.0.0.10 lladdr 02:00:00:00:00:0a dev v1 nud permanent
  ip neigh add 172.16.0.2 lladdr 02:00:00:00:00:03 dev hostv nud permanent`

interface IpLink {ns: string; name: string; mac: string; up: boolean; mtu: number; alias?: string; kind: string; addrs: string[]}
interface IpView {
  namespaces: string[]
  links: IpLink[]
  routes: {ns: string; dst: string; gw?: string; dev?: string; metric?: number; protocol: string; table: string; type: string}[]
  neighs: {ns: string; ip: string; mac?: string; dev: string; protocol: string; permanent: boolean}[]
}

/** A read-only command inside the playground, stdin closed: pg.run writes to the child's stdin, which races with
 * fast-exiting commands (EPIPE) — see the report on test/helpers/playground.ts. */
function read(pg: Playground, file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn('nsenter', ['-t', String(pg.pid), '-n', '-m', '--', file, ...args], {stdio: ['ignore', 'pipe', 'pipe']})
    let out = ''
    let err = ''
    p.stdout.on('data', (d) => (out += d))
    p.stderr.on('data', (d) => (err += d))
    p.on('error', reject)
    p.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${file} ${args.join(' ')}: exit ${code}: ${err}`))))
  })
}

/** `ip -json` of one namespace ("" = the playground's own), parsed. */
const ipJson = async (pg: Playground, ns: string, ...args: string[]) => JSON.parse((await read(pg, 'ip', [...(ns ? ['-n', ns] : []), '-json', ...args])) || '[]')

/** Everything the tests compare with, straight from `ip -json` ("" = the playground's own namespace). */
async function ipView(pg: Playground): Promise<IpView> {
  const names = (await read(pg, 'ls', ['/run/netns'])).split('\n').filter(Boolean).sort()
  const v: IpView = {namespaces: ['', ...names], links: [], routes: [], neighs: []}
  for (const ns of v.namespaces) {
    for (const l of await ipJson(pg, ns, '-d', 'addr', 'show')) {
      v.links.push({
        ns, name: l.ifname, mac: l.address, up: l.flags.includes('UP'), mtu: l.mtu, alias: l.ifalias,
        kind: l.linkinfo?.info_kind === 'tun' ? l.linkinfo.info_data?.type : l.linkinfo?.info_kind ?? l.link_type,
        addrs: (l.addr_info ?? []).filter((a: any) => !(a.family === 'inet6' && a.scope === 'link')).map((a: any) => `${a.local}/${a.prefixlen}`),
      })
    }
    for (const r of await ipJson(pg, ns, 'route', 'show', 'table', 'all')) {
      v.routes.push({ns, dst: r.dst, gw: r.gateway, dev: r.dev, metric: r.metric, protocol: String(r.protocol), table: String(r.table ?? 'main'), type: r.type})
    }
    for (const n of await ipJson(pg, ns, 'neigh', 'show')) {
      v.neighs.push({ns, ip: n.dst, mac: n.lladdr, dev: n.dev, protocol: String(n.protocol ?? '0'), permanent: (n.state ?? []).includes('PERMANENT')})
    }
  }
  return v
}

const logicalName = (l: IpLink) => (l.alias?.startsWith('/vnf-agent/vpp1/') ? l.alias.split('/')[3] : undefined)
const nsField = (ns: string) => (ns ? {type: 'NSID', reference: ns} : undefined)
const isMac = (s: string) => /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(s)

/** The rows of one section of lnx's table output, cut at the header's column offsets. */
function tableRows(out: string, title: string): Record<string, string>[] {
  const lines = out.split('\n')
  const start = lines.findIndex((l) => l.trim() === title)
  assert.ok(start >= 0, `section ${title} in:\n${out}`)
  const head = lines[start + 1]
  const cols = [...head.matchAll(/\S+/g)].map((m) => ({name: m[0], at: m.index!}))
  const rows: Record<string, string>[] = []
  for (const l of lines.slice(start + 2)) {
    if (!l.trim()) break
    rows.push(Object.fromEntries(cols.map((c, i) => [c.name, l.slice(c.at, cols[i + 1]?.at ?? l.length).trim()])))
  }
  return rows
}

const nsCell = (ns: string) => ns || 'default'

test('dump (table): every link of every namespace with host name, MAC and addresses', async () => {
  await withPlayground(async (pg) => {
    await pg.sh(TOPOLOGY)
    const ip = await ipView(pg)
    assert.equal(ip.links.length, 10)
    for (const wide of [false, true]) {
      const r = await pg.lnx(['dump', ...(wide ? ['--wide'] : [])])
      assert.equal(r.code, 0, r.stderr)
      const rows = tableRows(r.stdout, 'INTERFACES')
      assert.equal(rows.length, ip.links.length, r.stdout)
      for (const l of ip.links) {
        const row = rows.find((x) => x.NAMESPACE === nsCell(l.ns) && x.HOST === l.name)
        assert.ok(row, `row for ${l.name} in ${nsCell(l.ns)}:\n${r.stdout}`)
        if (l.kind !== 'loopback') assert.equal(row.MAC, l.mac, l.name)
        assert.equal(row.STATE, l.up ? 'up' : 'down', l.name)
        assert.equal(row.MTU, String(l.mtu), l.name)
        assert.equal(row.NAME, logicalName(l) ?? '-', l.name)
        assert.equal(row.MANAGED, logicalName(l) ? 'yes' : 'no', l.name)
        const want = l.addrs.join(',') || '-'
        // Compact tables may cut a long cell (marked "…"); --wide never does.
        if (wide || !row.ADDRESSES.endsWith('…')) assert.equal(row.ADDRESSES, want, l.name)
        else assert.ok(want.startsWith(row.ADDRESSES.slice(0, -1)), `${l.name}: ${row.ADDRESSES} vs ${want}`)
      }
      const tap = rows.find((x) => x.HOST === 'tap-host')!
      assert.equal(tap.TYPE, 'TAP_TO_VPP')
      assert.equal(rows.find((x) => x.HOST === 'hostv')!.PEER, 'nsv@ns1')
      assert.equal(rows.find((x) => x.HOST === 'v1')!.PEER, 'v2@ns2')
      const routes = tableRows(r.stdout, 'ROUTES')
      for (const rt of ip.routes.filter((x) => x.protocol === '76')) {
        assert.ok(routes.some((x) => x.NAMESPACE === nsCell(rt.ns) && x.DEV === rt.dev && x.VIA === rt.gw && x.MANAGED === 'yes'), `route ${rt.dst}:\n${r.stdout}`)
      }
      assert.ok(routes.some((x) => x.DST === '192.168.30.0/24' && x.PROTO === 'static' && x.MANAGED === 'no'))
      const arps = tableRows(r.stdout, 'ARP ENTRIES')
      for (const n of ip.neighs.filter((x) => x.permanent)) {
        const row = arps.find((x) => x.NAMESPACE === nsCell(n.ns) && x.IP === n.ip)
        assert.ok(row, `neighbour ${n.ip}:\n${r.stdout}`)
        assert.equal(row.MAC, n.mac)
        assert.equal(row.MANAGED, n.protocol === '76' ? 'yes' : 'no')
      }
    }
  })
})

test('dump --json / -o json: interfaces, arp_entries, routes and foreign match ip -json', async () => {
  await withPlayground(async (pg) => {
    await pg.sh(TOPOLOGY)
    const ip = await ipView(pg)
    const r = await pg.lnxJson(['dump'])
    assert.equal(r.code, 0, r.stderr)
    const o = await pg.lnx(['dump', 'all', '-o', 'json'])
    assert.equal(o.code, 0, o.stderr)
    assert.deepEqual(JSON.parse(o.stdout), r.json, '-o json and --json print the same document')
    const doc = r.json
    assert.deepEqual(Object.keys(doc).sort(), ['arp_entries', 'foreign', 'interfaces', 'routes'])

    // Owned interfaces: exactly the links with this label's alias, described as ip -json sees them.
    const owned = ip.links.filter((l) => logicalName(l))
    assert.deepEqual(doc.interfaces.map((i: any) => i.name).sort(), owned.map((l) => logicalName(l)).sort())
    for (const l of owned) {
      const i = doc.interfaces.find((x: any) => x.name === logicalName(l))
      assert.equal(i.host_if_name ?? (i.type === 'LOOPBACK' ? 'lo' : i.name), l.name)
      assert.equal(i.phys_address, l.mac, l.name)
      assert.deepEqual(i.namespace, nsField(l.ns), l.name)
      assert.deepEqual(i.ip_addresses ?? [], l.addrs, l.name)
      assert.equal(i.enabled ?? false, l.up, l.name)
      assert.equal(i.mtu ?? 1500, l.mtu, l.name)
    }
    const veth1 = doc.interfaces.find((x: any) => x.name === 'veth1')
    assert.equal(veth1.type, 'VETH')
    assert.deepEqual(veth1.veth, {peer_if_name: 'veth2'})
    assert.equal(veth1.mtu, 9000)
    const tap1 = doc.interfaces.find((x: any) => x.name === 'tap1')
    assert.equal(tap1.type, 'TAP_TO_VPP')
    assert.equal(tap1.tap.vpp_tap_if_name, 'tap-host')

    // Foreign interfaces: every other link, each namespace's once.
    const fi = doc.foreign.interfaces
    assert.deepEqual(fi.map((f: any) => `${f.namespace?.reference ?? ''}/${f.name}`).sort(),
      ip.links.filter((l) => !logicalName(l)).map((l) => `${l.ns}/${l.name}`).sort())
    for (const f of fi) {
      const l = ip.links.find((x) => x.ns === (f.namespace?.reference ?? '') && x.name === f.name)!
      if (l.kind !== 'loopback') assert.equal(f.phys_address, l.mac, f.name)
      // The kind's default MTU is left out, as for owned items (DESIGN: values equal to the kind's default omitted).
      const kindDefault = l.kind === 'loopback' ? 65536 : ['veth', 'tap', 'tun', 'dummy'].includes(l.kind) ? 1500 : undefined
      assert.equal(f.mtu, l.mtu === kindDefault ? undefined : l.mtu, f.name)
      assert.deepEqual(f.ip_addresses ?? [], l.addrs, f.name)
    }
    assert.equal(fi.find((f: any) => f.name === 'hostv').peer, 'nsv@ns1')
    assert.equal(fi.find((f: any) => f.name === 'nsv').peer, 'hostv@default')

    // Routes: the proto-76 routes of owned links, as items, by logical interface name.
    const devName = (ns: string, dev?: string) => logicalName(ip.links.find((l) => l.ns === ns && l.name === dev)!)
    const want = ip.routes.filter((x) => x.protocol === '76' && x.table === 'main').map((x) => ({
      outgoing_interface: devName(x.ns, x.dev), dst_network: x.dst === 'default' ? '0.0.0.0/0' : x.dst,
      ...(x.gw ? {gw_addr: x.gw} : {}),
      ...(x.metric !== undefined && x.metric !== (x.dst.includes(':') ? 1024 : 0) ? {metric: x.metric} : {}),
    }))
    assert.equal(want.length, 3)
    const sortK = (a: any[]) => [...a].sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)))
    assert.deepEqual(sortK(doc.routes), sortK(want))
    const fr = doc.foreign.routes
    const stat = fr.find((x: any) => x.dst_network === '192.168.30.0/24')
    assert.deepEqual([stat.gw_addr, stat.protocol, stat.outgoing_interface, stat.namespace], ['10.0.0.3', 'static', 'v1', nsField('ns1')])
    assert.ok(!fr.some((x: any) => x.protocol === 'kernel'), 'kernel routes are not listed')
    assert.ok(!fr.some((x: any) => x.protocol === '76'), 'owned routes are not foreign')

    // ARP entries: permanent proto-76 neighbours of owned links; other permanent ones under foreign.
    const perm = ip.neighs.filter((n) => n.permanent)
    assert.deepEqual(doc.arp_entries, perm.filter((n) => n.protocol === '76').map((n) => ({interface: devName(n.ns, n.dev), ip_address: n.ip, hw_address: n.mac})))
    assert.deepEqual(doc.foreign.arp_entries.map((a: any) => `${a.namespace?.reference ?? ''} ${a.interface} ${a.ip_address} ${a.hw_address}`).sort(),
      perm.filter((n) => n.protocol !== '76').map((n) => `${n.ns} ${n.dev} ${n.ip} ${n.mac}`).sort())
  })
})

test('dump: a veth pair with both ends in one namespace shows its peer', async () => {
  await withPlayground(async (pg) => {
    await pg.sh(TOPOLOGY)
    // ip -json names a same-namespace peer by "link" (no link_index/link_netnsid).
    assert.equal((await ipJson(pg, 'ns2', 'link', 'show', 'dev', 's0'))[0].link, 's1')
    const r = await pg.lnxJson(['dump', 'interfaces', '-n', 'ns2'])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.json.foreign.interfaces.find((f: any) => f.name === 's0')?.peer, 's1')
    assert.equal(r.json.foreign.interfaces.find((f: any) => f.name === 's1')?.peer, 's0')
    const t = await pg.lnx(['dump', 'interfaces', '-n', 'ns2'])
    assert.equal(tableRows(t.stdout, 'INTERFACES').find((x) => x.HOST === 's0')?.PEER, 's1')
  })
})

test('dump -o yaml: a valid config document with quoted MACs, accepted by lnx validate', async () => {
  await withPlayground(async (pg) => {
    await pg.sh(TOPOLOGY)
    const ip = await ipView(pg)
    const y = await pg.lnx(['dump', 'all', '-o', 'yaml'])
    assert.equal(y.code, 0, y.stderr)
    const doc = parseYaml(y.stdout, {version: '1.1'}) // a YAML 1.1 reader must get the same strings
    const j = await pg.lnxJson(['dump', 'all'])
    assert.deepEqual(doc, j.json, 'YAML and JSON outputs hold the same document')
    assert.deepEqual([doc.interfaces.length, doc.routes.length, doc.arp_entries.length, !!doc.foreign], [3, 3, 1, true])
    // Every MAC in the raw text is quoted; none is left bare.
    const macs = ip.links.filter((l) => l.kind !== 'loopback' && l.kind !== 'tun').map((l) => l.mac)
    for (const m of macs) assert.ok(y.stdout.includes(`"${m}"`), `${m} quoted in:\n${y.stdout}`)
    for (const line of y.stdout.split('\n')) {
      const v = line.replace(/^[\s-]*([A-Za-z_]+:\s*)?/, '').trim()
      assert.ok(!isMac(v), `bare MAC: ${line}`)
      if (/^(phys_address|hw_address):/.test(line.trim())) assert.match(line, /: "[0-9a-f:]{17}"$/)
    }
    for (const a of ['10.0.0.1/24', '2001:db8::1/64', '0.0.0.0/0']) assert.ok(y.stdout.includes(`"${a}"`), `${a} quoted`)

    const dir = mkdtempSync(join(tmpdir(), 'lnx-dump-'))
    try {
      const file = join(dir, 'current.yaml')
      writeFileSync(file, y.stdout)
      const v = await pg.lnx(['validate', '-f', file])
      assert.equal(v.code, 0, v.stdout + v.stderr)
      const vj = await pg.lnxJson(['validate', '-f', file])
      assert.equal(vj.json.valid, true, JSON.stringify(vj.json))
      assert.deepEqual(vj.json.errors, [])
      // The managed-only form validates too.
      const m = await pg.lnx(['dump', 'all', '--managed', '-o', 'yaml'])
      writeFileSync(file, m.stdout)
      const vm = await pg.lnx(['validate', '-f', file])
      assert.equal(vm.code, 0, vm.stdout + vm.stderr)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})

test('dump --managed leaves out foreign (json, yaml and table)', async () => {
  await withPlayground(async (pg) => {
    await pg.sh(TOPOLOGY)
    const all = await pg.lnxJson(['dump', 'all'])
    const r = await pg.lnxJson(['dump', 'all', '--managed'])
    assert.equal(r.code, 0, r.stderr)
    assert.ok(all.json.foreign, 'precondition: foreign items exist')
    assert.equal(r.json.foreign, undefined)
    assert.deepEqual(r.json, {interfaces: all.json.interfaces, arp_entries: all.json.arp_entries, routes: all.json.routes})
    const y = await pg.lnx(['dump', 'all', '--managed', '-o', 'yaml'])
    assert.doesNotMatch(y.stdout, /^foreign:/m)
    assert.deepEqual(parseYaml(y.stdout), r.json)
    const t = await pg.lnx(['dump', '--managed'])
    const rows = tableRows(t.stdout, 'INTERFACES')
    assert.deepEqual(rows.map((x) => x.HOST).sort(), ['tap-host', 'v1', 'v2'])
    assert.ok(rows.every((x) => x.MANAGED === 'yes'))
    assert.ok(tableRows(t.stdout, 'ROUTES').every((x) => x.MANAGED === 'yes'))
    assert.ok(tableRows(t.stdout, 'ARP ENTRIES').every((x) => x.MANAGED === 'yes'))
  })
})

test('dump -n NAMESPACE restricts to that namespace', async () => {
  await withPlayground(async (pg) => {
    await pg.sh(TOPOLOGY)
    const ip = await ipView(pg)
    const r = await pg.lnxJson(['dump', 'all', '-n', 'ns1'])
    assert.equal(r.code, 0, r.stderr)
    const ns1 = {type: 'NSID', reference: 'ns1'}
    assert.deepEqual(r.json.interfaces.map((i: any) => i.name), ['veth1'])
    assert.ok(r.json.interfaces.every((i: any) => JSON.stringify(i.namespace) === JSON.stringify(ns1)))
    assert.deepEqual(r.json.foreign.interfaces.map((f: any) => f.name).sort(), ip.links.filter((l) => l.ns === 'ns1' && !logicalName(l)).map((l) => l.name).sort())
    for (const sec of ['interfaces', 'routes', 'arp_entries']) {
      for (const f of r.json.foreign[sec] ?? []) assert.deepEqual(f.namespace, ns1, `${sec}: ${JSON.stringify(f)}`)
    }
    assert.ok(r.json.routes.every((x: any) => x.outgoing_interface === 'veth1'))
    assert.equal(r.json.routes.length, 2)
    assert.ok(!r.json.routes.some((x: any) => x.outgoing_interface === 'veth2'))

    const d = await pg.lnxJson(['dump', 'all', '-n', 'default'])
    assert.equal(d.code, 0, d.stderr)
    assert.deepEqual(d.json.interfaces.map((i: any) => i.name), ['tap1'])
    assert.ok(d.json.foreign.interfaces.every((f: any) => f.namespace === undefined))
    assert.deepEqual(d.json.foreign.interfaces.map((f: any) => f.name).sort(), ip.links.filter((l) => l.ns === '' && !logicalName(l)).map((l) => l.name).sort())

    const t = await pg.lnx(['dump', '-n', 'ns2'])
    const rows = tableRows(t.stdout, 'INTERFACES')
    assert.equal(rows.length, ip.links.filter((l) => l.ns === 'ns2').length)
    assert.ok(rows.every((x) => x.NAMESPACE === 'ns2'), t.stdout)
    assert.ok(tableRows(t.stdout, 'ROUTES').every((x) => x.NAMESPACE === 'ns2'))
  })
})

test('dump interfaces|routes|arps prints only that section', async () => {
  await withPlayground(async (pg) => {
    await pg.sh(TOPOLOGY)
    const i = await pg.lnxJson(['dump', 'interfaces'])
    assert.deepEqual(Object.keys(i.json).sort(), ['foreign', 'interfaces'])
    assert.deepEqual(Object.keys(i.json.foreign), ['interfaces'])
    const rt = await pg.lnxJson(['dump', 'routes'])
    assert.deepEqual(Object.keys(rt.json).sort(), ['foreign', 'routes'])
    assert.equal(rt.json.routes.length, 3)
    const a = await pg.lnxJson(['dump', 'arps', '--managed'])
    assert.deepEqual(a.json, {arp_entries: [{interface: 'veth1', ip_address: '10.0.0.9', hw_address: '02:00:00:00:00:09'}]})
  })
})

test('dump namespaces --json: one row per namespace with link, owned and foreign counts', async () => {
  await withPlayground(async (pg) => {
    await pg.sh(TOPOLOGY)
    const ip = await ipView(pg)
    const r = await pg.lnxJson(['dump', 'namespaces'])
    assert.equal(r.code, 0, r.stderr)
    assert.deepEqual(Object.keys(r.json), ['namespaces'])
    const rows = r.json.namespaces
    const label = (n: any) => (n.name === 'default' ? '' : n.name)
    assert.deepEqual(rows.map(label).sort(), ip.namespaces)
    const ids = new Set<string>()
    for (const n of rows) {
      const ns = label(n)
      const links = ip.links.filter((l) => l.ns === ns)
      const owned = links.filter((l) => logicalName(l)).length
      assert.equal(n.links, links.length, `links of ${ns || 'default'}`)
      assert.equal(n.owned, owned, `owned of ${ns || 'default'}`)
      assert.equal(n.foreign, links.length - owned, `foreign of ${ns || 'default'}`)
      assert.equal(n.routes, ip.routes.filter((x) => x.ns === ns && x.protocol === '76').length)
      assert.equal(n.arps, ip.neighs.filter((x) => x.ns === ns && x.protocol === '76' && x.permanent).length)
      assert.equal(typeof n.id, 'string')
      ids.add(n.id)
    }
    assert.equal(ids.size, rows.length, 'namespace ids are distinct')
    const ns1 = rows.find((n: any) => n.name === 'ns1')
    assert.deepEqual([ns1.links, ns1.owned, ns1.routes, ns1.arps], [3, 1, 2, 1])
    const t = await pg.lnx(['dump', 'namespaces'])
    assert.deepEqual(tableRows(t.stdout, 'NAMESPACES').map((x) => x.NAMESPACE), ['default', 'ns1', 'ns2'])
  })
})
