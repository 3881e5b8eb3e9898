// Imperative verbs (interface/route/arp/namespace) against the real kernel: every verb's success and failure
// paths, and equivalence with the declarative file of the same topology. Each test runs the real CLI
// (bin/run.js) in its own playground (private netns + mountns, tmpfs /run); kernel state is asserted with raw
// `ip -json` only, never with lnx's own dump.
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {LNX, withPlayground, type Out, type Playground} from '../helpers/playground.ts'
import {assertForeignUnchanged, foreignPicture} from '../helpers/foreign.ts'
import {tempDir} from '../helpers/tmp.ts'

// ---------------------------------------------------------------------------------------------------------------
// Helpers

const withPg = withPlayground

let dir: string | undefined
function tmpFile(name: string, content: string): string {
  dir ??= tempDir('imperative')
  const f = join(dir, `${Math.random().toString(36).slice(2, 8)}-${name}`)
  writeFileSync(f, content)
  return f
}

/** hostPicture() once the kernel has settled (no IPv6 address still in DAD: its local route comes after it). */
async function stableSnapshot(pg: Playground): Promise<string> {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
  const tentative = async () => {
    for (const ns of ['', ...(await netns(pg))]) {
      if ((await pg.ipJson(ns, 'addr', 'show')).some((l: any) => (l.addr_info ?? []).some((a: any) => a.tentative))) return true
    }
    return false
  }
  let last = ''
  for (let i = 0; i < 10; i++) {
    for (let j = 0; j < 30 && (await tentative()); j++) await sleep(100)
    const now = await hostPicture(pg)
    if (now === last) return now
    last = now
    await sleep(300)
  }
  return last
}

/** The kernel state equals `before` (waiting up to ~3 s for asynchronous settling). */
async function assertUnchanged(pg: Playground, before: string, msg: string) {
  let now = ''
  for (let i = 0; i < 30; i++) {
    if ((now = await hostPicture(pg)) === before) return
    await new Promise((r) => setTimeout(r, 100))
  }
  assert.equal(now, before, msg)
}

const KEY = {
  iface: (n: string) => `config/linux/interfaces/v2/interface/${n}`,
  route: (dst: string, i: string) => `config/linux/l3/v2/route/${dst}/${i}`,
  arp: (i: string, ip: string) => `config/linux/l3/v2/arp/${i}/${ip}`,
}

/** lnx, asserting the exit code (the message carries the output for a failing assertion). */
async function ok(pg: Playground, args: string[], code = 0): Promise<Out> {
  const r = await pg.lnx(args)
  assert.equal(r.code, code, `lnx ${args.join(' ')} → ${r.code}\n${r.stdout}\n${r.stderr}`)
  return r
}

const links = (pg: Playground, ns: string) => pg.ipJson(ns, '-d', 'link', 'show')
const link = async (pg: Playground, ns: string, name: string) => (await links(pg, ns)).find((l: any) => l.ifname === name)
const isUp = (l: any) => (l.flags as string[]).includes('UP')

/** Addresses other than link-local ones, "a/len", sorted. */
async function addrs(pg: Playground, ns: string, dev: string): Promise<string[]> {
  const l = (await pg.ipJson(ns, 'addr', 'show')).find((x: any) => x.ifname === dev)
  if (!l) throw new Error(`${dev} not in ${ns || 'default'}`)
  return (l.addr_info ?? []).filter((a: any) => a.scope !== 'link').map((a: any) => `${a.local}/${a.prefixlen}`).sort()
}

/** lnx's routes (proto 76), both families, every table. */
const lnxRoutes = async (pg: Playground, ns: string) =>
  (await pg.ipJson(ns, 'route', 'show', 'table', 'all')).filter((r: any) => r.protocol === '76')
/** Permanent neighbours. */
const permNeighs = async (pg: Playground, ns: string) =>
  (await pg.ipJson(ns, 'neigh', 'show')).filter((n: any) => (n.state ?? []).includes('PERMANENT'))
const netns = async (pg: Playground): Promise<string[]> => (await pg.ipJson('', 'netns', 'list')).map((x: any) => x.name).sort()

/** The other end of a veth: {ns, name}, resolved through link_netnsid → netns list-id. */
async function peerOf(pg: Playground, ns: string, name: string): Promise<{ns: string; name: string} | undefined> {
  const l = await link(pg, ns, name)
  if (!l?.link_index) return undefined
  let pns = ns
  if (l.link_netnsid !== undefined) {
    pns = (await pg.ipJson(ns, 'netns', 'list-id')).find((x: any) => x.nsid === l.link_netnsid)?.name
    if (pns === undefined) return undefined
  }
  const p = (await links(pg, pns)).find((x: any) => x.ifindex === l.link_index)
  return p ? {ns: pns, name: p.ifname} : undefined
}

/** veth1 (ns1, 192.168.22.1/24) ↔ veth2 (ns2, 192.168.22.5/24), a route and an ARP entry on veth1. */
async function topology(pg: Playground) {
  await ok(pg, ['interface', 'add', 'veth1', '--type', 'veth', '--peer', 'veth2', '--namespace', 'ns1', '--peer-namespace', 'ns2', '--ip', '192.168.22.1/24'])
  await ok(pg, ['interface', 'set', 'veth2', '--add-ip', '192.168.22.5/24'])
  await ok(pg, ['route', 'add', '10.9.0.0/16', '--dev', 'veth1', '--via', '192.168.22.5', '--metric', '10'])
  await ok(pg, ['arp', 'add', '--dev', 'veth1', '192.168.22.9', '02:00:00:00:00:09'])
}

async function assertL3(pg: Playground, ns: string, dev: string, what: string) {
  const rt = (await lnxRoutes(pg, ns)).filter((r: any) => r.dst === '10.9.0.0/16')
  assert.equal(rt.length, 1, `${what}: route 10.9.0.0/16 in ${ns}: ${JSON.stringify(rt)}`)
  assert.equal(rt[0].dev, dev, what)
  assert.equal(rt[0].gateway, '192.168.22.5', what)
  assert.equal(rt[0].metric, 10, what)
  const nb = (await permNeighs(pg, ns)).filter((n: any) => n.dst === '192.168.22.9')
  assert.equal(nb.length, 1, `${what}: ARP 192.168.22.9 in ${ns}: ${JSON.stringify(nb)}`)
  assert.equal(nb[0].dev, dev, what)
  assert.equal(nb[0].lladdr, '02:00:00:00:00:09', what)
  assert.equal(nb[0].protocol, '76', what)
}

/** The JSON contract of an apply result. */
function assertResultShape(j: any, result: string) {
  assert.deepEqual(Object.keys(j).sort(), ['changes', 'pending', 'result', 'summary'], JSON.stringify(j))
  assert.equal(j.result, result)
  assert.deepEqual(Object.keys(j.summary).sort(), ['create', 'delete', 'pending', 'unchanged', 'update'])
  for (const a of ['create', 'update', 'delete'] as const) assert.equal(j.summary[a], j.changes.filter((c: any) => c.action === a).length)
  assert.equal(j.summary.pending, j.pending.length)
  for (const c of j.changes) {
    assert.ok(['create', 'update', 'delete'].includes(c.action), JSON.stringify(c))
    assert.ok(['namespace', 'interface', 'address', 'route', 'arp'].includes(c.kind), JSON.stringify(c))
    for (const f of ['key', 'namespace', 'detail']) assert.equal(typeof c[f], 'string', JSON.stringify(c))
    assert.ok(Array.isArray(c.commands) && c.commands.every((x: unknown) => typeof x === 'string'), JSON.stringify(c))
  }
}

const isLinkLocal = (a: string) => /^fe80:/i.test(a)
/** Carrier-derived flags follow the peer's admin state after linkwatch's delay (seconds under load): the admin
 *  state is the UP flag. */
const CARRIER = new Set(['LOWER_UP', 'NO-CARRIER', 'M-DOWN'])

/** A normalised picture of one namespace (for comparing two hosts, or a host before and after): no
 *  ifindex-dependent or volatile fields. */
async function projection(pg: Playground, ns: string) {
  const byName = (a: any, b: any) => (a.ifname < b.ifname ? -1 : a.ifname > b.ifname ? 1 : 0)
  const linksP = (await pg.ipJson(ns, '-d', 'addr', 'show')).map((l: any) => ({
    ifname: l.ifname, kind: l.linkinfo?.info_kind ?? null, flags: (l.flags as string[]).filter((f) => !CARRIER.has(f)),
    mtu: l.mtu, address: l.address, ifalias: l.ifalias ?? null, group: l.group,
    // Link-local IPv6 addresses derive from the MAC a link had when it came up (a later MAC change keeps them):
    // not part of the configuration, left out together with their local routes.
    addr_info: (l.addr_info ?? []).filter((a: any) => !isLinkLocal(a.local)).map((a: any) => `${a.local}/${a.prefixlen}`).sort(),
  })).sort(byName)
  const volatile = new Set(['expires', 'cache', 'ifindex', 'link_index', 'link_netnsid'])
  const routesP = (await pg.ipJson(ns, 'route', 'show', 'table', 'all'))
    .filter((r: any) => !(r.type === 'local' && isLinkLocal(r.dst)))
    .map((r: any) => JSON.stringify({...r, flags: (r.flags ?? []).filter((f: string) => f !== 'linkdown')}, (k, v) => (volatile.has(k) ? undefined : v))).sort()
  const neighP = (await permNeighs(pg, ns)).map((n: any) => JSON.stringify({dst: n.dst, dev: n.dev, lladdr: n.lladdr, state: n.state, protocol: n.protocol ?? null})).sort()
  return {links: linksP, routes: routesP, neigh: neighP}
}

async function hostPicture(pg: Playground): Promise<string> {
  const out: Record<string, unknown> = {}
  for (const ns of ['', ...(await netns(pg))]) out[ns || '(default)'] = await projection(pg, ns)
  return JSON.stringify(out, null, 1)
}

/** Waits a little for IPv6 autoconfiguration (link-local, its routes) to settle on both hosts. */
async function settledPair(a: Playground, b: Playground): Promise<[string, string]> {
  let pa = ''
  let pb = ''
  for (let i = 0; i < 40; i++) {
    ;[pa, pb] = await Promise.all([hostPicture(a), hostPicture(b)])
    if (pa === pb) break
    await new Promise((r) => setTimeout(r, 150))
  }
  return [pa, pb]
}

// ---------------------------------------------------------------------------------------------------------------

describe('imperative verbs', {concurrency: 3}, () => {
  it('interface add veth: --namespace/--peer-namespace/--ip/--mac/--mtu/--host-name, marks, peer up; --down', async () => {
    await withPg(async (pg) => {
      const r = await pg.lnxJson(['interface', 'add', 'veth1', '--type', 'veth', '--peer', 'veth2', '--namespace', 'ns1', '--peer-namespace', 'ns2',
        '--ip', '192.168.22.1/24', '--ip', '2001:db8::1/64', '--mac', '02:AA:00:00:00:01', '--mtu', '1400', '--host-name', 'v1host'])
      assert.equal(r.code, 0, r.stdout + r.stderr)
      assertResultShape(r.json, 'applied')
      assert.ok(r.json.changes.some((c: any) => c.kind === 'interface' && c.key === KEY.iface('veth1') && c.action === 'create'))
      assert.deepEqual(await netns(pg), ['ns1', 'ns2'])
      const v1 = await link(pg, 'ns1', 'v1host')
      assert.ok(v1, 'v1host in ns1')
      assert.equal(await link(pg, 'ns1', 'veth1'), undefined, 'the kernel name is --host-name')
      assert.equal(v1.linkinfo?.info_kind, 'veth')
      assert.equal(v1.address, '02:aa:00:00:00:01')
      assert.equal(v1.mtu, 1400)
      assert.equal(v1.group, '76')
      assert.equal(v1.ifalias, '/vnf-agent/vpp1/veth1/veth2')
      assert.ok(isUp(v1))
      assert.deepEqual(await addrs(pg, 'ns1', 'v1host'), ['192.168.22.1/24', '2001:db8::1/64'])
      const v2 = await link(pg, 'ns2', 'veth2')
      assert.ok(v2, 'veth2 in ns2')
      assert.equal(v2.group, '76')
      assert.equal(v2.ifalias, '/vnf-agent/vpp1/veth2/veth1')
      assert.ok(isUp(v2), 'a peer created with its pair is up')
      assert.deepEqual(await peerOf(pg, 'ns1', 'v1host'), {ns: 'ns2', name: 'veth2'})
      // lo of a namespace lnx created is up.
      assert.ok(isUp(await link(pg, 'ns1', 'lo')))

      // Same name again: exit 2, nothing changes.
      const before = await stableSnapshot(pg)
      const again = await pg.lnx(['interface', 'add', 'veth1', '--type', 'veth', '--peer', 'veth3'])
      assert.equal(again.code, 2, again.stderr)
      assert.match(again.stderr, /already exists/)
      await assertUnchanged(pg, before, 'nothing changed')

      // --down: the link stays down, its freshly created peer is up.
      await ok(pg, ['interface', 'add', 'd1', '--type', 'veth', '--peer', 'd2', '--down'])
      const d1 = await link(pg, '', 'd1')
      const d2 = await link(pg, '', 'd2')
      assert.ok(d1 && d2, 'd1 and d2 in the default namespace')
      assert.ok(!isUp(d1), 'd1 is down')
      assert.ok(isUp(d2), 'd2 is up')
      assert.equal(d1.group, '76')
      assert.equal(d1.ifalias, '/vnf-agent/vpp1/d1/d2')
    })
  })

  it('interface add --type tap-to-vpp adopts the tap (pending until it exists); delete reverts it, never destroys it', async () => {
    await withPg(async (pg) => {
      // No tap yet: pending (exit 3), nothing created for it.
      let r = await pg.lnxJson(['interface', 'add', 'tap1', '--type', 'tap-to-vpp', '--vpp-tap', 'tap-host', '--namespace', 'ns2', '--ip', '172.52.45.127/24'])
      assert.equal(r.code, 3, r.stdout + r.stderr)
      assertResultShape(r.json, 'pending')
      assert.deepEqual(r.json.pending.map((p: any) => p.key), [KEY.iface('tap1')])
      assert.match(r.json.pending[0].reason, /tap-host/)
      // --vpp-tap is required.
      const nov = await pg.lnx(['interface', 'add', 'tap1', '--type', 'tap-to-vpp'])
      assert.equal(nov.code, 2)
      assert.match(nov.stderr, /--vpp-tap/)

      await pg.sh('ip tuntap add dev tap-host mode tap')
      const ifindex = (await link(pg, '', 'tap-host')).ifindex
      r = await pg.lnxJson(['interface', 'add', 'tap1', '--type', 'tap-to-vpp', '--vpp-tap', 'tap-host', '--namespace', 'ns2',
        '--ip', '172.52.45.127/24', '--mac', '02:00:00:00:00:aa'])
      assert.equal(r.code, 0, r.stdout + r.stderr)
      assertResultShape(r.json, 'applied')
      assert.equal(await link(pg, '', 'tap-host'), undefined, 'the tap left the default namespace')
      const tap = await link(pg, 'ns2', 'tap1')
      assert.ok(tap, 'the tap is tap1 in ns2')
      assert.equal(tap.linkinfo?.info_data?.type, 'tap')
      assert.equal(tap.ifalias, '/vnf-agent/vpp1/tap1/tap-host/tap-host')
      assert.notEqual(tap.group, '76', 'adopted links get the alias mark only')
      assert.equal(tap.address, '02:00:00:00:00:aa')
      assert.ok(isUp(tap))
      assert.deepEqual(await addrs(pg, 'ns2', 'tap1'), ['172.52.45.127/24'])
      await ok(pg, ['route', 'add', '10.50.0.0/16', '--dev', 'tap1', '--via', '172.52.45.1'])
      assert.equal((await lnxRoutes(pg, 'ns2')).filter((x: any) => x.dst === '10.50.0.0/16' && x.dev === 'tap1').length, 1)

      r = await pg.lnxJson(['interface', 'delete', 'tap1'])
      assert.equal(r.code, 0, r.stdout + r.stderr)
      assertResultShape(r.json, 'applied')
      assert.deepEqual((await lnxRoutes(pg, 'ns2')), [], 'its route went first')
      assert.equal(await link(pg, 'ns2', 'tap1'), undefined)
      const back = await link(pg, '', 'tap-host')
      assert.ok(back, 'reverted to tap-host in the default namespace, not destroyed')
      assert.equal(back.ifindex, ifindex)
      assert.equal(back.ifalias, 'unconfigured')
      assert.deepEqual(await addrs(pg, '', 'tap-host'), [])
    })
  })

  it('interface add --type existing adopts a foreign link, --type loopback a namespace\'s lo; delete releases them', async () => {
    await withPg(async (pg) => {
      await pg.sh('ip link add ext0 type veth peer name ext1 && ip netns add ns2 && ip -n ns2 link set lo up')
      const ifindex = (await link(pg, '', 'ext0')).ifindex
      let r = await pg.lnxJson(['interface', 'add', 'up0', '--type', 'existing', '--host-name', 'ext0', '--ip', '10.1.0.2/24'])
      assert.equal(r.code, 0, r.stdout + r.stderr)
      assertResultShape(r.json, 'applied')
      let ext = await link(pg, '', 'ext0')
      assert.equal(ext.ifindex, ifindex, 'adopted in place')
      assert.equal(ext.ifalias, '/lnx-existing/vpp1/up0', 'EXISTING: a mark no vpp-agent reads')
      assert.notEqual(ext.group, '76', 'adopted links get the alias mark only')
      assert.deepEqual(await addrs(pg, '', 'ext0'), ['10.1.0.2/24'])
      // An EXISTING takes no namespace.
      const bad = await pg.lnx(['interface', 'add', 'up1', '--type', 'existing', '--host-name', 'ext1', '--namespace', 'ns2'])
      assert.equal(bad.code, 2)
      assert.match(bad.stderr, /--namespace/)

      r = await pg.lnxJson(['interface', 'add', 'lo2', '--type', 'loopback', '--namespace', 'ns2', '--ip', '10.255.0.1/32'])
      assert.equal(r.code, 0, r.stdout + r.stderr)
      const lo = await link(pg, 'ns2', 'lo')
      assert.equal(lo.ifalias, '/vnf-agent/vpp1/lo2')
      assert.deepEqual(await addrs(pg, 'ns2', 'lo'), ['10.255.0.1/32', '127.0.0.1/8', '::1/128'])

      await ok(pg, ['interface', 'delete', 'up0'])
      ext = await link(pg, '', 'ext0')
      assert.ok(ext, 'an EXISTING link is never deleted')
      assert.equal(ext.ifindex, ifindex)
      assert.ok(!ext.ifalias, `mark released: ${ext.ifalias}`)
      assert.deepEqual(await addrs(pg, '', 'ext0'), ['10.1.0.2/24'], 'released with its addresses (which were the operator\'s is not known)')
      await ok(pg, ['interface', 'delete', 'lo2'])
      const lo2 = await link(pg, 'ns2', 'lo')
      assert.equal(lo2.ifalias, 'unconfigured', 'mark released as the vpp-agent leaves lo')
      assert.ok(isUp(lo2))
      assert.deepEqual(await addrs(pg, 'ns2', 'lo'), ['127.0.0.1/8', '::1/128'])
    })
  })

  it('interface add offers every link kind: --type dummy creates one (or is pending without the module), --type vrf-device needs --vrf-table; another kind\'s flag is refused', async () => {
    await withPg(async (pg) => {
      const hasDummy = (await pg.run('test', ['-e', '/sys/module/dummy'])).code === 0
      let r = await pg.lnxJson(['interface', 'add', 'd0', '--type', 'dummy', '--ip', '10.41.0.1/24'])
      if (hasDummy) {
        assert.equal(r.code, 0, r.stdout + r.stderr)
        const l = await link(pg, '', 'd0')
        assert.equal(l.linkinfo.info_kind, 'dummy')
        assert.equal(l.group, '76')
        assert.equal(l.ifalias, '/vnf-agent/vpp1/d0')
      } else {
        assert.equal(r.code, 3, r.stdout + r.stderr)
        assert.match(r.json.pending[0].reason, /DUMMY interfaces are not supported by this kernel/)
        assert.equal(await link(pg, '', 'd0'), undefined)
      }
      const before = await stableSnapshot(pg)
      // A kind's own flags go with that kind only; a kind's required flag is named.
      for (const [args, flag] of [
        [['interface', 'add', 'd1', '--type', 'dummy', '--peer', 'd2'], '--peer'],
        [['interface', 'add', 'd1', '--type', 'existing', '--vpp-tap', 't'], '--vpp-tap'],
        [['interface', 'add', 'v1', '--type', 'vrf-device'], '--vrf-table'],
        [['interface', 'add', 'v1', '--type', 'vrf-device', '--vrf-table', '254'], '--vrf-table'],
      ] as [string[], string][]) {
        r = await pg.lnxJson(args)
        assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`)
        const named = r.json.error.message.includes(flag) || (r.json.error.errors ?? []).some((e: any) => e.path === flag)
        assert.ok(named, `${args.join(' ')}: the error names ${flag}: ${r.stdout}`)
      }
      await assertUnchanged(pg, before, 'refused command lines change nothing')
      // This lnx version validates a VRF_DEVICE but does not create it: pending, with the reason.
      r = await pg.lnxJson(['interface', 'add', 'v1', '--type', 'vrf-device', '--vrf-table', '10'])
      assert.equal(r.code, 3, r.stdout + r.stderr)
      assert.match(r.json.pending[0].reason, /VRF_DEVICE interfaces are not (supported by this kernel|created by this lnx version yet)/)
    })
  })

  it('interface set in place: --mtu/--add-ip/--del-ip/--host-name/--down/--up keep the ifindex, the routes and the ARPs', async () => {
    await withPg(async (pg) => {
      await topology(pg)
      const idx = (await link(pg, 'ns1', 'veth1')).ifindex
      const same = async (name: string, what: string) => {
        const l = await link(pg, 'ns1', name)
        assert.ok(l, `${what}: ${name} in ns1`)
        assert.equal(l.ifindex, idx, `${what}: same ifindex (in place)`)
        assert.equal(l.ifalias, '/vnf-agent/vpp1/veth1/veth2', what)
        assert.equal(l.group, '76', what)
        return l
      }

      let r = await pg.lnxJson(['interface', 'set', 'veth1', '--mtu', '9000'])
      assert.equal(r.code, 0, r.stdout + r.stderr)
      assertResultShape(r.json, 'applied')
      assert.deepEqual(r.json.changes.map((c: any) => [c.action, c.key]), [['update', KEY.iface('veth1')]])
      assert.equal((await same('veth1', '--mtu')).mtu, 9000)
      await assertL3(pg, 'ns1', 'veth1', '--mtu')

      await ok(pg, ['interface', 'set', 'veth1', '--add-ip', '10.7.0.1/24', '--add-ip', '2001:db8::1/64'])
      await same('veth1', '--add-ip')
      assert.deepEqual(await addrs(pg, 'ns1', 'veth1'), ['10.7.0.1/24', '192.168.22.1/24', '2001:db8::1/64'])
      await assertL3(pg, 'ns1', 'veth1', '--add-ip')

      await ok(pg, ['interface', 'set', 'veth1', '--del-ip', '10.7.0.1/24', '--del-ip', '2001:db8::1/64'])
      await same('veth1', '--del-ip')
      assert.deepEqual(await addrs(pg, 'ns1', 'veth1'), ['192.168.22.1/24'])
      await assertL3(pg, 'ns1', 'veth1', '--del-ip')
      // --del-ip of an address it does not have: exit 2 naming the flag.
      const nodel = await pg.lnx(['interface', 'set', 'veth1', '--del-ip', '10.99.0.1/24'])
      assert.equal(nodel.code, 2)
      assert.match(nodel.stderr, /--del-ip/)

      await ok(pg, ['interface', 'set', 'veth1', '--host-name', 'eth-a'])
      assert.equal(await link(pg, 'ns1', 'veth1'), undefined)
      await same('eth-a', '--host-name')
      assert.deepEqual(await addrs(pg, 'ns1', 'eth-a'), ['192.168.22.1/24'])
      await assertL3(pg, 'ns1', 'eth-a', '--host-name')

      // Down/up on the end without routes of its own.
      const idx2 = (await link(pg, 'ns2', 'veth2')).ifindex
      await ok(pg, ['interface', 'set', 'veth2', '--down'])
      let v2 = await link(pg, 'ns2', 'veth2')
      assert.ok(!isUp(v2), 'veth2 down')
      assert.equal(v2.ifindex, idx2)
      await ok(pg, ['interface', 'set', 'veth2', '--up'])
      v2 = await link(pg, 'ns2', 'veth2')
      assert.ok(isUp(v2), 'veth2 up')
      assert.equal(v2.ifindex, idx2)
      assert.deepEqual(await addrs(pg, 'ns2', 'veth2'), ['192.168.22.5/24'])
      const both = await pg.lnx(['interface', 'set', 'veth2', '--up', '--down'])
      assert.equal(both.code, 2, 'oclif: --up and --down exclude each other')
    })
  })

  it('interface set --mac in place keeps the ifindex and the link\'s ARP entries and routes', async () => {
    await withPg(async (pg) => {
      await topology(pg)
      const idx = (await link(pg, 'ns1', 'veth1')).ifindex
      await ok(pg, ['interface', 'set', 'veth1', '--mac', '02:00:00:00:00:11'])
      const l = await link(pg, 'ns1', 'veth1')
      assert.equal(l.ifindex, idx)
      assert.equal(l.address, '02:00:00:00:00:11')
      await assertL3(pg, 'ns1', 'veth1', '--mac')
    })
  })

  it('interface set --namespace re-creates the link in the new namespace with its addresses, routes and ARPs', async () => {
    await withPg(async (pg) => {
      await topology(pg)
      const mac = (await link(pg, 'ns1', 'veth1')).address
      const r = await pg.lnxJson(['interface', 'set', 'veth1', '--namespace', 'ns3'])
      assert.equal(r.code, 0, r.stdout + r.stderr)
      assertResultShape(r.json, 'applied')
      assert.ok(r.json.changes.some((c: any) => c.action === 'delete' && c.key === KEY.iface('veth1') && c.namespace === 'ns1'))
      assert.ok(r.json.changes.some((c: any) => c.action === 'create' && c.key === KEY.iface('veth1') && c.namespace === 'ns3'))
      assert.ok(r.json.changes.some((c: any) => c.action === 'create' && c.key === KEY.route('10.9.0.0/16', 'veth1') && c.namespace === 'ns3'))
      assert.ok(r.json.changes.some((c: any) => c.action === 'create' && c.key === KEY.arp('veth1', '192.168.22.9') && c.namespace === 'ns3'))
      assert.equal(await link(pg, 'ns1', 'veth1'), undefined, 'gone from ns1')
      assert.deepEqual(await lnxRoutes(pg, 'ns1'), [])
      const v1 = await link(pg, 'ns3', 'veth1')
      assert.ok(v1, 'veth1 in ns3')
      assert.equal(v1.address, mac, 'MAC kept')
      assert.equal(v1.group, '76')
      assert.equal(v1.ifalias, '/vnf-agent/vpp1/veth1/veth2')
      assert.ok(isUp(v1))
      assert.deepEqual(await peerOf(pg, 'ns3', 'veth1'), {ns: 'ns2', name: 'veth2'})
      assert.deepEqual(await addrs(pg, 'ns3', 'veth1'), ['192.168.22.1/24'])
      assert.deepEqual(await addrs(pg, 'ns2', 'veth2'), ['192.168.22.5/24'], 'the re-created peer keeps its addresses')
      await assertL3(pg, 'ns3', 'veth1', '--namespace')
      // And back to the default namespace.
      await ok(pg, ['interface', 'set', 'veth1', '--namespace', 'default'])
      assert.ok(await link(pg, '', 'veth1'), 'veth1 in the default namespace')
      await assertL3(pg, '', 'veth1', '--namespace default')
    })
  })

  it('interface delete removes the pair, its routes and ARPs first; interface show [NAME] (+ --json)', async () => {
    await withPg(async (pg) => {
      await topology(pg)
      let s = await ok(pg, ['interface', 'show'])
      const lines = s.stdout.trim().split('\n')
      assert.match(lines[0], /^NAME\s+HOST\s+TYPE\s+NAMESPACE\s+STATE\s+MTU\s+MAC\s+ADDRESSES\s+PEER/)
      assert.match(s.stdout, /veth1\s+veth1\s+VETH\s+ns1\s+up\s+1500\s+\S+\s+192\.168\.22\.1\/24\s+veth2/)
      assert.match(s.stdout, /veth2\s+veth2\s+VETH\s+ns2\s+up\s+1500\s+\S+\s+192\.168\.22\.5\/24\s+veth1/)
      let j = await pg.lnxJson(['interface', 'show', 'veth1'])
      assert.equal(j.code, 0)
      assert.equal(j.json.interfaces.length, 1)
      const i = j.json.interfaces[0]
      assert.equal(i.name, 'veth1')
      assert.equal(i.type, 'VETH')
      assert.deepEqual(i.namespace, {type: 'NSID', reference: 'ns1'})
      assert.deepEqual(i.ip_addresses, ['192.168.22.1/24'])
      assert.equal(i.phys_address, (await link(pg, 'ns1', 'veth1')).address)
      assert.equal(i.veth?.peer_if_name, 'veth2')
      j = await pg.lnxJson(['interface', 'show'])
      assert.deepEqual(j.json.interfaces.map((x: any) => x.name).sort(), ['veth1', 'veth2'])

      // --dry-run: the plan, nothing changed.
      const before = await stableSnapshot(pg)
      j = await pg.lnxJson(['interface', 'delete', 'veth1', '--dry-run'])
      assert.equal(j.code, 0, j.stdout + j.stderr)
      assert.ok(j.json.changes.some((c: any) => c.action === 'delete' && c.key === KEY.iface('veth1')))
      await assertUnchanged(pg, before, '--dry-run changed nothing')

      j = await pg.lnxJson(['interface', 'delete', 'veth1'])
      assert.equal(j.code, 0, j.stdout + j.stderr)
      assertResultShape(j.json, 'applied')
      const keys = j.json.changes.map((c: any) => c.key)
      assert.ok(keys.includes(KEY.iface('veth2')), 'the peer goes with it')
      assert.equal(await link(pg, 'ns1', 'veth1'), undefined)
      assert.equal(await link(pg, 'ns2', 'veth2'), undefined)
      assert.deepEqual(await lnxRoutes(pg, 'ns1'), [])
      assert.deepEqual((await permNeighs(pg, 'ns1')), [])
      j = await pg.lnxJson(['interface', 'show'])
      assert.deepEqual(j.json.interfaces, [])
      // Unknown now: exit 2 with a hint.
      const gone = await pg.lnx(['interface', 'show', 'veth1'])
      assert.equal(gone.code, 2, gone.stderr)
      assert.match(gone.stderr, /hint/)
    })
  })

  it('route add|delete|show: proto 76, update of metric/gateway, link scope, IPv6, pending gateway, unknown route', async () => {
    await withPg(async (pg) => {
      await topology(pg)
      await ok(pg, ['interface', 'set', 'veth1', '--add-ip', '2001:db8::1/64'])
      // A link-scope route (no --via) and an IPv6 route.
      await ok(pg, ['route', 'add', '10.20.0.0/24', '--dev', 'veth1'])
      await ok(pg, ['route', 'add', '2001:db8:1::/64', '--dev', 'veth1', '--via', '2001:db8::2'])
      let rt = await lnxRoutes(pg, 'ns1')
      const l = rt.find((x: any) => x.dst === '10.20.0.0/24')
      assert.ok(l, JSON.stringify(rt))
      assert.equal(l.scope, 'link')
      assert.equal(l.gateway, undefined)
      const v6 = rt.find((x: any) => x.dst === '2001:db8:1::/64')
      assert.ok(v6, JSON.stringify(rt))
      assert.equal(v6.gateway, '2001:db8::2')
      assert.equal(v6.metric, 1024)

      // show: table and --json.
      const s = await ok(pg, ['route', 'show'])
      assert.match(s.stdout, /^DST\s+VIA\s+DEV\s+METRIC\s+SCOPE/)
      assert.match(s.stdout, /10\.9\.0\.0\/16\s+192\.168\.22\.5\s+veth1\s+10\s+global/)
      let j = await pg.lnxJson(['route', 'show'])
      assert.deepEqual(j.json.routes.map((x: any) => x.dst_network).sort(), ['10.20.0.0/24', '10.9.0.0/16', '2001:db8:1::/64'])

      // Adding it again with another metric and gateway changes it (one route, not two).
      await pg.sh('ip -n ns2 addr add 192.168.22.6/24 dev veth2')
      j = await pg.lnxJson(['route', 'add', '10.9.0.0/16', '--dev', 'veth1', '--via', '192.168.22.6', '--metric', '20'])
      assert.equal(j.code, 0, j.stdout + j.stderr)
      assertResultShape(j.json, 'applied')
      assert.equal(j.json.summary.update, 1, JSON.stringify(j.json.changes))
      rt = (await lnxRoutes(pg, 'ns1')).filter((x: any) => x.dst === '10.9.0.0/16')
      assert.equal(rt.length, 1, JSON.stringify(rt))
      assert.equal(rt[0].gateway, '192.168.22.6')
      assert.equal(rt[0].metric, 20)

      // A gateway outside every subnet of the link: pending (exit 3), not added.
      j = await pg.lnxJson(['route', 'add', '10.30.0.0/16', '--dev', 'veth1', '--via', '172.16.0.1'])
      assert.equal(j.code, 3, j.stdout + j.stderr)
      assertResultShape(j.json, 'pending')
      assert.deepEqual(j.json.pending.map((p: any) => p.key), [KEY.route('10.30.0.0/16', 'veth1')])
      assert.equal((await lnxRoutes(pg, 'ns1')).filter((x: any) => x.dst === '10.30.0.0/16').length, 0)

      // delete: --dry-run first, then for real; a kernel route nobody owns is never touched.
      const before = await stableSnapshot(pg)
      j = await pg.lnxJson(['route', 'delete', '10.9.0.0/16', '--dev', 'veth1', '--dry-run'])
      assert.equal(j.code, 0)
      assert.deepEqual(j.json.changes.map((c: any) => [c.action, c.kind, c.key]), [['delete', 'route', KEY.route('10.9.0.0/16', 'veth1')]])
      await assertUnchanged(pg, before, '--dry-run changed nothing')
      j = await pg.lnxJson(['route', 'delete', '10.9.0.0/16', '--dev', 'veth1'])
      assert.equal(j.code, 0, j.stdout + j.stderr)
      assertResultShape(j.json, 'applied')
      assert.equal((await lnxRoutes(pg, 'ns1')).filter((x: any) => x.dst === '10.9.0.0/16').length, 0)
      assert.ok((await pg.ipJson('ns1', 'route', 'show')).some((x: any) => x.dst === '192.168.22.0/24' && x.protocol === 'kernel'), 'connected route kept')
      await ok(pg, ['route', 'delete', '2001:db8:1::/64', '--dev', 'veth1'])
      assert.equal((await lnxRoutes(pg, 'ns1')).filter((x: any) => x.dst === '2001:db8:1::/64').length, 0)

      // Unknown route / unknown or foreign interface: exit 2 with a hint.
      for (const args of [['route', 'delete', '10.9.0.0/16', '--dev', 'veth1'], ['route', 'delete', '192.168.22.0/24', '--dev', 'veth1']]) {
        const r = await pg.lnx(args)
        assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`)
        assert.match(r.stderr, /hint/, args.join(' '))
      }
      assert.ok((await pg.ipJson('ns1', 'route', 'show')).some((x: any) => x.dst === '192.168.22.0/24'), 'kernel route untouched')
    })
  })

  it('arp add|delete|show: permanent, protocol 76, MAC change updates, delete, unknown entry', async () => {
    await withPg(async (pg) => {
      await topology(pg)
      await ok(pg, ['arp', 'add', '--dev', 'veth1', '192.168.22.10', '02:00:00:00:00:0A'])
      let nb = (await permNeighs(pg, 'ns1')).filter((n: any) => n.dst === '192.168.22.10')
      assert.equal(nb.length, 1)
      assert.equal(nb[0].lladdr, '02:00:00:00:00:0a')
      assert.equal(nb[0].protocol, '76')
      assert.equal(nb[0].dev, 'veth1')

      const s = await ok(pg, ['arp', 'show'])
      assert.match(s.stdout, /^INTERFACE\s+IP\s+MAC/)
      assert.match(s.stdout, /veth1\s+192\.168\.22\.9\s+02:00:00:00:00:09/)
      let j = await pg.lnxJson(['arp', 'show'])
      assert.deepEqual(j.json.arp_entries.map((a: any) => `${a.interface} ${a.ip_address} ${a.hw_address}`).sort(),
        ['veth1 192.168.22.10 02:00:00:00:00:0a', 'veth1 192.168.22.9 02:00:00:00:00:09'])

      // A new MAC for the same IP: updated in place.
      j = await pg.lnxJson(['arp', 'add', '--dev', 'veth1', '192.168.22.10', '02:00:00:00:00:0b'])
      assert.equal(j.code, 0, j.stdout + j.stderr)
      assertResultShape(j.json, 'applied')
      assert.deepEqual(j.json.changes.map((c: any) => [c.action, c.key]), [['update', KEY.arp('veth1', '192.168.22.10')]])
      nb = (await permNeighs(pg, 'ns1')).filter((n: any) => n.dst === '192.168.22.10')
      assert.equal(nb.length, 1)
      assert.equal(nb[0].lladdr, '02:00:00:00:00:0b')

      const before = await stableSnapshot(pg)
      j = await pg.lnxJson(['arp', 'delete', '--dev', 'veth1', '192.168.22.10', '--dry-run'])
      assert.equal(j.code, 0)
      assert.deepEqual(j.json.changes.map((c: any) => [c.action, c.kind, c.key]), [['delete', 'arp', KEY.arp('veth1', '192.168.22.10')]])
      await assertUnchanged(pg, before, '--dry-run changed nothing')
      await ok(pg, ['arp', 'delete', '--dev', 'veth1', '192.168.22.10'])
      assert.equal((await permNeighs(pg, 'ns1')).filter((n: any) => n.dst === '192.168.22.10').length, 0)
      assert.equal((await permNeighs(pg, 'ns1')).filter((n: any) => n.dst === '192.168.22.9').length, 1, 'the other entry stays')

      // A foreign permanent neighbour is not lnx's to delete.
      await pg.sh('ip -n ns1 neigh add 192.168.22.77 lladdr 02:00:00:00:00:77 dev veth1 nud permanent')
      const foreign = await foreignPicture(pg)
      for (const args of [['arp', 'delete', '--dev', 'veth1', '192.168.22.10'], ['arp', 'delete', '--dev', 'veth1', '192.168.22.77']]) {
        const r = await pg.lnx(args)
        assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`)
        assert.match(r.stderr, /hint/, args.join(' '))
      }
      assert.equal((await permNeighs(pg, 'ns1')).filter((n: any) => n.dst === '192.168.22.77').length, 1, 'foreign neighbour untouched')
      await assertForeignUnchanged(pg, foreign)
    })
  })

  it('namespace list|add|delete: lo up, idempotent add, delete refuses while links are inside (exit 2), --force says what it removed', async () => {
    await withPg(async (pg) => {
      let r = await ok(pg, ['namespace', 'add', 'nsa'])
      assert.match(r.stdout, /created namespace nsa/)
      assert.deepEqual(await netns(pg), ['nsa'])
      assert.ok(isUp(await link(pg, 'nsa', 'lo')), 'lo up')
      r = await ok(pg, ['namespace', 'add', 'nsa'])
      assert.match(r.stdout, /nothing to do/)
      let j = await pg.lnxJson(['namespace', 'add', 'nsb', '--dry-run'])
      assert.equal(j.code, 0)
      assert.equal(j.json.created, false)
      assert.deepEqual(await netns(pg), ['nsa'], '--dry-run created nothing')
      r = await pg.lnx(['namespace', 'add', 'bad/name'])
      assert.equal(r.code, 2)
      assert.deepEqual(await netns(pg), ['nsa'])

      await topology(pg)
      await pg.sh('ip -n ns1 link add fx0 type veth peer name fx1')
      j = await pg.lnxJson(['namespace', 'list'])
      assert.equal(j.code, 0)
      const byName = Object.fromEntries(j.json.namespaces.map((n: any) => [n.name, n]))
      assert.deepEqual(Object.keys(byName).sort(), ['', 'ns1', 'ns2', 'nsa'])
      assert.deepEqual(byName.ns1, {name: 'ns1', links: 4, managed: 1, foreign: 3, routes: 1, arps: 1})
      assert.deepEqual(byName.ns2, {name: 'ns2', links: 2, managed: 1, foreign: 1, routes: 0, arps: 0})
      assert.deepEqual(byName.nsa, {name: 'nsa', links: 1, managed: 0, foreign: 1, routes: 0, arps: 0})
      const t = await ok(pg, ['namespace', 'list'])
      assert.match(t.stdout, /^NAMESPACE\s+LINKS\s+MANAGED\s+FOREIGN\s+ROUTES\s+ARPS/)
      assert.match(t.stdout, /^default\s/m)

      // Refused while links are inside: exit 2, nothing removed.
      const before = await stableSnapshot(pg)
      r = await pg.lnx(['namespace', 'delete', 'ns1'])
      assert.equal(r.code, 2, r.stderr)
      assert.match(r.stderr, /veth1/)
      assert.match(r.stderr, /--force/)
      await assertUnchanged(pg, before, 'nothing changed')
      j = await pg.lnxJson(['namespace', 'delete', 'ns1', '--force', '--dry-run'])
      assert.equal(j.code, 0)
      assert.equal(j.json.deleted, false)
      await assertUnchanged(pg, before, '--dry-run changed nothing')

      // --force: removes it and says what went, the peer in ns2 included.
      r = await ok(pg, ['namespace', 'delete', 'ns1', '--force'])
      assert.match(r.stdout, /removed: veth1 \(veth, managed by lnx/)
      assert.match(r.stdout, /removed: fx0 \(veth, foreign/)
      assert.match(r.stdout, /removed: fx1 /)
      assert.match(r.stdout, /veth2/, 'says that the peer veth2 in ns2 goes too')
      assert.match(r.stdout, /deleted namespace ns1/)
      assert.deepEqual(await netns(pg), ['ns2', 'nsa'])
      // The veth pair dies with the namespace (asynchronously).
      for (let i = 0; i < 40 && (await link(pg, 'ns2', 'veth2')); i++) await new Promise((res) => setTimeout(res, 50))
      assert.equal(await link(pg, 'ns2', 'veth2'), undefined)

      j = await pg.lnxJson(['namespace', 'delete', 'nsa'])
      assert.equal(j.code, 0, j.stdout + j.stderr)
      assert.equal(j.json.deleted, true)
      assert.deepEqual(j.json.removed, [])
      assert.deepEqual(await netns(pg), ['ns2'])
      r = await pg.lnx(['namespace', 'delete', 'nsa'])
      assert.equal(r.code, 2)
      assert.match(r.stderr, /hint/)
    })
  })

  it('bad flag values exit 2 naming the flag; unknown/foreign names exit 2 with a hint; nothing is touched', async () => {
    await withPg(async (pg) => {
      await ok(pg, ['interface', 'add', 'veth1', '--type', 'veth', '--peer', 'veth2', '--namespace', 'ns1', '--ip', '192.168.22.1/24'])
      await pg.sh('ip link add ext0 type veth peer name ext1')
      const before = await stableSnapshot(pg)
      const cases: [string[], string][] = [
        [['interface', 'set', 'veth1', '--mtu', '99999'], '--mtu'],
        [['interface', 'add', 'x1', '--type', 'veth', '--peer', 'x2', '--ip', '10.0.0.300/24'], '--ip'],
        [['interface', 'set', 'veth1', '--add-ip', '10.0.0.300/24'], '--add-ip'],
        [['interface', 'add', 'x1', '--type', 'veth', '--peer', 'x2', '--mac', 'zz'], '--mac'],
        [['interface', 'add', 'x1', '--type', 'veth', '--peer', 'x2', '--host-name', 'a/b'], '--host-name'],
        [['interface', 'add', 'x1', '--type', 'veth'], '--peer'],
        [['route', 'add', '10.8.0.0/16', '--dev', 'veth1', '--via', '300.1.1.1'], '--via'],
        [['interface', 'add', 'x1', '--type', 'bogus'], '--type'],
      ]
      for (const [args, flag] of cases) {
        const r = await pg.lnx(args)
        assert.equal(r.code, 2, `${args.join(' ')} → ${r.code}: ${r.stdout}${r.stderr}`)
        assert.ok(r.stderr.includes(flag), `${args.join(' ')}: stderr names ${flag}: ${r.stderr}`)
      }
      // The same under --json: {"error": {"code": "INVALID", …}} naming the flag.
      for (const [args, flag] of [cases[0], cases[1], cases[6], cases[7]]) {
        const j = await pg.lnxJson(args)
        assert.equal(j.code, 2, args.join(' '))
        assert.equal(j.json.error?.code, 'INVALID', `${args.join(' ')}: ${j.stdout}`)
        const named = j.json.error.message.includes(flag) || (j.json.error.errors ?? []).some((e: any) => e.path === flag)
        assert.ok(named, `${args.join(' ')}: the JSON error names ${flag}: ${j.stdout}`)
      }

      // Unknown interface: exit 2 with a hint.
      for (const args of [['interface', 'set', 'nope', '--mtu', '1400'], ['interface', 'delete', 'nope'], ['arp', 'delete', '--dev', 'nope', '10.0.0.9']]) {
        const r = await pg.lnx(args)
        assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`)
        assert.match(r.stderr, /hint/, args.join(' '))
      }
      const j = await pg.lnxJson(['interface', 'set', 'nope', '--mtu', '1400'])
      assert.equal(j.code, 2)
      assert.equal(j.json.error?.code, 'INVALID', j.stdout)
      assert.equal(typeof j.json.error.hint, 'string', j.stdout)
      // A foreign link's name: exit 2 with the --type existing hint (not for an MTU: adopting does not manage it).
      for (const args of [['interface', 'set', 'ext0', '--add-ip', '10.8.0.1/24'], ['route', 'add', '10.8.0.0/16', '--dev', 'ext0']]) {
        const r = await pg.lnx(args)
        assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`)
        assert.match(r.stderr, /hint/)
        assert.match(r.stderr, /--type existing/, args.join(' '))
      }
      await assertUnchanged(pg, before, 'nothing was touched')
    })
  })

  it('missing privilege: exit 4, NOT_PERMITTED, nothing created', async () => {
    await withPg(async (pg) => {
      const before = await stableSnapshot(pg)
      const unpriv = (args: string[]) => pg.run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all',
        process.execPath, LNX, ...args], {env: {HOME: '/tmp'}})
      const add = ['interface', 'add', 'v1', '--type', 'veth', '--peer', 'v2', '--namespace', 'ns1']
      let r = await unpriv([...add, '--json'])
      assert.equal(r.code, 4, r.stdout + r.stderr)
      assert.equal(JSON.parse(r.stdout).error.code, 'NOT_PERMITTED')
      r = await unpriv(add)
      assert.equal(r.code, 4)
      assert.match(r.stderr, /not permitted/i)
      for (const args of [['route', 'add', '10.1.0.0/16', '--dev', 'v1'], ['namespace', 'add', 'nsx']]) {
        const x = await unpriv([...args, '--json'])
        assert.equal(x.code, 4, `${args.join(' ')}: ${x.stdout}${x.stderr}`)
        assert.equal(JSON.parse(x.stdout).error.code, 'NOT_PERMITTED', args.join(' '))
      }
      await assertUnchanged(pg, before, 'nothing created')
    })
  })

  it('--dry-run changes nothing; --json returns the very result object of the equivalent apply', async () => {
    const add = ['interface', 'add', 'veth1', '--type', 'veth', '--peer', 'veth2', '--namespace', 'ns1', '--peer-namespace', 'ns2',
      '--ip', '192.168.22.1/24', '--mac', '02:00:00:00:01:01', '--mtu', '1400']
    const file = tmpFile('pair.yaml', `interfaces:
  - name: veth1
    type: VETH
    namespace: {type: NSID, reference: ns1}
    enabled: true
    ip_addresses: ["192.168.22.1/24"]
    phys_address: "02:00:00:00:01:01"
    mtu: 1400
    veth: {peer_if_name: veth2}
  - name: veth2
    type: VETH
    namespace: {type: NSID, reference: ns2}
    enabled: true
    veth: {peer_if_name: veth1}
`)
    await withPg(async (a) => {
      await withPg(async (b) => {
        const before = await stableSnapshot(a)
        const dry = await a.lnxJson([...add, '--dry-run'])
        assert.equal(dry.code, 0, dry.stdout + dry.stderr)
        assert.equal(dry.json.summary.create, 5)
        assert.ok(dry.json.changes.every((c: any) => c.action === 'create' && c.commands.length > 0))
        await assertUnchanged(a, before, '--dry-run changed nothing')
        assert.deepEqual(await netns(a), [])
        const human = await a.lnx([...add, '--dry-run'])
        assert.equal(human.code, 0)
        assert.match(human.stdout, /5 to create/)
        await assertUnchanged(a, before, 'nothing changed')

        const [imp, decl] = await Promise.all([a.lnxJson(add), b.lnxJson(['apply', '-f', file])])
        assert.equal(imp.code, 0, imp.stdout + imp.stderr)
        assert.equal(decl.code, 0, decl.stdout + decl.stderr)
        assertResultShape(imp.json, 'applied')
        assert.deepEqual(imp.json, decl.json)
        const {result, ...plan} = imp.json
        assert.deepEqual(plan, dry.json, 'the dry run showed exactly what was applied')
      })
    })
  })

  it('equivalence: the imperative sequence and the declarative file give byte-equal kernel state; plan --exit-code is 0', async () => {
    const cfg = `# veth1 (ns1) ↔ veth2 (ns2), lo of ns2, d1 ↔ d2 in the default namespace
interfaces:
  - name: veth1
    type: VETH
    namespace: {type: NSID, reference: ns1}
    host_if_name: v1
    enabled: true
    ip_addresses: ["192.168.22.1/24", "2001:db8::1/64"]
    phys_address: "02:00:00:00:01:01"
    mtu: 1400
    veth: {peer_if_name: veth2}
  - name: veth2
    type: VETH
    namespace: {type: NSID, reference: ns2}
    enabled: true
    ip_addresses: ["192.168.22.5/24", "10.5.0.5/24"]
    phys_address: "02:00:00:00:01:02"
    veth: {peer_if_name: veth1}
  - name: lo2
    type: LOOPBACK
    namespace: {type: NSID, reference: ns2}
    enabled: true
    ip_addresses: ["10.255.0.2/32"]
  - name: d1
    type: VETH
    enabled: false
    phys_address: "02:00:00:00:02:01"
    mtu: 9000
    veth: {peer_if_name: d2}
  - name: d2
    type: VETH
    enabled: true
    phys_address: "02:00:00:00:02:02"
    ip_addresses: ["10.6.0.2/24"]
    veth: {peer_if_name: d1}
routes:
  - {outgoing_interface: veth1, dst_network: 10.9.0.0/16, gw_addr: 192.168.22.5, metric: 10}
  - {outgoing_interface: veth1, dst_network: "2001:db8:9::/48", gw_addr: "2001:db8::5"}
  - {outgoing_interface: veth2, dst_network: 10.10.0.0/24, scope: LINK}
  - {outgoing_interface: d2, dst_network: 0.0.0.0/0, gw_addr: 10.6.0.1}
arp_entries:
  - {interface: veth1, ip_address: 192.168.22.9, hw_address: "02:00:00:00:00:09"}
  - {interface: veth2, ip_address: 192.168.22.8, hw_address: "02:00:00:00:00:08"}
`
    const file = tmpFile('topology.yaml', cfg)
    await withPg(async (imp) => {
      await withPg(async (decl) => {
        const steps: string[][] = [
          ['interface', 'add', 'veth1', '--type', 'veth', '--peer', 'veth2', '--namespace', 'ns1', '--peer-namespace', 'ns2',
            '--host-name', 'v1', '--ip', '192.168.22.1/24', '--mac', '02:00:00:00:01:01', '--mtu', '1400'],
          ['interface', 'set', 'veth2', '--mac', '02:00:00:00:01:02', '--add-ip', '192.168.22.5/24', '--add-ip', '10.5.0.5/24'],
          ['interface', 'set', 'veth1', '--add-ip', '2001:db8::1/64'],
          ['interface', 'add', 'lo2', '--type', 'loopback', '--namespace', 'ns2', '--ip', '10.255.0.2/32'],
          ['interface', 'add', 'd1', '--type', 'veth', '--peer', 'd2', '--down', '--mac', '02:00:00:00:02:01', '--mtu', '9000'],
          ['interface', 'set', 'd2', '--mac', '02:00:00:00:02:02', '--add-ip', '10.6.0.2/24'],
          ['route', 'add', '10.9.0.0/16', '--dev', 'veth1', '--via', '192.168.22.5', '--metric', '10'],
          ['route', 'add', '2001:db8:9::/48', '--dev', 'veth1', '--via', '2001:db8::5'],
          ['route', 'add', '10.10.0.0/24', '--dev', 'veth2', '--scope', 'link'],
          ['route', 'add', '0.0.0.0/0', '--dev', 'd2', '--via', '10.6.0.1'],
          ['arp', 'add', '--dev', 'veth1', '192.168.22.9', '02:00:00:00:00:09'],
          ['arp', 'add', '--dev', 'veth2', '192.168.22.8', '02:00:00:00:00:08'],
        ]
        const run = async () => {
          for (const s of steps) await ok(imp, s)
        }
        const [, d] = await Promise.all([run(), decl.lnx(['apply', '-f', file])])
        assert.equal(d.code, 0, d.stdout + d.stderr)

        const [pi, pd] = await settledPair(imp, decl)
        // Sanity: the pictures hold what they should (so that equality means something).
        const p = JSON.parse(pi)
        assert.deepEqual(Object.keys(p).sort(), ['(default)', 'ns1', 'ns2'])
        assert.ok(p.ns1.links.some((l: any) => l.ifname === 'v1' && l.group === '76' && l.ifalias === '/vnf-agent/vpp1/veth1/veth2'))
        assert.ok(p.ns1.routes.some((r: string) => r.includes('"10.9.0.0/16"') && r.includes('"76"')))
        assert.equal(p.ns1.neigh.length, 1)
        assert.equal(p.ns2.neigh.length, 1)
        assert.equal(pi, pd, 'imperative and declarative kernel state are byte-equal')

        const plan = await imp.lnx(['plan', '-f', file, '--exit-code'])
        assert.equal(plan.code, 0, `plan after the imperative sequence: ${plan.stdout}${plan.stderr}`)
        // And the drift check does detect a difference.
        await ok(imp, ['interface', 'set', 'veth2', '--mtu', '1300'])
        const drift = await imp.lnx(['plan', '-f', file, '--exit-code'])
        assert.equal(drift.code, 5, drift.stdout + drift.stderr)
      })
    })
  })
})
