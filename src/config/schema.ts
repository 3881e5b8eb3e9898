// JSON Schema validation (ajv) of raw documents, with errors turned into ItemErrors.
import {readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import type {ErrorObject, ValidateFunction} from 'ajv'
import {closest} from '../model/names.js'

export type SchemaName = 'config' | 'interface' | 'arp' | 'route'
export const SCHEMA_NAMES: SchemaName[] = ['config', 'interface', 'arp', 'route']

export const schemasDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'schemas')

export function readSchema(name: SchemaName): Record<string, unknown> {
  return JSON.parse(readFileSync(join(schemasDir, `${name}.schema.json`), 'utf8'))
}

// Validators precompiled by `npm run gen` (ajv standalone, from the same schemas): loaded on first use.
let compiled: Record<string, ValidateFunction> | undefined

export async function loadValidators(): Promise<void> {
  compiled ??= (await import('./validators.generated.js')) as unknown as Record<string, ValidateFunction>
}

function validator(name: SchemaName): ValidateFunction {
  if (!compiled) throw new Error('validators not loaded (call loadValidators first)')
  return compiled[`validate_${name}`]
}

export interface SchemaProblem {
  /** JSON pointer segments of the offending value inside the validated document. */
  at: string[]
  message: string
  hint?: string
}

export function schemaProblems(name: SchemaName, doc: unknown): SchemaProblem[] {
  const v = validator(name)
  if (v(doc)) return []
  const out: SchemaProblem[] = []
  const seen = new Set<string>()
  for (const e of v.errors ?? []) {
    const p = describe(e, doc)
    if (!p) continue
    const id = `${p.at.join('/')}|${p.message}`
    if (seen.has(id)) continue
    seen.add(id)
    out.push(p)
  }
  return out
}

const segs = (ptr: string) =>
  ptr === '' ? [] : ptr.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))

function valueAt(doc: unknown, at: string[]): unknown {
  let v: any = doc
  for (const s of at) v = v?.[s]
  return v
}

const typeName = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v)

/** Field names (both spellings) allowed where an unknown property was found, for "did you mean". */
function allowedAt(e: ErrorObject): string[] {
  const props = (e.parentSchema as any)?.properties
  return props ? Object.keys(props) : []
}

function describe(e: ErrorObject, doc: unknown): SchemaProblem | null {
  const at = segs(e.instancePath)
  const got = valueAt(doc, at)
  switch (e.keyword) {
    case 'additionalProperties': {
      const field = (e.params as any).additionalProperty as string
      const allowed = allowedAt(e)
      const guess = closest(field, allowed)
      return {
        at: [...at, field],
        message: `unknown field "${field}"`,
        hint: guess ? `did you mean "${guess}"?` : allowed.length ? `known fields: ${allowed.filter((f) => !/[A-Z]/.test(f)).join(', ')}` : undefined,
      }
    }
    case 'enum': {
      const names = ((e.params as any).allowedValues as unknown[]).filter((x) => typeof x === 'string') as string[]
      const guess = typeof got === 'string' ? closest(got, names) : undefined
      return {
        at,
        message: `${JSON.stringify(got)} is not one of ${names.join(', ')}`,
        hint: guess ? `did you mean ${guess}?` : 'enums are accepted by name or by number',
      }
    }
    case 'type':
      return {at, message: `must be ${article((e.params as any).type)} (got ${typeName(got)})`}
    case 'minimum':
    case 'maximum':
      return {at, message: `must be ${e.keyword === 'minimum' ? '≥' : '≤'} ${(e.params as any).limit} (got ${got})`}
    case 'multipleOf':
      return {at, message: 'must be an integer'}
    case 'pattern':
      return {at, message: `does not match ${(e.params as any).pattern}`}
    case '$ref':
      return null
    default:
      return {at, message: e.message ?? 'is invalid'}
  }
}

const article = (t: string) => (t === 'integer' || t === 'array' || t === 'object' ? `an ${t}` : `a ${t}`)
