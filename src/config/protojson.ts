// What protojson accepts beyond plain JSON types, brought to the plain form before schema validation: `null` for a
// field means unset, and 32-bit integers may be quoted ("mtu": "1500"). The vpp-agent reads REST/agentctl/init-file
// input with protojson (YAML → JSON → protojson.Unmarshal), so its users write such documents.
import {MESSAGE_FIELDS} from '../model/generated.js'

const INT_KINDS = new Set(['uint32', 'int32'])
const INT_TEXT = /^-?(0|[1-9][0-9]*)$/
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

type Meta = (typeof MESSAGE_FIELDS)[string][string]
/** json_name or field name → what protojson input needs to know of the field, per message (built once). */
const NAMES = new Map<string, Map<string, {meta: Meta; int: boolean}>>()
function fieldsOf(message: string): Map<string, {meta: Meta; int: boolean}> {
  let m = NAMES.get(message)
  if (!m) {
    m = new Map()
    for (const [name, meta] of Object.entries(MESSAGE_FIELDS[message])) {
      const e = {meta, int: INT_KINDS.has(meta.kind)}
      m.set(name, e)
      m.set(meta.json, e)
    }
    NAMES.set(message, m)
  }
  return m
}

/**
 * A copy of `obj` (a `message`) without null fields and with quoted integers as numbers; `obj` itself when nothing
 * needs changing (the common case costs one pass and no allocation). Unknown fields are left for the schema to name.
 */
export function protojsonInput(message: string, obj: Record<string, unknown>): Record<string, unknown> {
  const fields = fieldsOf(message)
  let out: Record<string, unknown> | undefined
  for (const k in obj) {
    const v = obj[k]
    const e = fields.get(k)
    if (e === undefined) continue
    const f = e.meta
    let nv: unknown = v
    if (v === null) nv = undefined
    else if (typeof v === 'string') {
      if (e.int && INT_TEXT.test(v)) nv = Number(v)
    } else if (f.kind === 'message' && typeof v === 'object') {
      if (f.repeated && Array.isArray(v)) {
        let mapped: unknown[] | undefined
        for (let i = 0; i < v.length; i++) {
          const x = v[i]
          const y = isObj(x) ? protojsonInput(f.ref as string, x) : x
          if (y !== x) (mapped ??= v.slice())[i] = y
        }
        if (mapped) nv = mapped
      } else if (isObj(v)) nv = protojsonInput(f.ref as string, v)
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
