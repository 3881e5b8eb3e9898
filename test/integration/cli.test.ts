// Command-line papercuts (issue 12, point 5), each through the real CLI in a private playground: repeatable flags
// leave positional arguments alone, `lnx help COMMAND`, unknown namespaces for dump/graph, --json summaries that
// count what `changes` lists, --verbose one line per process, `lnx --version --json`.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {exec, LNX, ROOT, withPlayground, type Playground} from '../helpers/playground.ts'

const write = (pg: Playground, path: string, text: string) => pg.run('sh', ['-c', `cat > ${path}`], {input: text})

test('a repeatable flag takes one value: the interface name after --ip is the name', async () => {
  await withPlayground(async (pg) => {
    const r = await pg.lnx(['interface', 'add', '--type', 'veth', '--peer', 'v10', '--ip', '10.3.0.1/24', 'v9'])
    assert.equal(r.code, 0, r.stderr + r.stdout)
    const v9 = (await pg.ipJson('', 'addr', 'show', 'dev', 'v9'))[0]
    assert.deepEqual(v9.addr_info.filter((a: any) => a.family === 'inet').map((a: any) => a.local), ['10.3.0.1'])
    const s = await pg.lnx(['interface', 'set', '--add-ip', '10.3.1.1/24', '--add-ip', '10.3.2.1/24', 'v9'])
    assert.equal(s.code, 0, s.stderr + s.stdout)
    const after = (await pg.ipJson('', 'addr', 'show', 'dev', 'v9'))[0]
    assert.deepEqual(after.addr_info.filter((a: any) => a.family === 'inet').map((a: any) => a.local).sort(), ['10.3.0.1', '10.3.1.1', '10.3.2.1'])
    await pg.sh('ip netns add ns1')
    const d = await pg.lnxJson(['dump', '-n', 'default', 'interfaces'])
    assert.equal(d.code, 0, d.stderr)
    assert.ok(d.json.interfaces.some((i: any) => i.name === 'v9'))
  })
})

test('lnx help COMMAND shows the command\'s help, topics included; an unknown one exits 2', async () => {
  const a = await exec(process.execPath, [LNX, 'help', 'apply'])
  assert.equal(a.code, 0, a.stderr)
  assert.match(a.stdout, /\$ lnx apply -f/)
  const b = await exec(process.execPath, [LNX, 'help', 'interface', 'add'])
  assert.equal(b.code, 0, b.stderr)
  assert.match(b.stdout, /\$ lnx interface add NAME/)
  const c = await exec(process.execPath, [LNX, 'help', 'interface', 'ad'])
  assert.equal(c.code, 2)
  assert.match(c.stderr, /no command "interface ad".*did you mean "lnx help interface add"/)
})

test('lnx --version --json prints JSON', async () => {
  const r = await exec(process.execPath, [LNX, '--version', '--json'])
  assert.equal(r.code, 0, r.stderr)
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))
  assert.equal(JSON.parse(r.stdout).version, pkg.version)
  assert.match((await exec(process.execPath, [LNX, '--version'])).stdout, /^lnx\/\d/)
})

test('dump -n and graph -n with an unknown namespace exit 2 naming it', async () => {
  await withPlayground(async (pg) => {
    await pg.sh('ip netns add ns1')
    for (const cmd of ['dump', 'graph']) {
      const r = await pg.lnx([cmd, '-n', 'nosuch'])
      assert.equal(r.code, 2, `${cmd}: ${r.stdout}${r.stderr}`)
      assert.match(r.stderr, /no namespace "nosuch".*ns1/)
      const j = await pg.lnxJson([cmd, '-n', 'nosuch'])
      assert.equal(j.code, 2)
      assert.equal(j.json.error.code, 'INVALID')
    }
    assert.equal((await pg.lnx(['dump', '-n', 'ns1'])).code, 0)
  })
})

test('apply --wait --json: the summary counts every change listed, over all rounds', async () => {
  await withPlayground(async (pg) => {
    await write(pg, '/run/old.yaml', `
interfaces:
  - {name: x1, type: VETH, enabled: true, veth: {peer_if_name: x2}}
  - {name: x2, type: VETH, enabled: true, veth: {peer_if_name: x1}}
`)
    assert.equal((await pg.lnx(['apply', '-f', '/run/old.yaml'])).code, 0)
    await write(pg, '/run/new.yaml', `
interfaces:
  - {name: tap1, type: TAP_TO_VPP, enabled: true, host_if_name: tap-host, ip_addresses: [172.52.45.127/24], tap: {vpp_tap_if_name: tap-host}}
  - {name: v1, type: VETH, enabled: true, veth: {peer_if_name: v2}}
  - {name: v2, type: VETH, enabled: true, veth: {peer_if_name: v1}}
`)
    // The tap VPP would create appears while apply waits: a second round adopts it.
    await pg.sh('(sleep 1.5; ip tuntap add dev tap-host mode tap) >/dev/null 2>&1 &')
    const r = await pg.lnxJson(['apply', '-f', '/run/new.yaml', '--prune', '--wait', '15'])
    assert.equal(r.code, 0, r.stdout)
    const changes: any[] = r.json.changes
    for (const action of ['create', 'update', 'delete']) {
      assert.equal(r.json.summary[action], changes.filter((c) => c.action === action).length, `summary.${action} vs changes: ${JSON.stringify(r.json.summary)}`)
    }
    assert.ok(changes.some((c) => c.action === 'delete' && /x1/.test(c.key)), 'the first round deleted x1')
    assert.ok(changes.some((c) => /tap1/.test(c.key)), 'the second round adopted tap1')
  })
})

test('--verbose: one "$ command" line per process, batch input below it, nothing glued', async () => {
  await withPlayground(async (pg) => {
    await write(pg, '/run/t.yaml', `
interfaces:
  - {name: v1, type: VETH, enabled: true, namespace: {type: NSID, reference: ns1}, ip_addresses: [10.9.0.1/24], veth: {peer_if_name: v2}}
  - {name: v2, type: VETH, enabled: true, namespace: {type: NSID, reference: ns2}, ip_addresses: [10.9.0.2/24], veth: {peer_if_name: v1}}
routes:
  - {outgoing_interface: v1, dst_network: 10.8.0.0/24, gw_addr: 10.9.0.2}
`)
    const r = await pg.lnx(['apply', '-f', '/run/t.yaml', '-v'])
    assert.equal(r.code, 0, r.stderr)
    const lines = r.stderr.split('\n')
    assert.equal(lines.pop(), '', 'stderr ends with a newline')
    const commands = lines.filter((l) => l.startsWith('$ '))
    assert.ok(commands.length >= 4, `expected several processes, got:\n${r.stderr}`)
    for (const l of lines) {
      assert.ok(/^(\$ |  \| )/.test(l) || !/\$ (ip|nsenter|ethtool|sysctl) /.test(l), `a process line glued to another line: ${JSON.stringify(l)}`)
      assert.ok(!/.\$ (ip|nsenter|ethtool|sysctl) /.test(l), `a process line glued to another line: ${JSON.stringify(l)}`)
    }
    // Every batch process is followed by its input lines.
    const batchAt = lines.findIndex((l) => /^\$ ip .*-batch -/.test(l))
    assert.ok(batchAt >= 0 && lines[batchAt + 1]?.startsWith('  | '), r.stderr)
  })
})
