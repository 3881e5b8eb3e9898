// What the imperative verbs say about themselves: errors name the item by its key and the flag once, and deletes
// say why without pretending a file was involved. Real CLI in a playground; kernel state checked with raw `ip -json`.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {withPg, addrs, KEY} from './engine-helpers.ts'

test('imperative errors and deletes: the item key, the flag once, no "in the file"', async () => {
  await withPg(async (pg) => {
    const ok = async (args: string[]) => {
      const r = await pg.lnxJson(args)
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stdout}${r.stderr}`)
      return r
    }
    await ok(['interface', 'add', 'v1', '--type', 'veth', '--peer', 'v2', '--ip', '10.0.0.1/24'])
    await pg.sh('ip link add eth1 type veth peer name eth1p')
    await ok(['interface', 'add', 'uplink', '--type', 'existing', '--host-name', 'eth1', '--ip', '10.60.0.1/24'])

    // --del-ip of an address the link does not have: exit 2, the error's key is the item's key.
    let j = await pg.lnxJson(['interface', 'set', 'v1', '--del-ip', '10.0.0.9/24'])
    assert.equal(j.code, 2)
    assert.deepEqual(j.json.error.errors.map((e: any) => [e.file, e.key, e.path]), [['command line', KEY.iface('v1'), '--del-ip']])
    assert.deepEqual(await addrs(pg, '', 'v1'), ['10.0.0.1/24'])
    // The human line: file:item:field, then the message — the flag once.
    let t = await pg.lnx(['interface', 'set', 'v1', '--del-ip', '10.0.0.9/24'])
    assert.equal(t.code, 2)
    assert.match(t.stderr, /^error: command line:config\/linux\/interfaces\/v2\/interface\/v1:--del-ip: v1 has no address 10\.0\.0\.9\/24/m)
    assert.equal(t.stderr.split('--del-ip').length - 1, 1, t.stderr)
    t = await pg.lnx(['interface', 'set', 'uplink', '--mtu', '1400'])
    assert.equal(t.code, 2)
    assert.match(t.stderr, /^error: command line:config\/linux\/interfaces\/v2\/interface\/uplink:--mtu: the MTU of uplink is not managed/m)
    assert.equal(t.stderr.split('--mtu').length - 1, 1, t.stderr)

    // Deletes by verb: no file involved.
    await ok(['route', 'add', '10.9.0.0/16', '--dev', 'v1', '--via', '10.0.0.5'])
    let r = await ok(['route', 'delete', '10.9.0.0/16', '--dev', 'v1'])
    assert.deepEqual(r.json.changes.map((c: any) => [c.action, c.key]), [['delete', KEY.route('10.9.0.0/16', 'v1')]])
    assert.match(r.json.changes[0].detail, /as asked \(lnx route delete\)$/)
    r = await ok(['interface', 'delete', 'uplink'])
    assert.match(r.json.changes[0].detail, /as asked \(lnx interface delete\)$/)
    await ok(['route', 'add', '10.9.0.0/16', '--dev', 'v1', '--via', '10.0.0.5'])
    r = await ok(['interface', 'delete', 'v1'])
    for (const c of r.json.changes) assert.doesNotMatch(c.detail, /in the file/, c.detail)
    assert.match(r.json.changes.find((c: any) => c.kind === 'route').detail, /its interface v1 goes away$/)
    assert.deepEqual((await pg.ipJson('', 'link', 'show')).map((l: any) => l.ifname).sort(), ['eth1', 'eth1p', 'lo'])
  })
})
