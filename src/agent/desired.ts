// Northbound items → the engine's desired model. Each source (etcd today; gRPC can be another) owns its keys; a
// value is checked against its key and validated, then the whole set semantically. A bad value is rejected with the
// key named; the key keeps its last valid value (never a blind delete of what it configured), the others go on.
import type {ItemError} from '../errors.js'
import {loadObjects} from '../config/load.js'
import {toDesired} from '../config/index.js'
import {validateConfig} from '../model/validate.js'
import {arpKey, interfaceKey, routeKey} from '../model/keys.js'
import type {Desired} from '../model/types.js'

export type Section = 'interfaces' | 'arp_entries' | 'routes'

/** One northbound item: its model key (config/linux/…), where it came from, its value as text. */
export interface NbItem {
  key: string
  source: string
  /** The key as the source names it (an etcd key), for log lines and errors. */
  origin: string
  value: string
}

const MODEL: [string, Section][] = [
  ['config/linux/interfaces/v2/interface/', 'interfaces'],
  ['config/linux/l3/v2/arp/', 'arp_entries'],
  ['config/linux/l3/v2/route/', 'routes'],
]

/** The section a model key belongs to, or null for keys lnx does not handle (iptables, VPP, …). */
export function sectionOf(key: string): Section | null {
  return MODEL.find(([p]) => key.startsWith(p))?.[1] ?? null
}

/** A model key in lnx's canonical form (ARP IP and route network normalised), to compare with the value's key. */
export function canonicalKey(key: string): string | null {
  for (const [p, s] of MODEL) {
    if (!key.startsWith(p)) continue
    const rest = key.slice(p.length)
    if (s === 'interfaces') return rest && !rest.includes('/') ? interfaceKey(rest) : null
    const i = rest.lastIndexOf('/')
    if (i <= 0) return null
    const [a, b] = [rest.slice(0, i), rest.slice(i + 1)]
    if (s === 'arp_entries') return a.includes('/') ? null : arpKey(a, b)
    return routeKey(a, b)
  }
  return null
}

export interface Rejection {
  key: string
  origin: string
  reason: string
}

export interface Built {
  desired: Desired
  /** Keys applied, by model key → origin. */
  applied: number
  rejected: Rejection[]
  warnings: ItemError[]
  /** Items as applied (raw values), for GET /configuration. */
  items: {section: Section; value: Record<string, unknown>}[]
}

/**
 * In `lastGood`, a key whose last valid state is "absent": deleted from the store. A bad value put on it later is
 * rejected and leaves it absent — neither its older value nor what the kernel still has may come back.
 */
const ABSENT = ''

/** The store deleted a key (an etcd delete event): its last valid state becomes "absent". */
export function forgetKey(lastGood: Map<string, string>, key: string): void {
  lastGood.set(key, ABSENT)
}

const first = (errs: ItemError[]) => errs.map((e) => `${e.path ? `${e.path}: ` : ''}${e.message}${e.hint ? ` (${e.hint})` : ''}`).join('; ')

/**
 * Builds the desired model from items. A rejected key falls back to `lastGood` (model key → value text, updated
 * with the values that pass), else to what the kernel has for it (`inKernel`).
 */
export async function buildDesired(items: NbItem[], lastGood: Map<string, string>, inKernel: (key: string) => Promise<string | undefined>): Promise<Built> {
  const rejected: Rejection[] = []
  let candidates: {item: NbItem; value: string; fallback: boolean}[] = []
  const fallbacks: Promise<void>[] = []
  const reject = (item: NbItem, reason: string) => {
    rejected.push({key: item.key, origin: item.origin, reason})
    const prev = lastGood.get(item.key)
    if (prev === ABSENT) return
    if (prev !== undefined && prev !== item.value) candidates.push({item, value: prev, fallback: true})
    // Never seen valid (e.g. a restart): keep what the kernel has for that key, so a typo cannot prune it.
    else if (prev === undefined) fallbacks.push(inKernel(item.key).then((v) => void (v !== undefined && candidates.push({item, value: v, fallback: true}))))
  }
  // Keys gone from the store since the last build are "absent" from now on (a resync, or events merged into one build).
  const present = new Set(items.map((i) => i.key))
  for (const k of lastGood.keys()) if (!present.has(k)) lastGood.set(k, ABSENT)
  for (const item of items) {
    const section = sectionOf(item.key)
    if (!section) continue
    let doc: unknown
    try {
      doc = JSON.parse(item.value)
    } catch (e) {
      reject(item, `value is not JSON: ${(e as Error).message}`)
      continue
    }
    const own = await loadObjects([{file: item.origin, doc: {[section]: [doc]}}])
    const located = section === 'interfaces' ? own.interfaces[0] : section === 'arp_entries' ? own.arps[0] : own.routes[0]
    const want = canonicalKey(item.key)
    if (located && !located.bad && want && located.key !== want) {
      reject(item, `key and value disagree: the value is ${located.key}`)
      continue
    }
    if (!want) {
      reject(item, 'malformed key')
      continue
    }
    candidates.push({item, value: item.value, fallback: false})
  }
  await Promise.all(fallbacks.splice(0))
  // Validate the whole set; drop the keys with errors (falling back to their last valid value) until it is clean.
  for (;;) {
    const loaded = await loadObjects(candidates.map((c) => ({file: c.item.origin, doc: {[sectionOf(c.item.key)!]: [JSON.parse(c.value)]}})))
    const {errors, warnings} = validateConfig(loaded)
    if (!errors.length) {
      for (const c of candidates) if (!c.fallback) lastGood.set(c.item.key, c.value)
      const items = candidates.map((c) => ({section: sectionOf(c.item.key)!, value: JSON.parse(c.value)}))
      return {desired: toDesired(loaded), applied: candidates.length, rejected, warnings, items}
    }
    const bad = new Map<string, ItemError[]>()
    for (const e of errors) bad.set(e.file, [...(bad.get(e.file) ?? []), e])
    const keep: typeof candidates = []
    const retry = candidates
    candidates = keep
    let dropped = 0
    for (const c of retry) {
      const errs = bad.get(c.item.origin)
      if (errs) dropped++
      if (!errs) keep.push(c)
      else if (c.fallback) rejected.push({key: c.item.key, origin: c.item.origin, reason: `its last valid value no longer fits: ${first(errs)}`})
      else reject(c.item, first(errs))
    }
    await Promise.all(fallbacks.splice(0))
    // Errors no key can be blamed for: refuse the whole set rather than apply a guess.
    if (!dropped) throw new Error(`the desired set does not validate: ${first(errors)}`)
  }
}
