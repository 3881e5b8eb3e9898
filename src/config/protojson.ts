// What protojson accepts beyond plain JSON types, brought to the plain form before schema validation: `null` for a
// field means unset, and 32-bit integers may be quoted ("mtu": "1500"). The vpp-agent reads REST/agentctl/init-file
// input with protojson (YAML → JSON → protojson.Unmarshal), so its users write such documents.
import {MESSAGE_FIELDS} from '../model/generated.js'

const INT_KINDS = new Set(['uint32', 'int32'])
const INT_TEXT = /^-?(0|[1-9][0-9]*)$/
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** json_name or field name → field name, per message. */
const NAMES = new Map<string, Map<string, string>>()
function fieldName(message: string, key: string): string | undefined {
  let m = NAMES.get(message)
  if (!m) {
    m = new Map()
    for (const [name, f] of Object.entries(MESSAGE_FIELDS[message])) {
      m.set(name, name)
      m.set(f.json, name)
    }
    NAMES.set(message, m)
  }
  return m.get(key)
}

/**
 * A copy of `obj` (a `message`) without null fields and with quoted integers as numbers; `obj` itself when nothing
 * needs changing (the common case costs one pass and no allocation). Unknown fields are left for the schema to name.
 */
export function protojsonInput(message: string, obj: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | undefined
  for (const k in obj) {
    const v = obj[k]
    const name = fieldName(message, k)
    if (!name) continue
    const f = MESSAGE_FIELDS[message][name]
    let nv: unknown = v
    if (v === null) nv = undefined
    else if (INT_KINDS.has(f.kind) && typeof v === 'string' && INT_TEXT.test(v)) nv = Number(v)
    else if (f.kind === 'message') {
      const one = (x: unknown) => (isObj(x) ? protojsonInput(f.ref as string, x) : x)
      if (f.repeated && Array.isArray(v)) {
        const mapped = v.map(one)
        if (mapped.some((x, i) => x !== v[i])) nv = mapped
      } else nv = one(v)
    }
    if (nv === v) continue
    out ??= {...obj}
    if (nv === undefined) delete out[k]
    else out[k] = nv
  }
  return out ?? obj
}

/** A top-level section that asks for nothing: absent, null or {}. */
export const emptySection = (v: unknown) => v === null || v === undefined || (isObj(v) && Object.keys(v).length === 0)
