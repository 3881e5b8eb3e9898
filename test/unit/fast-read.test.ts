// The read+validate fast paths (issue 16) against the slow forms they stand in for: a canonical item reused instead of
// copied, an item's place and source path built only when asked, IPv4 text without the memo tables, names and MACs
// by a character scan, a gateway's place in a prefix in plain numbers. Each must answer exactly as before.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {validateFiles, loadDesired} from '../../src/config/index.ts'
import {canonical, canonicalOrSelf} from '../../src/config/load.ts'
import {broadcast, contains, formatAddr, formatPrefix, network, normalizeAddr, normalizeCidr, normalizeNetwork, parseAddr, parsePrefix, placeIn, isMulticast} from '../../src/model/ip.ts'
import {hostNameProblem, logicalNameProblem, parseMac} from '../../src/model/names.ts'

const withFile = async <T>(name: string, text: string, f: (path: string) => Promise<T>): Promise<T> => {
  const dir = mkdtempSync(join(tmpdir(), 'lnx-fast-read-'))
  try {
    const p = join(dir, name)
    writeFileSync(p, text)
    return await f(p)
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

test('canonicalOrSelf: a canonical item is the parsed object itself; any other spelling gets the same copy as before', () => {
  const plain = {name: 'a', type: 'VETH', namespace: {type: 'NSID', reference: 'n'}, ip_addresses: ['10.0.0.1/24'], veth: {peer_if_name: 'b'}, mtu: 1500}
  assert.equal(canonicalOrSelf('Interface', plain), plain)
  for (const raw of [
    {name: 'a', hostIfName: 'h'}, // lowerCamelCase
    {name: 'a', type: 1}, // enum by number
    {name: 'a', mtu: null}, // null = unset
    {name: 'a', mtu: undefined}, // in-memory documents
    {name: 'a', veth: {peerIfName: 'b'}}, // nested message spelled in camelCase
    {name: 'a', namespace: {type: 1, reference: 'n'}},
    {name: 'a', bogus: 1}, // unknown field: dropped (the schema names it)
  ]) {
    const dups: string[] = []
    const got = canonicalOrSelf('Interface', raw, dups)
    assert.notEqual(got, raw)
    assert.deepEqual(got, canonical('Interface', raw))
  }
  const dups: string[] = []
  canonicalOrSelf('Interface', {name: 'a', veth: {peer_if_name: 'b', peerIfName: 'b'}}, dups)
  assert.deepEqual(dups, ['veth.peer_if_name'])
})

test('items of a list: where, origin and key as before; errors still carry file, line, column and path (JSON and YAML)', async () => {
  const cfg = {
    interfaces: [
      {name: 'a0', type: 'VETH', enabled: true, ip_addresses: ['10.0.0.1/24'], veth: {peer_if_name: 'b0'}},
      {name: 'b0', type: 'VETH', enabled: true, ip_addresses: ['10.0.0.2/24'], veth: {peer_if_name: 'a0'}, mtu: 70000},
    ],
    routes: [
      {outgoing_interface: 'a0', dst_network: '20.0.0.0/24', gw_addr: '10.0.0.2', metric: 1},
      {outgoing_interface: 'a0', dst_network: '20.0.1.0/24', gw_addr: '10.0.0.255', metric: 1},
      {outgoing_interface: 'a0', dst_network: '20.0.0.0/24', gw_addr: '10.0.0.2', metric: 2},
    ],
    arp_entries: [{interface: 'b0', ip_address: '10.0.0.9', hw_address: '02:00:00:00:00:zz'}],
  }
  const json = JSON.stringify(cfg, null, 2)
  await withFile('c.json', json, async (path) => {
    const v = await validateFiles([path])
    assert.deepEqual(v.loaded.routes.map((l) => [l.where, l.key, l.origin]), [
      ['routes[0]', 'config/linux/l3/v2/route/20.0.0.0/24/a0', {doc: 0, at: ['routes', '0']}],
      ['routes[1]', 'config/linux/l3/v2/route/20.0.1.0/24/a0', {doc: 0, at: ['routes', '1']}],
      ['routes[2]', 'config/linux/l3/v2/route/20.0.0.0/24/a0', {doc: 0, at: ['routes', '2']}],
    ])
    const lineOf = (needle: string) => json.split('\n').findIndex((l) => l.includes(needle)) + 1
    const byPath = (p: string) => v.errors.find((e) => e.path === p)
    assert.deepEqual(byPath('mtu'), {file: path, key: 'config/linux/interfaces/v2/interface/b0', path: 'mtu', line: lineOf('"mtu": 70000'), column: 7,
      message: 'MTU 70000 is out of range for a VETH (68..65535 (the kernel\'s max_mtu of a veth), or 0 for the default)'})
    assert.equal(byPath('gw_addr')?.line, lineOf('"gw_addr": "10.0.0.255"'))
    assert.match(byPath('gw_addr')!.message, /broadcast address of 10\.0\.0\.1\/24/)
    assert.equal(byPath('hw_address')?.line, lineOf('"hw_address"'))
    const dup = v.errors.find((e) => e.message.startsWith('duplicate item'))!
    assert.equal(dup.message, `duplicate item: config/linux/l3/v2/route/20.0.0.0/24/a0 is defined both at ${path} (routes[0]) and at ${path} (routes[2])`)
    assert.equal(dup.line, lineOf('"metric": 2') - 4) // the "{" of routes[2]
  })
  const yaml = 'linuxConfig:\n  interfaces:\n    - name: x\n      type: LOOPBACK\n      mtu: 1\n'
  await withFile('c.yaml', yaml, async (path) => {
    const v = await validateFiles([path])
    assert.equal(v.loaded.interfaces[0].where, 'linuxConfig.interfaces[0]')
    assert.deepEqual(v.errors.map((e) => [e.key, e.path, e.line, e.column]), [['config/linux/interfaces/v2/interface/x', 'mtu', 5, 7]])
  })
  // An item without a key is named by its place, and its desired form gets the key normalize builds.
  await withFile('k.json', JSON.stringify({routes: [{outgoing_interface: 'a', dst_network: ''}]}), async (path) => {
    const v = await validateFiles([path])
    assert.deepEqual(v.errors.map((e) => [e.key, e.path]), [['routes[0]', 'dst_network']])
  })
  await withFile('d.json', JSON.stringify({interfaces: [{name: 'l', type: 'LOOPBACK', enabled: true}], routes: [{outgoing_interface: 'l', dst_network: '10.9.0.7/16'}]}), async (path) => {
    const {desired} = await loadDesired([path])
    assert.deepEqual([desired.interfaces[0].key, desired.routes[0].key, desired.routes[0].dst, desired.routes[0].source], [
      'config/linux/interfaces/v2/interface/l', 'config/linux/l3/v2/route/10.9.0.0/16/l', '10.9.0.0/16', {file: path, where: 'routes[0]'}])
  })
})

test('IPv4 text without the memo tables: the same answers as the BigInt path', () => {
  const slowNetwork = (s: string) => {
    const p = parsePrefix(s)
    return p ? formatPrefix(network(p)) : null
  }
  const slowCidr = (s: string) => {
    const p = parsePrefix(s)
    return p ? formatPrefix(p) : null
  }
  const slowAddr = (s: string) => (s.includes('/') ? null : parseAddr(s) ? formatAddr(parseAddr(s)!) : null)
  const inputs = ['10.0.0.5/24', '10.0.0.0/24', '10.0.0.5', '0.0.0.0/0', '1.2.3.4/0', '255.255.255.255/32', '255.255.255.255/31', '10.1.2.3/1',
    '192.168.1.128/25', '192.168.1.129/25', '010.0.0.1/8', '10.0.0.1/024', '10.0.0.1/33', '10.0.0.256', '10.0.0', '10.0.0.1/', ' 10.0.0.1', 'fe80::1/64', '']
  for (const s of inputs) {
    assert.equal(normalizeNetwork(s), slowNetwork(s), `normalizeNetwork ${s}`)
    assert.equal(normalizeCidr(s), slowCidr(s), `normalizeCidr ${s}`)
    assert.equal(normalizeAddr(s), slowAddr(s), `normalizeAddr ${s}`)
  }
})

test('placeIn and isMulticast: the same as contains/network/broadcast and the shifts', () => {
  const old = (p: NonNullable<ReturnType<typeof parsePrefix>>, a: NonNullable<ReturnType<typeof parseAddr>>) =>
    !contains(p, a) ? 'outside' : network(p).value === a.value ? 'network' : broadcast(p).value === a.value ? 'broadcast' : 'inside'
  for (const [p, a] of [['10.0.0.1/24', '10.0.0.0'], ['10.0.0.1/24', '10.0.0.255'], ['10.0.0.1/24', '10.0.0.7'], ['10.0.0.1/24', '10.0.1.0'],
    ['10.0.0.1/30', '10.0.0.3'], ['10.0.0.1/0', '255.255.255.255'], ['10.0.0.1/0', '0.0.0.0'], ['2001:db8::1/64', '2001:db8::'],
    ['2001:db8::1/120', '2001:db8::ff'], ['2001:db8::1/64', '10.0.0.1']]) {
    assert.equal(placeIn(parsePrefix(p)!, parseAddr(a)!), old(parsePrefix(p)!, parseAddr(a)!), `${a} in ${p}`)
  }
  const shifted = (a: NonNullable<ReturnType<typeof parseAddr>>) => (a.family === 4 ? a.value >> 28n === 14n : a.value >> 120n === 0xffn)
  for (const s of ['223.255.255.255', '224.0.0.0', '239.255.255.255', '240.0.0.0', '0.0.0.0', 'ff02::1', 'fe80::1', 'ff00::', '::']) {
    assert.equal(isMulticast(parseAddr(s)!), shifted(parseAddr(s)!), s)
  }
})

test('names and MACs by character scan: the same verdicts as the regular expressions', () => {
  const names = ['a', 'veth1', 'a.b-c_d', '-a', '.a', 'a-', '.', '..', 'all', 'default', 'x'.repeat(15), 'x'.repeat(16), 'x'.repeat(63), 'x'.repeat(64),
    'a b', 'a$b', 'a@b', 'a+b=c,d', 'é', 'ab\u00e9', 'a/b', 'a:b', '']
  const logicalSlow = (s: string) => {
    if (s.length === 0) return 'empty'
    if (Buffer.byteLength(s) > 63) return 'long'
    if (/[^A-Za-z0-9_.-]/.test(s)) return 'chars'
    if (s[0] === '-' || s[0] === '.') return 'start'
    return null
  }
  const hostSlow = (s: string) => {
    if (s.length === 0 || Buffer.byteLength(s) > 15 || s === '.' || s === '..' || /[^A-Za-z0-9_.@+=,-]/u.test(s) || s[0] === '-' || s === 'all' || s === 'default') return 'bad'
    return null
  }
  for (const s of names) {
    assert.equal(logicalNameProblem(s) === null, logicalSlow(s) === null, `logical ${JSON.stringify(s)}`)
    assert.equal(hostNameProblem(s) === null, hostSlow(s) === null, `host ${JSON.stringify(s)}`)
  }
  const macSlow = (s: string) => (/^([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$/.test(s) ? s.toLowerCase().replace(/-/g, ':') : null)
  for (const s of ['02:00:00:00:00:01', '02:AA:00:00:00:01', '02-aa-00-00-00-01', '02:aa-00:00:00:01', '02:00:00:00:00:0g', '02:00:00:00:00', '02:00:00:00:00:011', '0200:00:00:00:01:', '']) {
    assert.equal(parseMac(s), macSlow(s), s)
  }
})

test('JSON that needs protojson\'s input rules still gets them (quoted integers, nulls, escaped field names); plain JSON skips the walk', async () => {
  const base = {name: 'l', type: 'LOOPBACK', enabled: true}
  for (const [text, mtu] of [
    [JSON.stringify({interfaces: [{...base, mtu: '1500'}]}), 1500],
    [JSON.stringify({interfaces: [{...base, mtu: 9000, phys_address: null}]}), 9000],
    ['{"interfaces": [{"name": "l", "type": "LOOPBACK", "enabled": true, "m\\u0074u": "1400"}]}', 1400],
    [JSON.stringify({linuxConfig: {interfaces: [{...base, mtu: '1300'}]}}), 1300],
    [JSON.stringify({interfaces: [{...base, mtu: 1200}]}), 1200],
  ] as const) {
    await withFile('p.json', text, async (path) => {
      const {desired} = await loadDesired([path])
      assert.equal(desired.interfaces[0].mtu, mtu, text)
    })
  }
  await withFile('r.json', JSON.stringify({routes: [{outgoing_interface: 'l', dst_network: '10.0.0.0/8', metric: '7'}]}), async (path) => {
    const v = await validateFiles([path])
    assert.equal(v.loaded.routes[0].item.metric, 7)
  })
})

test('tiering: the parse under V8\'s default budget returns its value and passes its error on; the CLI budget is set once', async () => {
  const {useCliTiering, withDefaultTiering} = await import('../../src/tiering.ts')
  assert.equal(withDefaultTiering(() => 7), 7)
  useCliTiering()
  useCliTiering()
  assert.deepEqual(withDefaultTiering(() => ({a: 1})), {a: 1})
  assert.throws(() => withDefaultTiering(() => {
    throw new Error('bad yaml')
  }), /bad yaml/)
  assert.equal(withDefaultTiering(() => 'after'), 'after')
})
