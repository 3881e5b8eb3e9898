// PID and FD namespace references (nsenter for everything but named namespaces), runtime checks, and --wait.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {withPlayground, type Playground} from '../helpers/playground.ts'

async function nsProcess(pg: Playground): Promise<number> {
  // A process with a network namespace of its own inside the playground; it dies with the playground.
  await pg.sh('unshare --net sleep 100000 >/dev/null 2>&1 & echo $! > /run/holder.pid; sleep 0.2')
  return Number((await pg.run('cat', ['/run/holder.pid'])).stdout.trim())
}

const write = (pg: Playground, path: string, text: string) => pg.run('sh', ['-c', 'cat > "$0"', path], {input: text})

const config = (pid: number, fd = '/run/nsfile') => `
interfaces:
  - name: a
    type: VETH
    enabled: true
    namespace: {type: PID, reference: "${pid}"}
    ip_addresses: ["10.1.0.1/24"]
    veth: {peer_if_name: b}
  - name: b
    type: VETH
    enabled: true
    namespace: {type: FD, reference: ${fd}}
    ip_addresses: ["10.1.0.2/24"]
    veth: {peer_if_name: a}
routes:
  - {outgoing_interface: a, dst_network: 10.9.0.0/16, gw_addr: 10.1.0.2}
`

test('PID and FD namespaces: a veth pair across them, addressed and routed, idempotent, deleted', async () => {
  await withPlayground(async (pg) => {
    const pid = await nsProcess(pg)
    await pg.sh('touch /run/nsfile && unshare --net=/run/nsfile true')
    await write(pg, '/run/c.yaml', config(pid))
    const r = await pg.lnxJson(['apply', '-f', '/run/c.yaml'])
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.equal(r.json.result, 'applied')
    const inPid = async (...args: string[]) => JSON.parse((await pg.run('nsenter', [`--net=/proc/${pid}/ns/net`, 'ip', '-j', ...args])).stdout)
    const inFile = async (...args: string[]) => JSON.parse((await pg.run('nsenter', ['--net=/run/nsfile', 'ip', '-j', ...args])).stdout)
    const a = (await inPid('-d', 'addr', 'show', 'dev', 'a'))[0]
    assert.equal(a.ifalias, '/vnf-agent/vpp1/a/b')
    assert.equal(a.group, '76')
    assert.ok(a.addr_info.some((x: any) => x.local === '10.1.0.1' && x.prefixlen === 24))
    const b = (await inFile('addr', 'show', 'dev', 'b'))[0]
    assert.ok(b.addr_info.some((x: any) => x.local === '10.1.0.2'))
    const routes = await inPid('route', 'show', 'proto', '76')
    assert.deepEqual(routes.map((x: any) => [x.dst, x.gateway]), [['10.9.0.0/16', '10.1.0.2']])
    // Nothing leaked into the playground's own namespace.
    assert.deepEqual((await pg.ipJson('', 'link', 'show')).map((l: any) => l.ifname), ['lo'])

    const again = await pg.lnxJson(['plan', '-f', '/run/c.yaml', '--exit-code'])
    assert.equal(again.code, 0, JSON.stringify(again.json.changes))

    const del = await pg.lnxJson(['delete', '-f', '/run/c.yaml'])
    assert.equal(del.code, 0, del.stdout)
    assert.deepEqual((await inPid('link', 'show')).map((l: any) => l.ifname), ['lo'])
    assert.deepEqual((await inFile('link', 'show')).map((l: any) => l.ifname), ['lo'])
  })
})

test('runtime checks: a PID that is gone and an FD path that is no namespace → exit 2, nothing touched', async () => {
  await withPlayground(async (pg) => {
    await pg.sh('touch /run/not-a-namespace')
    await write(pg, '/run/c.yaml', config(999999, '/run/not-a-namespace'))
    const r = await pg.lnxJson(['apply', '-f', '/run/c.yaml'])
    assert.equal(r.code, 2, r.stdout)
    assert.equal(r.json.error.code, 'INVALID')
    const messages = r.json.error.errors.map((e: any) => `${e.key} ${e.path} ${e.message}`).join('\n')
    assert.match(messages, /interface\/a namespace\.reference .*process 999999 does not exist/)
    assert.deepEqual((await pg.ipJson('', 'link', 'show')).map((l: any) => l.ifname), ['lo'])
    assert.equal((await pg.run('ls', ['/run/netns'])).stdout.trim(), '')
  })
})

test('an FD path that is not a network namespace file → exit 2 naming it', async () => {
  await withPlayground(async (pg) => {
    const pid = await nsProcess(pg)
    await pg.sh('touch /run/not-a-namespace')
    await write(pg, '/run/c.yaml', config(pid, '/run/not-a-namespace'))
    const r = await pg.lnxJson(['apply', '-f', '/run/c.yaml'])
    assert.equal(r.code, 2, r.stdout)
    assert.match(JSON.stringify(r.json.error.errors), /not-a-namespace is not a network namespace file/)
    assert.deepEqual(JSON.parse((await pg.run('nsenter', [`--net=/proc/${pid}/ns/net`, 'ip', '-j', 'link', 'show'])).stdout).map((l: any) => l.ifname), ['lo'])
  })
})

test('--wait: a pending tap is adopted once VPP creates it during the wait', async () => {
  await withPlayground(async (pg) => {
    await write(pg, '/run/t.yaml', `
interfaces:
  - name: tap1
    type: TAP_TO_VPP
    namespace: {type: NSID, reference: ns2}
    host_if_name: tap-host
    enabled: true
    ip_addresses: ["172.52.45.127/24"]
    tap: {vpp_tap_if_name: tap-host}
`)
    await pg.sh('(sleep 1; ip tuntap add dev tap-host mode tap) >/dev/null 2>&1 &')
    const r = await pg.lnxJson(['apply', '-f', '/run/t.yaml', '--wait', '10'])
    assert.equal(r.code, 0, r.stdout)
    assert.equal(r.json.result, 'applied')
    assert.equal(r.json.pending.length, 0)
    const tap = (await pg.ipJson('ns2', '-d', 'addr', 'show', 'dev', 'tap-host'))[0]
    assert.equal(tap.ifalias, '/vnf-agent/vpp1/tap1/tap-host/tap-host')
    assert.ok(tap.addr_info.some((x: any) => x.local === '172.52.45.127'))
  })
})

test('--wait that runs out: exit 3 with the reason, and what could be applied is applied', async () => {
  await withPlayground(async (pg) => {
    await write(pg, '/run/t.yaml', `
interfaces:
  - {name: tap1, type: TAP_TO_VPP, enabled: true, tap: {vpp_tap_if_name: tap-host}}
  - {name: v1, type: VETH, enabled: true, veth: {peer_if_name: v2}}
  - {name: v2, type: VETH, enabled: true, veth: {peer_if_name: v1}}
`)
    const started = Date.now()
    const r = await pg.lnxJson(['apply', '-f', '/run/t.yaml', '--wait', '1'])
    assert.equal(r.code, 3, r.stdout)
    assert.ok(Date.now() - started >= 1000, 'it waited')
    assert.equal(r.json.result, 'pending')
    assert.match(r.json.pending[0].reason, /tap-host/)
    assert.ok((await pg.ipJson('', 'link', 'show')).some((l: any) => l.ifname === 'v1'))
  })
})
