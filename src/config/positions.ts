// Where a value sits in a config text: line and column for error messages. Computed only when there is something
// to report, from js-yaml's event stream (source offsets, no document tree) — JSON is YAML here too — so the
// fast path (JSON.parse, js-yaml's loader) never pays for positions.
import {loadJsYaml} from './source.js'

/** Where an item or field came from: the document's index in its file and the path of keys (as written) to it. */
export interface SourcePath {
  doc: number
  at: string[]
}

/** Field names are compared in snake_case: a file may spell them in lowerCamelCase. */
const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
const id = (doc: number, at: string[]) => `${doc}\u0000${at.map(snake).join('\u0000')}`

/** "veth.peer_if_name", "ip_addresses[1]" → path segments. */
export const pathSegments = (path: string): string[] => path.match(/[^.[\]]+/g) ?? []

/** The source path of a field of an item ("veth.peer_if_name", "ip_addresses[1]"), for ItemError.src. */
export const fieldSource = (l: {origin?: SourcePath}, path: string): SourcePath | undefined =>
  l.origin ? {doc: l.origin.doc, at: [...l.origin.at, ...pathSegments(path)]} : undefined

export type Locate = (p: SourcePath) => {line: number; column: number} | undefined

/**
 * A locator for one text. A path that is not in the text (a missing field) is located at its nearest ancestor that
 * is (the item). Mapping values are located at their key: that is the line an editor should jump to.
 */
export async function locator(text: string): Promise<Locate> {
  const y = await loadJsYaml()
  let events: ReturnType<typeof y.parseEvents>
  try {
    events = y.parseEvents(text, {})
  } catch {
    return () => undefined
  }
  const E = y.EVENT_ID
  const offsets = new Map<string, number>()
  type Frame = {kind: 'doc' | 'map' | 'seq'; path: string[] | null; index: number; expectKey: boolean; key: string | null; keyAt: number}
  const stack: Frame[] = []
  let doc = -1
  const record = (path: string[] | null, at: number) => {
    if (!path) return
    const k = id(doc, path)
    if (!offsets.has(k)) offsets.set(k, at)
  }
  for (const ev of events) {
    if (ev.type === E.DOCUMENT) {
      doc++
      stack.push({kind: 'doc', path: [], index: 0, expectKey: false, key: null, keyAt: 0})
      continue
    }
    if (ev.type === E.POP) {
      stack.pop()
      continue
    }
    const start = nodeStart(ev as any)
    const parent = stack[stack.length - 1]
    let path: string[] | null = null
    if (!parent) continue
    if (parent.kind === 'doc') {
      path = []
      record(path, start)
    } else if (parent.kind === 'seq') {
      path = parent.path ? [...parent.path, String(parent.index)] : null
      parent.index++
      record(path, start)
    } else if (parent.expectKey) {
      parent.expectKey = false
      parent.key = ev.type === E.SCALAR ? y.getScalarValue(text, ev as any) : null
      parent.keyAt = start
      // A complex key (a mapping or list as key) has no address: its contents are skipped.
      if (ev.type === E.MAPPING || ev.type === E.SEQUENCE) stack.push({kind: ev.type === E.MAPPING ? 'map' : 'seq', path: null, index: 0, expectKey: true, key: null, keyAt: 0})
      continue
    } else {
      parent.expectKey = true
      path = parent.path && parent.key !== null ? [...parent.path, parent.key] : null
      record(path, parent.keyAt)
    }
    if (ev.type === E.MAPPING) stack.push({kind: 'map', path, index: 0, expectKey: true, key: null, keyAt: 0})
    else if (ev.type === E.SEQUENCE) stack.push({kind: 'seq', path, index: 0, expectKey: false, key: null, keyAt: 0})
  }
  const lines = lineStarts(text)
  return ({doc: d, at}) => {
    for (let n = at.length; n >= 0; n--) {
      const off = offsets.get(id(d, at.slice(0, n)))
      if (off === undefined) continue
      let lo = 0
      let hi = lines.length - 1
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1
        if (lines[mid] <= off) lo = mid
        else hi = mid - 1
      }
      return {line: lo + 1, column: off - lines[lo] + 1}
    }
    return undefined
  }
}

function nodeStart(ev: {start?: number; valueStart?: number; anchorStart: number; tagStart: number; style?: number}): number {
  // Quoted scalars start at their quote; an anchor ("&a") or tag before the node starts it.
  let at = ev.start ?? (ev.valueStart !== undefined ? ev.valueStart - (ev.style === 2 || ev.style === 3 ? 1 : 0) : Infinity)
  if (ev.anchorStart >= 0) at = Math.min(at, ev.anchorStart - 1)
  if (ev.tagStart >= 0) at = Math.min(at, ev.tagStart)
  return Number.isFinite(at) ? Math.max(0, at) : 0
}

function lineStarts(text: string): number[] {
  const out = [0]
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) out.push(i + 1)
  return out
}
