// Character rules for names that end up in keys, aliases and `ip -batch` lines (docs/DESIGN.md, "The model").

/** Per ASCII code: 1 = allowed in a logical name, 2 = in a link/namespace name (NAME_CHARS), 3 = in both. */
const ALLOWED = new Uint8Array(128)
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c)
  if (/[A-Za-z0-9_.-]/.test(ch)) ALLOWED[c] |= 1
  if (/[A-Za-z0-9_.@+=,-]/.test(ch)) ALLOWED[c] |= 2
}

/** `s` is 1..max characters, each allowed by `mask`: the common case, checked without a regex or a UTF-8 count. */
function plainName(s: string, max: number, mask: number): boolean {
  const n = s.length
  if (n === 0 || n > max) return false
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i)
    if (c >= 128 || (ALLOWED[c] & mask) === 0) return false
  }
  return true
}

/** Logical names and labels: 1..63 bytes of [A-Za-z0-9_.-], not starting with "-" or ".". */
export function logicalNameProblem(s: string): string | null {
  if (plainName(s, 63, 1) && s.charCodeAt(0) !== 45 && s.charCodeAt(0) !== 46) return null
  if (s.length === 0) return 'must not be empty'
  if (Buffer.byteLength(s) > 63) return `is ${Buffer.byteLength(s)} bytes long; at most 63`
  const bad = s.match(/[^A-Za-z0-9_.-]/)
  if (bad) return `contains ${describeChar(bad[0])}; allowed are letters, digits, "_", "." and "-"`
  if (s[0] === '-' || s[0] === '.') return `must not start with "${s[0]}"`
  return null
}

/**
 * Characters a kernel link or namespace name may hold here: exactly what the executor's batch guard
 * (src/kernel/run.ts) lets through, less "/" and ":" (the kernel refuses them in link names). Anything else
 * (a "$", a quote, a non-ASCII letter) would pass validation and be refused mid-run.
 */
const NAME_CHARS = /[^A-Za-z0-9_.@+=,-]/u

/** Link names the kernel refuses: they collide with /proc/sys/net/ipv{4,6}/conf/{all,default}. */
const RESERVED_HOST = new Set(['all', 'default'])

/** Kernel link names (IFNAMSIZ): 1..15 bytes of the characters above, not "all"/"default", not starting with "-". */
export function hostNameProblem(s: string): string | null {
  if (plainName(s, 15, 2) && s.charCodeAt(0) !== 45 && s !== '.' && s !== '..' && !RESERVED_HOST.has(s)) return null
  if (s.length === 0) return 'must not be empty'
  if (Buffer.byteLength(s) > 15) return `is ${Buffer.byteLength(s)} bytes long; the kernel allows at most 15`
  if (s === '.' || s === '..') return `must not be "${s}"`
  const bad = s.match(NAME_CHARS)
  if (bad) return `contains ${describeChar(bad[0])}; a link name may hold ASCII letters, digits and _ . - @ + = , only`
  if (s[0] === '-') return 'must not start with "-" (iproute2 would read it as an option)'
  if (RESERVED_HOST.has(s)) return `is reserved: the kernel refuses "${s}" as a link name (it is a /proc/sys/net/*/conf entry)`
  return null
}

/** Named network namespaces: a plain file name under /run/netns, of the same characters as link names. */
export function nsNameProblem(s: string): string | null {
  if (s.length === 0) return 'must not be empty'
  if (Buffer.byteLength(s) > 255) return 'is longer than 255 bytes'
  if (s === '.' || s === '..') return `must not be "${s}"`
  const bad = s.match(NAME_CHARS)
  if (bad) return `contains ${describeChar(bad[0])}; a namespace name may hold ASCII letters, digits and _ . - @ + = , only`
  if (s[0] === '-') return 'must not start with "-"'
  // `ip netns del all` deletes every namespace of the host.
  if (s === 'all') return 'is reserved: iproute2 reads "all" as every namespace'
  return null
}

/** FD namespace references: an absolute path the executor can pass on (`netns PATH`, `nsenter --net=PATH`). */
export function nsPathProblem(s: string): string | null {
  if (!s.startsWith('/')) return 'is not an absolute path'
  const bad = s.match(/[^A-Za-z0-9_.\/@+=,-]/u)
  if (bad) return `contains ${describeChar(bad[0])}; a path may hold ASCII letters, digits and _ . - @ + = , / only`
  if (s.split('/').some((x) => x === '..')) return 'must not contain ".."'
  return null
}

function describeChar(c: string): string {
  if (c === ' ') return 'a space'
  if (/\s/.test(c)) return 'whitespace'
  if (/[\x00-\x1f\x7f]/.test(c)) return 'a control character'
  if (c.charCodeAt(0) > 0x7e) return `the non-ASCII character "${c}" (U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')})`
  return `"${c}"`
}

/** MAC: six hex octets separated by ":" (or "-"); returned lower-case with ":". */
export function parseMac(s: string): string | null {
  if (isCanonicalMac(s)) return s
  if (!/^([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$/.test(s)) return null
  return s.toLowerCase().replace(/-/g, ':')
}

/** Already lower-case with ":" (what a generated config holds): its own canonical form. */
function isCanonicalMac(s: string): boolean {
  if (s.length !== 17) return false
  for (let i = 0; i < 17; i++) {
    const c = s.charCodeAt(i)
    if (i % 3 === 2) {
      if (c !== 58) return false
    } else if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false
  }
  return true
}

export function macProblem(s: string): string | null {
  const m = parseMac(s)
  if (!m) return 'is not a MAC address (six hex octets, e.g. "02:00:00:00:00:01")'
  if (m === '00:00:00:00:00:00') return 'must not be all zeros'
  if (parseInt(m.slice(0, 2), 16) & 1) return 'is a multicast address (lowest bit of the first octet set); a link needs a unicast MAC'
  return null
}

/** Edit distance, for "did you mean" hints. */
export function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined
  let bestD = Infinity
  const w = word.toLowerCase()
  for (const c of candidates) {
    const d = levenshtein(w, c.toLowerCase())
    if (d < bestD) {
      bestD = d
      best = c
    }
  }
  return bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined
}

function levenshtein(a: string, b: string): number {
  const dp = Array.from({length: b.length + 1}, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]
    dp[0] = i
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]
      dp[j] = Math.min(dp[j] + 1, dp[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1))
      prev = tmp
    }
  }
  return dp[b.length]
}

/** FNV-1a, 32 bits, over the UTF-8 bytes (Go's hash/fnv New32a). */
export function fnv32a(s: string): number {
  let h = 0x811c9dc5
  for (const b of Buffer.from(s, 'utf8')) h = Math.imul(h ^ b, 0x01000193) >>> 0
  return h
}

/**
 * The Linux name VPP gives the tap of a VPP TAP interface that has no host_if_name: "tap-" + fnv32a of the VPP
 * interface's logical name (vpp-agent plugins/vpp/ifplugin/descriptor/interface.go, getTapHostName).
 */
export const vppGeneratedTapName = (vppLogicalName: string) => `tap-${fnv32a(vppLogicalName)}`

/**
 * Linux names a TAP_TO_VPP's tap may have in the default namespace, in lookup order: VPP's generated name first,
 * then vpp_tap_if_name itself (VPP's host_if_name set to the logical name, the seed's convention), then the
 * interface's own host name (VPP's host_if_name set to it, as in the vpp-agent's localclient tap example).
 */
export function vppTapCandidates(vppTap: string, hostName?: string): string[] {
  const out = [vppGeneratedTapName(vppTap)]
  for (const n of [vppTap, hostName]) if (n && !out.includes(n) && !hostNameProblem(n)) out.push(n)
  return out
}
