// `lnx graph` and `lnx doctor` against the real kernel, each test in its own playground (test/helpers/playground.ts).
// The topology is made with raw ip and read back with `ip -json` here, independently of lnx's reader.
import {after, test} from 'node:test'
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {exec, LNX, withPlayground, type Playground} from '../helpers/playground.ts'

const TOPOLOGY = `ip netns add ns1; ip netns add ns2
  ip link add name v1 netns /run/netns/ns1 group 76 type veth peer name v2 netns /run/netns/ns2 group 76
  ip -n ns1 link set dev v1 alias /vnf-agent/vpp1/veth1/veth2 up
  ip -n ns2 link set dev v2 alias /vnf-agent/vpp1/veth2/veth1 up
  ip -n ns1 addr add 10.0.0.1/24 dev v1
  ip -n ns2 addr add 10.0.0.2/24 dev v2
  ip link add name hostv type veth peer name nsv netns /run/netns/ns1
  ip addr add 172.16.0.1/30 dev hostv
  ip tuntap add dev tap-host mode tap
  ip -n ns2 link add name s0 type veth peer name s1
  ip -n ns1 route add 192.168.10.0/24 via 10.0.0.2 dev v1 proto 76 metric 100`

/** Every link of every namespace of the playground, read with raw `ip -json`. */
async function allLinks(pg: Playground): Promise<{ns: string; name: string}[]> {
  const names = (await pg.run('ls', ['/run/netns'])).stdout.split('\n').filter(Boolean)
  const out: {ns: string; name: string}[] = []
  for (const ns of ['', ...names]) for (const l of await pg.ipJson(ns, 'link', 'show')) out.push({ns, name: l.ifname})
  return out
}

const hasDot = async () => (await exec('dot', ['-V']).catch(() => ({code: -1}))).code === 0

/** A PATH holding only what `lnx graph` needs (ip, nsenter): no Graphviz, whatever the host has. */
function pathWithoutDot(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lnx-nodot-'))
  for (const [name, target] of [['ip', '/usr/sbin/ip'], ['nsenter', '/usr/bin/nsenter']]) symlinkSync(target, join(dir, name))
  return dir
}

test('graph: DOT and Mermaid of a raw-ip topology name every link, with veth pairs as edges across namespaces', async () => {
  await withPlayground(async (pg) => {
    await pg.sh(TOPOLOGY)
    const links = await allLinks(pg)
    assert.ok(links.length >= 9)
    const dot = await pg.lnx(['graph', '-o', 'dot', '--routes'])
    assert.equal(dot.code, 0, dot.stderr)
    const mmd = await pg.lnx(['graph'])
    assert.equal(mmd.code, 0, mmd.stderr)
    assert.match(mmd.stdout, /^flowchart LR\n/)
    assert.match(dot.stdout, /graph lnx \{/)
    for (const l of links) {
      assert.ok(dot.stdout.includes(`label="${l.name}\\n`), `dot names ${l.name}@${l.ns || 'default'}`)
      assert.ok(mmd.stdout.includes(`"${l.name}<br/>`), `mermaid names ${l.name}@${l.ns || 'default'}`)
    }
    for (const c of ['default', 'ns1', 'ns2']) assert.ok(mmd.stdout.includes(`["${c}"]`), `cluster ${c}`)
    const pair = (a: string, b: string) => new RegExp(`(${a} <-->\\|veth\\| ${b}|${b} <-->\\|veth\\| ${a})`)
    assert.match(mmd.stdout, pair('if_nns1__v1', 'if_nns2__v2'))
    assert.match(mmd.stdout, pair('if_d__hostv', 'if_nns1__nsv'))
    assert.match(mmd.stdout, pair('if_nns2__s0', 'if_nns2__s1'))
    assert.match(mmd.stdout, /class [^\n]*if_nns1__v1[^\n]* owned/)
    assert.match(mmd.stdout, /class [^\n]*if_d__hostv[^\n]* foreign/)
    assert.match(mmd.stdout, /if_d__tap_2dhost\{\{"tap-host<br\/>tap/, 'the tap is marked')
    assert.ok(dot.stdout.includes('10.0.0.1/24'))
    assert.ok(dot.stdout.includes('192.168.10.0/24 via 10.0.0.2 dev v1 metric 100 [lnx]'), 'routes with --routes')
    // Filters: one namespace, managed only.
    const only = await pg.lnx(['graph', '-n', 'ns2', '--managed'])
    assert.equal(only.code, 0, only.stderr)
    assert.ok(only.stdout.includes('"v2<br/>') && !only.stdout.includes('"s0<br/>') && !only.stdout.includes('"v1<br/>'), only.stdout)
    assert.ok(only.stdout.includes('peer v1@ns1'), 'a peer that is not drawn is named')
    const bad = await pg.lnxJson(['graph', '-n', 'nope'])
    assert.equal(bad.code, 2)
    assert.equal(bad.json.error.code, 'INVALID')
  })
})

test('graph -o svg: well-formed SVG naming every link when Graphviz is there; MISSING_TOOL (exit 4) when not', async () => {
  await withPlayground(async (pg) => {
    await pg.sh(TOPOLOGY)
    const links = await allLinks(pg)
    if (await hasDot()) {
      const r = await pg.lnx(['graph', '-o', 'svg'])
      assert.equal(r.code, 0, r.stderr)
      const svg = r.stdout.trim()
      assert.ok(svg.startsWith('<?xml') || svg.startsWith('<svg'), svg.slice(0, 80))
      assert.ok(svg.endsWith('</svg>'), svg.slice(-80))
      assert.equal((svg.match(/<svg\b/g) ?? []).length, 1)
      // Graphviz writes some characters as entities ("tap&#45;host").
      const text = svg.replace(/&#(\d+);/g, (_, n) => String.fromCodePoint(Number(n))).replace(/&amp;/g, '&')
      for (const l of links) assert.ok(text.includes(`>${l.name}</text>`), `svg names ${l.name}`)
    }
    // Without dot on PATH (always exercised): the error says how to get it.
    const env = {PATH: pathWithoutDot()}
    after(() => rmSync(env.PATH, {recursive: true, force: true}))
    const r = await pg.lnx(['graph', '-o', 'svg'], {env})
    assert.equal(r.code, 4, r.stderr)
    assert.match(r.stderr, /apt-get install graphviz/)
    assert.equal(r.stdout, '')
    const j = await pg.lnxJson(['graph', '-o', 'svg'], {env})
    assert.equal(j.code, 4)
    assert.equal(j.json.error.code, 'MISSING_TOOL')
    const ok = await pg.lnxJson(['graph', '-o', 'dot'], {env})
    assert.equal(ok.code, 0)
    assert.equal(ok.json.format, 'dot')
    assert.match(ok.json.output, /^\/\/ lnx graph/)
    assert.ok(ok.json.model.clusters.some((c: any) => c.namespace === 'ns1'))
    // Mermaid and DOT need no Graphviz.
    assert.equal((await pg.lnx(['graph', '-o', 'dot'], {env})).code, 0)
  })
})

test('graph -f: what the config would add is drawn dashed in its namespace, pending ones with their reason', async () => {
  await withPlayground(async (pg) => {
    await pg.sh(TOPOLOGY)
    const dir = mkdtempSync(join(tmpdir(), 'lnx-graph-'))
    after(() => rmSync(dir, {recursive: true, force: true}))
    const file = join(dir, 'c.yaml')
    writeFileSync(file, `interfaces:
  - {name: veth1, type: VETH, namespace: {type: NSID, reference: ns1}, host_if_name: v1, ip_addresses: ["10.0.0.1/24"], veth: {peer_if_name: veth2}}
  - {name: veth2, type: VETH, namespace: {type: NSID, reference: ns2}, host_if_name: v2, ip_addresses: ["10.0.0.2/24"], veth: {peer_if_name: veth1}}
  - {name: veth3, type: VETH, namespace: {type: NSID, reference: ns3}, host_if_name: v3, veth: {peer_if_name: veth4}}
  - {name: veth4, type: VETH, namespace: {type: NSID, reference: ns1}, host_if_name: v4, veth: {peer_if_name: veth3}}
  - {name: tap1, type: TAP_TO_VPP, namespace: {type: NSID, reference: ns2}, host_if_name: tap9, tap: {vpp_tap_if_name: tap-nothere}}
`)
    // Let IPv6 DAD finish first: a link-local address leaving "tentative" adds a local route on its own.
    await pg.sh(`for i in $(seq 60); do [ -z "$(ip -n ns1 -6 addr show tentative)$(ip -n ns2 -6 addr show tentative)" ] && exit 0; sleep 0.1; done`)
    const before = await pg.snapshot()
    const r = await pg.lnx(['graph', '-f', file, '--managed'])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(await pg.snapshot(), before, 'graph changes nothing')
    assert.match(r.stdout, /subgraph ns_nns3\["ns3 \(to be created\)"\]/)
    assert.match(r.stdout, /pend_nns3__veth3\["v3<br\/>veth · pending/)
    assert.match(r.stdout, /pend_nns1__veth4 -\.-\|pending veth\| pend_nns3__veth3|pend_nns3__veth3 -\.-\|pending veth\| pend_nns1__veth4/)
    assert.match(r.stdout, /pend_nns2__tap1\{\{"tap9<br\/>[^\n]*tap-nothere[^\n]*VPP has not created it/)
    assert.match(r.stdout, /class [^\n]*pend_nns2__tap1[^\n]* pending/)
    assert.match(r.stdout, /class [^\n]*if_nns1__v1[^\n]* owned/)
    assert.ok(!r.stdout.includes('pend_nns1__veth1'), 'an existing owned veth is not pending')
  })
})

test('doctor --json in a playground: iproute2, JSON, neighbour protocol, privileges, link types ok', async () => {
  await withPlayground(async (pg) => {
    const r = await pg.lnxJson(['doctor'])
    const c = (n: string) => r.json.checks.find((x: any) => x.name === n)
    for (const n of ['iproute2', 'ip-json', 'neigh-protocol', 'privileges', 'nsenter', 'netns-dir', 'link-veth', 'link-tun']) {
      assert.equal(c(n)?.ok, true, `${n}: ${JSON.stringify(c(n))}`)
      assert.equal(c(n).required, true)
    }
    assert.match(c('iproute2').found, /iproute2-/)
    assert.equal(c('docker').required, false)
    assert.equal(c('link-dummy').required, false)
    assert.equal(c('etcd'), undefined, 'etcd only with --etcd')
    for (const x of r.json.checks) {
      assert.deepEqual(Object.keys(x).filter((k) => !['name', 'ok', 'required', 'found', 'fix'].includes(k)), [])
      if (!x.ok) assert.ok(x.fix, `${x.name} failed without a fix`)
    }
    assert.equal(r.json.ok, r.json.checks.every((x: any) => x.ok || !x.required))
    assert.equal(r.code, r.json.ok ? 0 : 4)
    assert.equal(r.json.ok, true, JSON.stringify(r.json.checks.filter((x: any) => !x.ok)))
    // Nothing left behind by the link-type probes.
    assert.deepEqual((await pg.ipJson('', 'link', 'show')).map((l: any) => l.ifname), ['lo'])
    // Human output: a table and the verdict.
    const h = await pg.lnx(['doctor'])
    assert.equal(h.code, 0)
    assert.match(h.stdout, /^CHECK\s+STATUS\s+NEED\s+FOUND/)
    assert.match(h.stdout, /every required check passed/)
  })
})

test('doctor as an unprivileged user: the privilege check fails with a fix, exit 4', async () => {
  await withPlayground(async (pg) => {
    const r = await pg.run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', process.execPath, LNX, 'doctor', '--json'],
      {env: {HOME: '/tmp'}})
    assert.equal(r.code, 4, r.stderr)
    const j = JSON.parse(r.stdout)
    const p = j.checks.find((x: any) => x.name === 'privileges')
    assert.equal(p.ok, false)
    assert.equal(p.required, true)
    assert.match(p.found, /CAP_NET_ADMIN/)
    assert.match(p.fix, /root/)
    assert.equal(j.ok, false)
    assert.equal(j.checks.find((x: any) => x.name === 'iproute2').ok, true, 'tools are still found')
  })
})

test('doctor: a held lock is reported (required with --require lock); an unreachable etcd fails when asked', async () => {
  await withPlayground(async (pg) => {
    // Another process holds the lock with flock, as an lnx run does, and names itself in the file.
    const f = (await pg.sh('echo /run/lnx/netns-$(stat -L -c %i /proc/self/ns/net).lock')).stdout.trim()
    const holder = Number((await pg.sh(`mkdir -p /run/lnx
      sh -c 'exec 9>>"$0"; flock -x 9; echo $$ > "$0"; exec sleep 30' ${f} >/dev/null 2>&1 &
      echo $!
      while flock -n ${f} true; do sleep 0.01; done`)).stdout.trim())
    const r = await pg.lnxJson(['doctor'])
    const lock = r.json.checks.find((x: any) => x.name === 'lock')
    assert.equal(lock.ok, false)
    assert.equal(lock.required, false)
    assert.match(lock.found, new RegExp(`held by pid ${holder}`))
    assert.equal(r.code, r.json.ok ? 0 : 4)
    const req = await pg.lnxJson(['doctor', '--require', 'lock'])
    assert.equal(req.code, 4)
    assert.equal(req.json.checks.find((x: any) => x.name === 'lock').required, true)
    await pg.sh('ip link set lo up')
    const e = await pg.lnxJson(['doctor', '--etcd', 'http://127.0.0.1:2'])
    const etcd = e.json.checks.find((x: any) => x.name === 'etcd')
    assert.equal(etcd.ok, false)
    assert.equal(etcd.required, true)
    assert.ok(etcd.fix)
    assert.equal(e.code, 4)
  })
})
