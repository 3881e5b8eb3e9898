// Strict IP address and prefix handling (no leading zeros, no zone ids), with BigInt arithmetic so that IPv4 and
// IPv6 share one code path. Canonical IPv6 text follows RFC 5952, as iproute2 prints it.

export type Family = 4 | 6

export interface Addr {
  family: Family
  value: bigint
}

export interface Prefix extends Addr {
  len: number
}

const bits = (f: Family) => (f === 4 ? 32 : 128)

/** Dotted quad (no leading zeros) with an optional /len; plain numbers, no BigInt: the hot path of big hosts. */
/** Dotted quad (no leading zeros) with an optional /len; a character scan with plain numbers (no regex, no BigInt): the
 * hot path of big configs and hosts. */
function v4(s: string): {value: number; len: number; masked: boolean} | null {
  const n = s.length
  let i = 0
  let value = 0
  for (let part = 0; part < 4; part++) {
    if (part > 0) {
      if (s.charCodeAt(i) !== 46) return null
      i++
    }
    const start = i
    let octet = 0
    while (i < n && i - start < 4) {
      const c = s.charCodeAt(i)
      if (c < 48 || c > 57) break
      octet = octet * 10 + (c - 48)
      i++
    }
    const digits = i - start
    if (digits === 0 || digits > 3 || (digits > 1 && s.charCodeAt(start) === 48) || octet > 255) return null
    value = value * 256 + octet
  }
  if (i === n) return {value, len: 32, masked: false}
  if (s.charCodeAt(i) !== 47) return null
  i++
  const start = i
  let len = 0
  while (i < n) {
    const c = s.charCodeAt(i)
    if (c < 48 || c > 57 || i - start >= 2) return null
    len = len * 10 + (c - 48)
    i++
  }
  const digits = i - start
  if (digits === 0 || (digits > 1 && s.charCodeAt(start) === 48) || len > 32) return null
  return {value, len, masked: true}
}

function parse4(s: string): bigint | null {
  const f = v4(s)
  return f && !f.masked ? BigInt(f.value) : null
}

function parse6(s: string): bigint | null {
  if (!/^[0-9A-Fa-f:.]+$/.test(s)) return null
  let tail4: bigint | null = null
  let str = s
  const lastColon = s.lastIndexOf(':')
  if (s.includes('.')) {
    tail4 = parse4(s.slice(lastColon + 1))
    if (tail4 === null) return null
    str = s.slice(0, lastColon + 1) + '0:0'
  }
  const halves = str.split('::')
  if (halves.length > 2) return null
  const groups = (h: string) => (h === '' ? [] : h.split(':'))
  const head = groups(halves[0])
  const tail = halves.length === 2 ? groups(halves[1]) : []
  const total = head.length + tail.length
  if (halves.length === 1 ? total !== 8 : total > 7) return null
  const all = [...head, ...Array(8 - total).fill('0'), ...tail]
  let v = 0n
  for (const g of all) {
    if (!/^[0-9A-Fa-f]{1,4}$/.test(g)) return null
    v = (v << 16n) | BigInt(parseInt(g, 16))
  }
  if (tail4 !== null) v = (v & ~0xffffffffn) | tail4
  return v
}

// Memo tables: the same addresses and networks come back many times (config, kernel dumps, planning).
const addrMemo = new Map<string, Addr | null>()
const prefixMemo = new Map<string, Prefix | null>()
const MEMO_MAX = 1 << 20
const remember = <T>(m: Map<string, T>, k: string, v: T): T => {
  if (m.size > MEMO_MAX) m.clear()
  m.set(k, v)
  return v
}

export function parseAddr(s: string): Addr | null {
  if (typeof s !== 'string') return null
  const hit = addrMemo.get(s)
  if (hit !== undefined) return hit
  return remember(addrMemo, s, parseAddrUncached(s))
}

function parseAddrUncached(s: string): Addr | null {
  const v4 = parse4(s)
  if (v4 !== null) return {family: 4, value: v4}
  if (s.includes(':')) {
    const v6 = parse6(s)
    if (v6 !== null) return {family: 6, value: v6}
  }
  return null
}

/** "10.0.0.1/24" → prefix; without a mask → /32 or /128 (the vpp-agent's rule). */
export function parsePrefix(s: string, opts: {requireMask?: boolean} = {}): Prefix | null {
  if (typeof s !== 'string') return null
  if (opts.requireMask && !s.includes('/')) return null
  const hit = prefixMemo.get(s)
  if (hit !== undefined) return hit
  return remember(prefixMemo, s, parsePrefixUncached(s))
}

function parsePrefixUncached(s: string): Prefix | null {
  const f = v4(s)
  if (f) return {family: 4, value: BigInt(f.value), len: f.len}
  const slash = s.indexOf('/')
  const a = parseAddr(slash < 0 ? s : s.slice(0, slash))
  if (!a) return null
  if (slash < 0) return {...a, len: bits(a.family)}
  const m = s.slice(slash + 1)
  if (!/^(0|[1-9][0-9]{0,2})$/.test(m)) return null
  const len = Number(m)
  if (len > bits(a.family)) return null
  return {...a, len}
}

const MASKS: Record<Family, bigint[]> = {
  4: Array.from({length: 33}, (_, len) => ((1n << 32n) - 1n) ^ ((1n << BigInt(32 - len)) - 1n)),
  6: Array.from({length: 129}, (_, len) => ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - len)) - 1n)),
}
const mask = (f: Family, len: number) => MASKS[f][len]

export function network(p: Prefix): Prefix {
  return {family: p.family, len: p.len, value: p.value & mask(p.family, p.len)}
}

export function broadcast(p: Prefix): Addr {
  return {family: p.family, value: p.value | (((1n << BigInt(bits(p.family))) - 1n) ^ mask(p.family, p.len))}
}

/**
 * Where address `a` sits in prefix `p`: its network or broadcast address, another address inside it, or outside (or
 * another family). IPv4 in plain numbers: validation asks this of every route's gateway against its link's addresses.
 */
export function placeIn(p: Prefix, a: Addr): 'network' | 'broadcast' | 'inside' | 'outside' {
  if (p.family !== a.family) return 'outside'
  if (p.family === 4) {
    const block = BLOCK[p.len]
    const pv = Number(p.value)
    const av = Number(a.value)
    const net = pv - (pv % block)
    if (av < net || av >= net + block) return 'outside'
    return av === net ? 'network' : av === net + block - 1 ? 'broadcast' : 'inside'
  }
  if (!contains(p, a)) return 'outside'
  return sameAddr(network(p), a) ? 'network' : sameAddr(broadcast(p), a) ? 'broadcast' : 'inside'
}

export function contains(p: Prefix, a: Addr): boolean {
  return p.family === a.family && (a.value & mask(p.family, p.len)) === (p.value & mask(p.family, p.len))
}

const v4text = (v: number) => `${Math.floor(v / 16777216) % 256}.${Math.floor(v / 65536) % 256}.${Math.floor(v / 256) % 256}.${v % 256}`

export function formatAddr(a: Addr): string {
  if (a.family === 4) return v4text(Number(a.value))
  // IPv4-mapped addresses print as iproute2 (inet_ntop) prints them: ::ffff:1.2.3.4.
  if (a.value >> 32n === 0xffffn) return `::ffff:${formatAddr({family: 4, value: a.value & 0xffffffffn})}`
  const g: number[] = []
  for (let i = 7; i >= 0; i--) g.push(Number((a.value >> BigInt(i * 16)) & 0xffffn))
  // Longest run of two or more zero groups becomes "::" (leftmost on ties).
  let best = -1
  let bestLen = 1
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && g[j] === 0) j++
    if (j - i > bestLen) {
      best = i
      bestLen = j - i
    }
    i = j
  }
  const hex = (xs: number[]) => xs.map((x) => x.toString(16)).join(':')
  if (best < 0) return hex(g)
  return `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`
}

export const formatPrefix = (p: Prefix) => `${formatAddr(p)}/${p.len}`

export const isLinkLocal6 = (a: Addr) => a.family === 6 && a.value >> 118n === 0x3fan

// Range comparisons, not shifts: a BigInt shift allocates, and validation asks this of every address.
const V4_MCAST_LO = 0xe0000000n
const V4_MCAST_HI = 0xefffffffn
const V6_MCAST_LO = 0xffn << 120n

export function isMulticast(a: Addr): boolean {
  return a.family === 4 ? a.value >= V4_MCAST_LO && a.value <= V4_MCAST_HI : a.value >= V6_MCAST_LO
}

export const isUnspecified = (a: Addr) => a.value === 0n

export const sameAddr = (a: Addr, b: Addr) => a.family === b.family && a.value === b.value

/** "10.0.0.5/24" → "10.0.0.0/24"; IPv6 canonical. null when unparsable. */

/** Addresses in an IPv4 prefix of each length (2 ** (32 - len)), without a Math.pow per call. */
const BLOCK = Array.from({length: 33}, (_, len) => 2 ** (32 - len))

// IPv4 text is answered by a character scan, without the memo tables: cheaper than hashing the string into a Map
// (and keeping every network of a big config alive). A strict dotted quad (no leading zeros) is its own canonical
// text; IPv6 keeps the memo (its parse is costly).
const netMemo = new Map<string, string | null>()
export function normalizeNetwork(s: string): string | null {
  const f = v4(s)
  if (f) {
    if (!f.masked) return `${s}/32`
    const block = BLOCK[f.len]
    const rest = f.value % block
    return rest === 0 ? s : `${v4text(f.value - rest)}/${f.len}`
  }
  const hit = netMemo.get(s)
  if (hit !== undefined) return hit
  const p = parsePrefix(s)
  return remember(netMemo, s, p ? formatPrefix(network(p)) : null)
}

/** Canonical text of an address with its mask ("FE80::1/64" → "fe80::1/64", "10.0.0.1" → "10.0.0.1/32"). */
const cidrMemo = new Map<string, string | null>()
export function normalizeCidr(s: string): string | null {
  const f = v4(s)
  if (f) return f.masked ? s : `${s}/32`
  const hit = cidrMemo.get(s)
  if (hit !== undefined) return hit
  const p = parsePrefix(s)
  return remember(cidrMemo, s, p ? formatPrefix(p) : null)
}

const addrTextMemo = new Map<string, string | null>()
export function normalizeAddr(s: string): string | null {
  // A dotted quad that parses (no leading zeros) is its own canonical text.
  const f = v4(s)
  if (f) return f.masked ? null : s
  const hit = addrTextMemo.get(s)
  if (hit !== undefined) return hit
  const a = parseAddr(s)
  return remember(addrTextMemo, s, a ? formatAddr(a) : null)
}

/**
 * An ARP entry's IP: an address, or an address with a mask as the vpp-agent also takes (l3plugin arp.go parses it
 * with netalloc's ParseIPAddr and keeps the address): canonical address text, or null.
 */
export function normalizeNeighAddr(s: string): string | null {
  const slash = typeof s === 'string' ? s.indexOf('/') : -1
  if (slash < 0) return normalizeAddr(s)
  return parsePrefix(s) ? normalizeAddr(s.slice(0, slash)) : null
}
