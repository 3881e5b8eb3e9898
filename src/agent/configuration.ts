// GET /configuration: the desired (northbound) config as agentctl prints it — protojson of the dynamic config
// (lowerCamelCase, enums by name, defaults omitted, fields in declaration order) under linuxConfig, between the
// empty netallocConfig and vppConfig groups lnx does not have, as YAML. Strings a YAML 1.1 reader would take for
// something else (MACs like 12:34:56:12:34:56 are base-60 numbers there) are quoted.
import {MESSAGE_FIELDS} from '../model/generated.js'
import {canonical} from '../config/load.js'
import type {Section} from './desired.js'

const MESSAGE: Record<Section, string> = {interfaces: 'Interface', arp_entries: 'ARPEntry', routes: 'Route'}

/** Canonical (snake_case) object → protojson object in field declaration order, defaults left out. */
export function protoJson(message: string, obj: Record<string, any>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [name, f] of Object.entries(MESSAGE_FIELDS[message])) {
    const v = obj[name]
    if (v === undefined || v === null) continue
    if (f.repeated) {
      if (!Array.isArray(v) || !v.length) continue
      out[f.json] = f.kind === 'message' ? v.map((x) => protoJson(f.ref as string, x)) : v
      continue
    }
    if (f.kind === 'message') out[f.json] = protoJson(f.ref as string, v)
    else if (f.kind === 'enum') {
      if (v !== 0 && v !== 'UNDEFINED' && (f.ref as Record<string, number>)[v] !== 0) out[f.json] = v
    } else if (v !== '' && v !== false && v !== 0) out[f.json] = v
  }
  return out
}

export async function configurationYaml(items: {section: Section; value: Record<string, unknown>}[]): Promise<string> {
  const linux: Record<string, unknown[]> = {}
  for (const s of ['interfaces', 'arp_entries', 'routes'] as Section[]) {
    const mine = items.filter((i) => i.section === s).map((i) => protoJson(MESSAGE[s], canonical(MESSAGE[s], i.value)))
    if (mine.length) linux[MESSAGE_FIELDS.ConfigData[s].json] = mine
  }
  const {stringify} = await import('yaml')
  return stringify({netallocConfig: {}, linuxConfig: linux, vppConfig: {}}, {version: '1.1', lineWidth: 0, indentSeq: false})
}
