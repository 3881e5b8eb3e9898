// The registry of link kinds (src/kinds/): one kind per proto type, each kind's validation, normalisation and
// read-back, `interface add --type` offering every kind, and no consumer testing a type name outside src/kinds/.
import {test, describe} from 'node:test'
import assert from 'node:assert/strict'
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join, relative} from 'node:path'
import {KINDS, kindOf, kindOfFlag, kindOfKernel, typeNames} from '../../src/kinds/index.ts'
import {Interface_Type_VALUES} from '../../src/model/generated.ts'
import {validateFiles} from '../../src/config/index.ts'
import {normalizeInterface} from '../../src/model/normalize.ts'
import {aliasFor, ownedView} from '../../src/kernel/owned.ts'
import type {OLink} from '../../src/kernel/observe.ts'
import {ROOT} from '../helpers/playground.ts'

const IF = (name: string) => `config/linux/interfaces/v2/interface/${name}`
const validate = (doc: unknown) => validateFiles(['-'], async () => JSON.stringify(doc))

/** A valid minimal document per kind (its item named "x"): a new kind must add one here. */
const VALID: Record<string, Record<string, unknown>[]> = {
  VETH: [{name: 'x', type: 'VETH', veth: {peer_if_name: 'y'}}, {name: 'y', type: 'VETH', veth: {peer_if_name: 'x'}}],
  TAP_TO_VPP: [{name: 'x', type: 'TAP_TO_VPP', tap: {vpp_tap_if_name: 'vt'}}],
  LOOPBACK: [{name: 'x', type: 'LOOPBACK'}],
  EXISTING: [{name: 'x', type: 'EXISTING'}],
  DUMMY: [{name: 'x', type: 'DUMMY'}],
  VRF_DEVICE: [{name: 'x', type: 'VRF_DEVICE', vrf_dev: {routing_table: 10}}],
}
/** The valid document with item "x" changed. */
const withX = (type: string, change: Record<string, unknown>) => ({interfaces: VALID[type].map((i) => (i.name === 'x' ? {...i, ...change} : i))})

/** What each kind's own rules must reject: [title, change of item x, field path of the error]. */
const REJECTS: Record<string, [string, Record<string, unknown>, string][]> = {
  VETH: [
    ['no peer', {veth: {}}, 'veth.peer_if_name'],
    ['its own peer', {veth: {peer_if_name: 'x'}}, 'veth.peer_if_name'],
    ['a tap section', {tap: {vpp_tap_if_name: 'a'}, veth: undefined}, 'tap'],
  ],
  TAP_TO_VPP: [
    ['no VPP TAP', {tap: {}}, 'tap.vpp_tap_if_name'],
    ['a bad VPP TAP name', {tap: {vpp_tap_if_name: 'a b'}}, 'tap.vpp_tap_if_name'],
  ],
  LOOPBACK: [
    ['a host name other than lo', {host_if_name: 'lo0'}, 'host_if_name'],
    ['a veth section', {veth: {peer_if_name: 'a'}}, 'veth'],
  ],
  EXISTING: [['a namespace', {namespace: {type: 'NSID', reference: 'ns1'}}, 'namespace']],
  DUMMY: [['a vrf_dev section', {vrf_dev: {routing_table: 5}}, 'vrf_dev']],
  VRF_DEVICE: [
    ['no routing table', {vrf_dev: {}}, 'vrf_dev.routing_table'],
    ['a reserved table', {vrf_dev: {routing_table: 254}}, 'vrf_dev.routing_table'],
    ['a MAC', {phys_address: '02:00:00:00:00:01'}, 'phys_address'],
    ['inside another VRF', {vrf_master_interface: 'v2'}, 'vrf_master_interface'],
  ],
}

test('every proto Interface_Type but UNDEFINED has exactly one kind; flags and kernel kinds are unique', () => {
  const types = Object.keys(Interface_Type_VALUES).filter((t) => t !== 'UNDEFINED').sort()
  assert.deepEqual(KINDS.map((k) => k.type).sort(), types)
  for (const t of types) assert.equal(kindOf(t)?.type, t)
  assert.equal(kindOf('UNDEFINED'), undefined)
  assert.equal(new Set(KINDS.map((k) => k.flag)).size, KINDS.length)
  for (const k of KINDS) assert.equal(kindOfFlag(k.flag), k)
  const kernel = KINDS.flatMap((k) => k.kernelKinds)
  assert.equal(new Set(kernel).size, kernel.length, 'a kernel kind belongs to one kind')
  for (const k of KINDS) for (const n of k.kernelKinds) assert.equal(kindOfKernel(n), k)
  // Messages list the types in proto order.
  assert.deepEqual(typeNames(), Object.entries(Interface_Type_VALUES).sort((a, b) => a[1] - b[1]).map(([t]) => t).filter((t) => t !== 'UNDEFINED'))
})

describe('each kind validates', () => {
  for (const k of KINDS) {
    test(`${k.type}: has a valid example, and its minimal item is valid`, async () => {
      assert.ok(VALID[k.type], `test/unit/kinds.test.ts has no valid example of ${k.type}`)
      assert.ok(REJECTS[k.type]?.length, `test/unit/kinds.test.ts has no rejected case of ${k.type}`)
      const r = await validate({interfaces: VALID[k.type]})
      assert.deepEqual(r.errors, [])
    })
    for (const [title, change, path] of REJECTS[k.type] ?? []) {
      test(`${k.type}: rejects ${title} at ${path}`, async () => {
        const r = await validate(withX(k.type, change))
        assert.equal(r.valid, false)
        assert.ok(r.errors.some((e) => e.key === IF('x') && e.path === path), `no error at ${path}: ${JSON.stringify(r.errors)}`)
      })
    }
    test(`${k.type}: MTU ${k.mtu.max} is taken, ${k.mtu.max + 1} rejected at mtu (${k.mtu.why})`, async () => {
      const ok = await validate(withX(k.type, {mtu: k.mtu.max}))
      assert.deepEqual(ok.errors, [])
      const bad = await validate(withX(k.type, {mtu: k.mtu.max + 1}))
      assert.ok(bad.errors.some((e) => e.key === IF('x') && e.path === 'mtu' && e.message.includes(`out of range for ${/^[AEIOU]/.test(k.type) ? 'an' : 'a'} ${k.type}`)), JSON.stringify(bad.errors))
    })
  }
})

test('normalisation: MTU 0 is the kind\'s default, a fixed host name wins, the kind\'s own fields are filled', () => {
  for (const k of KINDS) {
    const item = VALID[k.type].find((i) => i.name === 'x')!
    const d = normalizeInterface({...item, host_if_name: 'h1'} as any)
    assert.equal(d.mtu, k.defaultMtu, k.type)
    assert.equal(d.hostName, k.hostName ?? 'h1', k.type)
  }
  assert.equal(normalizeInterface(VALID.VETH[0] as any).peer, 'y')
  assert.equal(normalizeInterface(VALID.TAP_TO_VPP[0] as any).vppTap, 'vt')
  assert.equal(normalizeInterface(VALID.DUMMY[0] as any).peer, undefined)
})

test('read-back: an owned link marked by lnx maps back to its kind and alias fields', () => {
  const link = (kind: string, alias: string, group = '0'): OLink => ({kind, alias, group, name: 'h', addresses: []} as unknown as OLink)
  const d = (type: string) => normalizeInterface(VALID[type].find((i) => i.name === 'x') as any)
  const cases: [string, OLink, Record<string, unknown>][] = [
    ['VETH', link('veth', aliasFor('L', d('VETH')), '76'), {peerName: 'y'}],
    ['TAP_TO_VPP', link('tap', aliasFor('L', d('TAP_TO_VPP'), 'tap0')), {vppTap: 'vt', origHost: 'tap0'}],
    ['LOOPBACK', link('loopback', aliasFor('L', d('LOOPBACK'))), {}],
    ['EXISTING', link('bridge', aliasFor('L', d('EXISTING'))), {}],
    ['DUMMY', link('dummy', aliasFor('L', d('DUMMY')), '76')],
  ].map(([t, l, f]) => [t as string, l as OLink, (f ?? {}) as Record<string, unknown>])
  for (const [type, l, fields] of cases) {
    const v = ownedView(l, 'L')
    assert.equal(v?.type, type, `${type}: ${l.alias}`)
    assert.equal(v?.name, 'x')
    for (const [f, want] of Object.entries(fields)) assert.equal((v as any)[f], want, `${type}.${f}`)
  }
  // Not in lnx's group, a dummy with the plain alias is someone's adopted link; another label's is not ours.
  assert.equal(ownedView(link('dummy', aliasFor('L', d('DUMMY'))), 'L')?.type, 'EXISTING')
  assert.equal(ownedView(link('veth', aliasFor('M', d('VETH')), '76'), 'L'), null)
})

test('interface add --type offers every kind of the registry, with every kind\'s own flags', () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8'))
  const add = manifest.commands['interface:add'].flags
  assert.deepEqual(add.type.options, KINDS.map((k) => k.flag))
  for (const k of KINDS) for (const f of Object.keys(k.cli?.flags ?? {})) assert.ok(add[f], `interface add lacks --${f} (${k.type})`)
})

test('no module outside src/kinds/ tests a type name: the registry is the one place kinds differ', () => {
  const walk = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)]))
  const names = KINDS.map((k) => k.type).join('|')
  const test = new RegExp(`(?:[=!]==\\s*|case\\s+|\\b(?:${'is|has|includes'})\\()'(?:${names})'|'(?:${names})'\\s*[=!]==|\\b(?:VETH|TAP_TO_VPP|VRF_DEVICE)\\s*:\\s*['"\\d]`)
  const offenders: string[] = []
  for (const f of walk(join(ROOT, 'src'))) {
    const rel = relative(ROOT, f)
    if (!rel.endsWith('.ts') || rel.startsWith('src/kinds/') || rel === 'src/model/generated.ts') continue
    readFileSync(f, 'utf8').split('\n').forEach((line, n) => {
      if (test.test(line)) offenders.push(`${rel}:${n + 1}: ${line.trim()}`)
    })
  }
  assert.deepEqual(offenders, [])
})
