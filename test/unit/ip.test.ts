// src/model/ip.ts: strict parsing, RFC 5952 canonical text, prefix arithmetic, normalisation.
import {test, describe} from 'node:test'
import assert from 'node:assert/strict'
import {
  broadcast, contains, formatAddr, formatPrefix, isLinkLocal6, isMulticast, isUnspecified, network,
  normalizeAddr, normalizeCidr, normalizeNetwork, parseAddr, parsePrefix, sameAddr,
} from '../../src/model/ip.ts'

const A = (s: string) => {
  const a = parseAddr(s)
  assert.ok(a, `${s} should parse`)
  return a
}
const P = (s: string) => {
  const p = parsePrefix(s)
  assert.ok(p, `${s} should parse`)
  return p
}

describe('IPv4 parsing and formatting', () => {
  test('parses dotted quads to their 32-bit value', () => {
    assert.deepEqual(parseAddr('10.0.0.1'), {family: 4, value: 0x0a000001n})
    assert.deepEqual(parseAddr('255.255.255.255'), {family: 4, value: 0xffffffffn})
    assert.deepEqual(parseAddr('0.0.0.0'), {family: 4, value: 0n})
    assert.deepEqual(parseAddr('192.168.22.1'), {family: 4, value: 0xc0a81601n})
  })
  test('formats back', () => {
    for (const s of ['10.0.0.1', '0.0.0.0', '255.255.255.255', '172.52.45.127', '1.2.3.4']) assert.equal(formatAddr(A(s)), s)
  })
  for (const bad of ['010.0.0.1', '10.0.0.01', '00.0.0.0', '256.0.0.1', '10.0.0', '10.0.0.1.2', '10..0.1', '', ' 10.0.0.1', '10.0.0.1 ', '1e1.0.0.1', '+1.0.0.1', '-1.0.0.1', '0x0a.0.0.1', '10.0.0.1/24', 'a.b.c.d']) {
    test(`rejects ${JSON.stringify(bad)}`, () => assert.equal(parseAddr(bad), null))
  }
  test('rejects non-strings', () => {
    assert.equal(parseAddr(undefined as unknown as string), null)
    assert.equal(parseAddr(167772161 as unknown as string), null)
    assert.equal(parsePrefix(null as unknown as string), null)
  })
})

describe('IPv6 parsing and RFC 5952 formatting', () => {
  const canonical: [string, string][] = [
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8::1', '2001:db8::1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['::', '::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['fe80:0:0:0:0:0:0:0', 'fe80::'],
    ['FE80::0001', 'fe80::1'],
    // A single zero group is not compressed (RFC 5952 4.2.2).
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ['::2:3:4:5:6:7:8', '0:2:3:4:5:6:7:8'],
    // The longest run is compressed (4.2.3) ...
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    // ... the first one on a tie.
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    // Leading zeros dropped, lower case (4.1, 4.3).
    ['2001:0DB8:00AB:000C::', '2001:db8:ab:c::'],
    // Embedded IPv4 in the last 32 bits is accepted on input.
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
  ]
  for (const [inp, want] of canonical) test(`${inp} → ${want}`, () => assert.equal(formatAddr(A(inp)), want))

  test('IPv4-mapped addresses print in mixed notation, as inet_ntop/iproute2 do (RFC 5952 §5)', () => {
    assert.equal(formatAddr(A('::ffff:1.2.3.4')), '::ffff:1.2.3.4')
    assert.equal(formatAddr(A('0:0:0:0:0:FFFF:0102:0304')), '::ffff:1.2.3.4')
  })
  test('value of an IPv6 address', () => {
    assert.deepEqual(parseAddr('::1'), {family: 6, value: 1n})
    assert.deepEqual(parseAddr('::ffff:1.2.3.4'), {family: 6, value: 0xffff01020304n})
    assert.equal(A('2001:db8::1').value, (0x20010db8n << 96n) | 1n)
  })
  for (const bad of [':::', '1::2::3', '12345::', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7::8', 'g::1', 'fe80::1%eth0', ':1:2:3:4:5:6:7', '1:2:3:4:5:6:7:', '::1.2.3', '::1.2.3.256', '::01.2.3.4', '1.2.3.4::', '::ffff:1.2.3.4:5', '2001:db8::1/64', '[::1]']) {
    test(`rejects ${JSON.stringify(bad)}`, () => assert.equal(parseAddr(bad), null))
  }
})

describe('prefixes', () => {
  test('parsePrefix takes the mask; without one /32 or /128', () => {
    assert.deepEqual(parsePrefix('10.0.0.5/24'), {family: 4, value: 0x0a000005n, len: 24})
    assert.deepEqual(parsePrefix('10.0.0.5'), {family: 4, value: 0x0a000005n, len: 32})
    assert.deepEqual(parsePrefix('2001:db8::1'), {family: 6, value: (0x20010db8n << 96n) | 1n, len: 128})
    assert.equal(parsePrefix('0.0.0.0/0')?.len, 0)
    assert.equal(parsePrefix('2001:db8::/128')?.len, 128)
  })
  test('requireMask refuses a bare address', () => {
    assert.equal(parsePrefix('10.0.0.5', {requireMask: true}), null)
    assert.equal(parsePrefix('10.0.0.5/32', {requireMask: true})?.len, 32)
  })
  for (const bad of ['10.0.0.1/33', '10.0.0.1/024', '10.0.0.1/', '10.0.0.1/-1', '10.0.0.1/ 24', '10.0.0.1/24/1', '10.0.0.1/2a', '2001:db8::/129', '2001:db8::/1000', '/24', '010.0.0.1/24', '10.0.0.1/0x10']) {
    test(`rejects prefix ${JSON.stringify(bad)}`, () => assert.equal(parsePrefix(bad), null))
  }
  test('formatPrefix is canonical', () => {
    assert.equal(formatPrefix(P('2001:DB8::0:1/64')), '2001:db8::1/64')
    assert.equal(formatPrefix(P('10.0.0.1')), '10.0.0.1/32')
  })
})

describe('network(), broadcast(), contains()', () => {
  test('network clears host bits, keeps the length', () => {
    assert.equal(formatPrefix(network(P('10.0.0.5/24'))), '10.0.0.0/24')
    assert.equal(formatPrefix(network(P('10.1.2.3/8'))), '10.0.0.0/8')
    assert.equal(formatPrefix(network(P('192.168.22.5/31'))), '192.168.22.4/31')
    assert.equal(formatPrefix(network(P('10.0.0.5/32'))), '10.0.0.5/32')
    assert.equal(formatPrefix(network(P('203.0.113.9/0'))), '0.0.0.0/0')
    assert.equal(formatPrefix(network(P('2001:db8:1:2:3:4:5:6/64'))), '2001:db8:1:2::/64')
    assert.equal(formatPrefix(network(P('2001:db8::1/0'))), '::/0')
  })
  test('broadcast sets host bits', () => {
    assert.equal(formatAddr(broadcast(P('10.0.0.5/24'))), '10.0.0.255')
    assert.equal(formatAddr(broadcast(P('10.0.0.5/30'))), '10.0.0.7')
    assert.equal(formatAddr(broadcast(P('10.0.0.5/32'))), '10.0.0.5')
    assert.equal(formatAddr(broadcast(P('0.0.0.0/0'))), '255.255.255.255')
    assert.equal(formatAddr(broadcast(P('2001:db8::/64'))), '2001:db8::ffff:ffff:ffff:ffff')
  })
  test('contains', () => {
    const net = P('10.0.0.1/24')
    assert.equal(contains(net, A('10.0.0.0')), true)
    assert.equal(contains(net, A('10.0.0.255')), true)
    assert.equal(contains(net, A('10.0.0.77')), true)
    assert.equal(contains(net, A('10.0.1.0')), false)
    assert.equal(contains(net, A('9.255.255.255')), false)
    assert.equal(contains(P('0.0.0.0/0'), A('203.0.113.1')), true)
    assert.equal(contains(P('10.0.0.1/32'), A('10.0.0.2')), false)
    assert.equal(contains(P('2001:db8::/32'), A('2001:db8:ffff::1')), true)
    assert.equal(contains(P('2001:db8::/32'), A('2001:db9::1')), false)
  })
  test('contains never mixes families', () => {
    assert.equal(contains(P('0.0.0.0/0'), A('::1')), false)
    assert.equal(contains(P('::/0'), A('10.0.0.1')), false)
    assert.equal(contains(P('::/96'), A('0.0.0.1')), false)
  })
})

describe('normalisation helpers', () => {
  test("normalizeNetwork('10.0.0.5/24') === '10.0.0.0/24'", () => assert.equal(normalizeNetwork('10.0.0.5/24'), '10.0.0.0/24'))
  test('normalizeNetwork: IPv6 canonical, bare address as host route, junk → null', () => {
    assert.equal(normalizeNetwork('2001:DB8:0:0:0:0:0:1/64'), '2001:db8::/64')
    assert.equal(normalizeNetwork('10.0.2.5'), '10.0.2.5/32')
    assert.equal(normalizeNetwork('0.0.0.0/0'), '0.0.0.0/0')
    assert.equal(normalizeNetwork('10.0.2.0/33'), null)
    assert.equal(normalizeNetwork('default'), null)
    assert.equal(normalizeNetwork(''), null)
  })
  test('normalizeCidr keeps host bits, adds the mask, canonicalises IPv6', () => {
    assert.equal(normalizeCidr('10.0.0.5/24'), '10.0.0.5/24')
    assert.equal(normalizeCidr('10.0.0.1'), '10.0.0.1/32')
    assert.equal(normalizeCidr('FE80::1/64'), 'fe80::1/64')
    assert.equal(normalizeCidr('2001:db8::1'), '2001:db8::1/128')
    assert.equal(normalizeCidr('10.0.0.1/33'), null)
  })
  test('normalizeAddr', () => {
    assert.equal(normalizeAddr('2001:DB8:0:0:0:0:0:1'), '2001:db8::1')
    assert.equal(normalizeAddr('130.0.0.1'), '130.0.0.1')
    assert.equal(normalizeAddr('130.0.0.1/24'), null)
    assert.equal(normalizeAddr('010.0.0.1'), null)
  })
})

describe('classification', () => {
  test('isMulticast', () => {
    assert.equal(isMulticast(A('224.0.0.1')), true)
    assert.equal(isMulticast(A('239.255.255.255')), true)
    assert.equal(isMulticast(A('223.255.255.255')), false)
    assert.equal(isMulticast(A('240.0.0.1')), false)
    assert.equal(isMulticast(A('ff02::1')), true)
    assert.equal(isMulticast(A('fe80::1')), false)
  })
  test('isUnspecified', () => {
    assert.equal(isUnspecified(A('0.0.0.0')), true)
    assert.equal(isUnspecified(A('::')), true)
    assert.equal(isUnspecified(A('0.0.0.1')), false)
  })
  test('isLinkLocal6', () => {
    assert.equal(isLinkLocal6(A('fe80::1')), true)
    assert.equal(isLinkLocal6(A('febf:ffff::1')), true)
    assert.equal(isLinkLocal6(A('fec0::1')), false)
    assert.equal(isLinkLocal6(A('169.254.0.1')), false)
  })
  test('sameAddr compares family and value', () => {
    assert.equal(sameAddr(A('2001:db8::1'), A('2001:DB8:0::1')), true)
    assert.equal(sameAddr(A('0.0.0.1'), A('::1')), false)
    assert.equal(sameAddr(P('10.0.0.1/24'), A('10.0.0.1')), true)
  })
})
