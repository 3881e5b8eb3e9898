// Planner helpers that trade generality for speed give the answers of the general ones: the collator order of items
// (stable), whichever path sortedByText takes; the IPv4 gateway check without BigInt.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {byText, sortedByText} from '../../src/engine/plan/context.ts'
import {inPrefix} from '../../src/engine/plan/l3-target.ts'
import {contains, parseAddr, parsePrefix} from '../../src/model/ip.ts'

const collatorSorted = <T>(xs: T[], text: (x: T) => string, rank?: (x: T) => number) =>
  [...xs].sort((a, b) => (rank ? rank(a) - rank(b) : 0) || byText(text(a), text(b)))

test('names where code-unit order is the collator order: the same array as a collator sort', () => {
  const xs = Array.from({length: 500}, (_, i) => ({name: `a${(i * 7919) % 500}`, i}))
  xs.push({name: 'a3', i: 1000}, {name: 'a3', i: 1001}) // duplicates keep their input order
  const got = sortedByText(xs, (x) => x.name)
  assert.deepEqual(got, collatorSorted(xs, (x) => x.name))
  assert.ok(got.indexOf(xs[500]) < got.indexOf(xs[501]))
})

test('names where code-unit order is not the collator order (case, "_", accents): the collator order', () => {
  const names = ['b', 'B', 'a_1', 'a1', 'A1', 'é', 'e', 'f', 'Z', 'z', '_x', '-y', 'x.y', 'x/y', 'x-y', 'x_y', 'ä', 'a']
  const xs = names.map((name, i) => ({name, i}))
  assert.deepEqual(sortedByText(xs, (x) => x.name), collatorSorted(xs, (x) => x.name))
  assert.notDeepEqual(collatorSorted(xs, (x) => x.name).map((x) => x.name), [...names].sort())
})

test('keys of lower-case letters, digits, "-", "." and "/" (no collator check in English): the collator order', () => {
  let seed = 11
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
  const chars = '-./0123456789abcdefghijklmnopqrstuvwxyz'
  const xs = Array.from({length: 3000}, (_, i) => {
    let k = ''
    for (let j = Math.floor(rnd() * 8); j >= 0; j--) k += chars[Math.floor(rnd() * chars.length)]
    return {k: i % 5 ? `config/${k}` : k, i}
  })
  assert.deepEqual(sortedByText(xs, (x) => x.k), collatorSorted(xs, (x) => x.k))
})

test('routes: a rank first (no gateway before gateway), then the collator order of keys', () => {
  const keys = ['config/linux/l3/v2/route/20.0.1.0/24/a1', 'config/linux/l3/v2/route/20.0.10.0/24/a1', 'config/linux/l3/v2/route/2001:db8::/64/B', 'config/linux/l3/v2/route/2001:db8::/64/a']
  const xs = keys.flatMap((key, i) => [{key, gw: i % 2 ? '10.0.0.1' : undefined}, {key: key + '_', gw: '10.0.0.2'}])
  const rank = (r: {gw?: string}) => (r.gw ? 1 : 0)
  assert.deepEqual(sortedByText(xs, (r) => r.key, rank), collatorSorted(xs, (r) => r.key, rank))
})

test('the planner’s IPv4 gateway check agrees with contains() on every prefix length', () => {
  let seed = 7
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
  const q = () => Math.floor(rnd() * 256)
  for (let i = 0; i < 3000; i++) {
    const base = [q(), q(), q(), q()]
    const len = i % 33
    const other = rnd() < 0.5 ? [...base.slice(0, 3), q()] : [q(), q(), q(), q()]
    const pp = parsePrefix(`${base.join('.')}/${len}`)!
    const a = parseAddr(other.join('.'))!
    assert.equal(inPrefix(pp, a), contains(pp, a), `${base.join('.')}/${len} ∋ ${other.join('.')}`)
  }
  assert.equal(inPrefix(parsePrefix('2001:db8::1/64')!, parseAddr('2001:db8::2')!), true)
  assert.equal(inPrefix(parsePrefix('10.0.0.1/24')!, parseAddr('2001:db8::2')!), false)
})
