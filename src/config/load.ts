// Loading config documents: files or stdin, YAML 1.2 core or JSON, several documents, all merged.
// Forms: ConfigData, agentctl's {linuxConfig|linux_config: ConfigData}, or one bare item as stored under an
// etcd key. Output: canonical items (snake_case, enums by name) with where they came from, plus errors.
import type {ARPEntry, Interface, Route} from '../model/generated.js'
import {MESSAGE_FIELDS} from '../model/generated.js'
import type {ItemError} from '../errors.js'
import {LnxError} from '../errors.js'
import {arpKey, interfaceKey, routeKey} from '../model/keys.js'
import {loadValidators, schemaProblems, type SchemaName, type SchemaProblem} from './schema.js'
import {fileLabel, newBudget, parseText, readAllStdin, readSource, STDIN, withoutBom} from './source.js'
import {locator, pathSegments, type SourcePath} from './positions.js'
import {emptySection, protojsonInput} from './protojson.js'

export interface Located<T> {
  item: T
  file: string
  /** Position in the file, e.g. "interfaces[2]" or "document 2". */
  where: string
  key: string
  /** The item failed schema validation; semantic checks skip it. */
  bad: boolean
  /** Its place in the file's text (files only), for line numbers in errors. */
  origin?: SourcePath
}

export interface LoadedConfig {
  interfaces: Located<Interface>[]
  arps: Located<ARPEntry>[]
  routes: Located<Route>[]
  errors: ItemError[]
  /** The text of each file (by its label), kept to locate errors; a config with no errors never parses it again. */
  texts: Map<string, string>
}

type Section = 'interfaces' | 'arp_entries' | 'routes'
const SECTION_MESSAGE: Record<Section, string> = {interfaces: 'Interface', arp_entries: 'ARPEntry', routes: 'Route'}
const SECTION_SCHEMA: Record<Section, SchemaName> = {interfaces: 'interface', arp_entries: 'arp', routes: 'route'}
const SECTION_ALIASES: Record<string, Section> = {interfaces: 'interfaces', arp_entries: 'arp_entries', arpEntries: 'arp_entries', routes: 'routes'}
const WRAPPERS = ['linuxConfig', 'linux_config']
/** Sections of the vpp-agent's Config lnx does not configure: an empty one is ignored, any content refused. */
const VPP = ['vppConfig', 'vpp_config', 'netallocConfig', 'netalloc_config']

export {STDIN, readAllStdin, readSource}

export async function loadConfig(files: string[], readStdin: (max: number) => Promise<string> = readAllStdin): Promise<LoadedConfig> {
  const cfg: LoadedConfig = {interfaces: [], arps: [], routes: [], errors: [], texts: new Map()}
  await loadValidators()
  if (files.filter((f) => f === STDIN).length > 1) throw new LnxError('INVALID', '-f - (standard input) given more than once')
  const budget = newBudget()
  for (const file of files) {
    const text = withoutBom(await readSource(file, readStdin, budget))
    const {docs, json} = await parseText(text, file)
    cfg.texts.set(fileLabel(file), text)
    const plain = json && protojsonPlainJson(text)
    docs.forEach((doc, i) => addDocument(cfg, doc, fileLabel(file), docs.length > 1 ? `document ${i + 1}` : '', i, plain))
  }
  checkDuplicates(cfg)
  return cfg
}

/** The same, for documents built in memory (imperative commands): `file` names where they came from. */
export async function loadObjects(docs: {file: string; doc: unknown}[]): Promise<LoadedConfig> {
  const cfg: LoadedConfig = {interfaces: [], arps: [], routes: [], errors: [], texts: new Map()}
  await loadValidators()
  for (const {file, doc} of docs) addDocument(cfg, doc, file, '')
  checkDuplicates(cfg)
  return cfg
}

/** Sets line and column on every problem whose file text lnx read (one pass over each file that has problems). */
export async function locateProblems(cfg: LoadedConfig, problems: ItemError[]): Promise<void> {
  const byFile = new Map<string, ItemError[]>()
  for (const p of problems) {
    if (!p.src || p.line !== undefined || !cfg.texts.has(p.file)) continue
    const list = byFile.get(p.file)
    if (list) list.push(p)
    else byFile.set(p.file, [p])
  }
  for (const [file, list] of byFile) {
    const locate = await locator(cfg.texts.get(file)!)
    for (const p of list) {
      const at = locate(p.src!)
      if (at) Object.assign(p, at)
    }
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const join = (a: string, b: string) => (a ? `${a}: ${b}` : b)

/** Recognises a bare item by its fields. */
function bareKind(doc: Record<string, unknown>): Section | null {
  const has = (...ks: string[]) => ks.some((k) => k in doc)
  if (has('outgoing_interface', 'outgoingInterface', 'dst_network', 'dstNetwork', 'gw_addr', 'gwAddr')) return 'routes'
  if (has('hw_address', 'hwAddress', 'ip_address', 'ipAddress') || ('interface' in doc && !('name' in doc))) return 'arp_entries'
  if (has('name', 'type', 'host_if_name', 'hostIfName', 'veth', 'tap', 'ip_addresses', 'ipAddresses')) return 'interfaces'
  return null
}

/**
 * Integer fields given as JSON strings ("mtu": "1500"), for the text check below: every spelling of every
 * 32-bit integer field the model has.
 */
const INT_AS_STRING = new RegExp(`"(?:${Object.values(MESSAGE_FIELDS).flatMap((fs) => Object.entries(fs).filter(([, m]) => m.kind === 'uint32' || m.kind === 'int32').flatMap(([n, m]) => [n, m.json])).join('|')})"\\s*:\\s*"`)

/**
 * JSON text in which protojson's input rules have nothing to change: no null anywhere, no integer field given as a
 * string, no \u escape that could spell a field name the check would miss. Such a document skips the walk over
 * every item (protojsonDocument); anything else takes it.
 */
const protojsonPlainJson = (text: string) => !text.includes('null') && !text.includes('\\u') && !INT_AS_STRING.test(text)

function addDocument(cfg: LoadedConfig, raw: unknown, file: string, docWhere: string, docIndex?: number, protojsonPlain = false) {
  if (raw === null || raw === undefined) return
  const doc = isObj(raw) && !protojsonPlain ? protojsonDocument(raw) : raw
  const src = (at: string[]): SourcePath | undefined => (docIndex === undefined ? undefined : {doc: docIndex, at})
  const docErr = (message: string, hint?: string, at: string[] = []) =>
    cfg.errors.push({file, key: '', path: docWhere, message, ...(hint ? {hint} : {}), src: src(at)})
  if (!isObj(doc)) {
    docErr(`a config document must be a mapping, not ${Array.isArray(doc) ? 'a list' : typeof doc}`,
      'use {interfaces: [...], arp_entries: [...], routes: [...]}')
    return
  }
  for (const v of VPP) {
    if (v in doc && !emptySection(doc[v])) docErr(`"${v}" is not supported by lnx: lnx configures Linux networking only`,
      v.startsWith('netalloc') ? 'write the addresses into the interfaces instead of allocating them; an empty section is ignored' : 'apply the VPP part with the vpp-agent; keep linuxConfig here', [v])
  }
  const isConfig = Object.keys(doc).some((k) => k in SECTION_ALIASES || WRAPPERS.includes(k) || k === 'foreign' || VPP.includes(k))
  if (isConfig) {
    const sansVpp = Object.fromEntries(Object.entries(doc).filter(([k]) => !VPP.includes(k)))
    const problems = schemaProblems('config', sansVpp)
    addConfigData(cfg, sansVpp, file, docWhere, [], problems, src)
    for (const w of WRAPPERS) if (isObj(doc[w])) addConfigData(cfg, doc[w] as Record<string, unknown>, file, docWhere, [w], problems, src)
    // Problems not inside an item (e.g. an unknown top-level section).
    for (const p of problems.filter((p) => !isItemPath(p.at))) {
      cfg.errors.push({file, key: '', path: join(docWhere, fmtPath(p.at)), message: p.message, ...(p.hint ? {hint: p.hint} : {}), src: src(p.at)})
    }
    return
  }
  const kind = bareKind(doc)
  if (!kind) {
    docErr('not a config document: expected interfaces/arp_entries/routes, linuxConfig, or one Interface, ARPEntry or Route',
      `found fields: ${Object.keys(doc).join(', ') || 'none'}`)
    return
  }
  const item = protojsonInput(SECTION_MESSAGE[kind], doc)
  const problems = schemaProblems(SECTION_SCHEMA[kind], item)
  addItem(cfg, kind, item, file, docWhere || 'document', -1, problems, src([]))
}

/** protojson's input rules (null = unset, quoted integers) applied to a config document's sections and wrappers. */
function protojsonDocument(doc: Record<string, unknown>): Record<string, unknown> {
  if (!Object.keys(doc).some((k) => k in SECTION_ALIASES || WRAPPERS.includes(k))) return doc
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(doc)) {
    if (v === null && (k in SECTION_ALIASES || WRAPPERS.includes(k))) continue
    out[k] = WRAPPERS.includes(k) && isObj(v) ? protojsonInput('ConfigData', v) : k in SECTION_ALIASES && Array.isArray(v) ? (protojsonInput('ConfigData', {[k]: v})[k] ?? v) : v
  }
  return out
}

const isItemPath = (at: string[]) => {
  const i = WRAPPERS.includes(at[0]) ? 1 : 0
  return at[i] in SECTION_ALIASES && at.length > i + 1 && /^\d+$/.test(at[i + 1])
}

function addConfigData(cfg: LoadedConfig, data: Record<string, unknown>, file: string, docWhere: string, prefix: string[], problems: ReturnType<typeof schemaProblems>, src: (at: string[]) => SourcePath | undefined) {
  for (const k in SECTION_ALIASES) {
    const list = data[k]
    if (!Array.isArray(list)) continue
    const section = SECTION_ALIASES[k]
    const base = join(docWhere, [...prefix, section].join('.'))
    const at = [...prefix, k]
    const mine = problems.length ? problemsByItem(problems, at) : undefined
    const origin = src(at)
    for (let i = 0; i < list.length; i++) addItem(cfg, section, list[i], file, base, i, mine?.get(i) ?? NONE, origin)
  }
}

/** The schema problems inside the items of one list (`at` = the list's path), by item index, paths made relative. */
function problemsByItem(problems: SchemaProblem[], at: string[]): Map<number, SchemaProblem[]> {
  const out = new Map<number, SchemaProblem[]>()
  for (const p of problems) {
    if (p.at.length <= at.length || !at.every((s, j) => p.at[j] === s) || !/^\d+$/.test(p.at[at.length])) continue
    const i = Number(p.at[at.length])
    const list = out.get(i) ?? []
    list.push({...p, at: p.at.slice(at.length + 1)})
    out.set(i, list)
  }
  return out
}

const NONE: never[] = []

/**
 * An item of a list: its place ("routes[12]") and source path are built only when something asks for them (an
 * error, a duplicate), not for each of the thousands of items of a valid config.
 */
class ListItem<T> implements Located<T> {
  constructor(
    public item: T,
    public file: string,
    public key: string,
    public bad: boolean,
    private readonly base: string,
    private readonly index: number,
    private readonly list: SourcePath | undefined,
  ) {}

  get where(): string {
    return `${this.base}[${this.index}]`
  }

  get origin(): SourcePath | undefined {
    return this.list && {doc: this.list.doc, at: [...this.list.at, String(this.index)]}
  }
}

function addItem(cfg: LoadedConfig, section: Section, raw: unknown, file: string, where: string, index: number, problems: SchemaProblem[], origin?: SourcePath) {
  const dups: string[] = []
  const item = isObj(raw) ? canonicalOrSelf(SECTION_MESSAGE[section], raw, dups) : {}
  const bad = problems.length > 0 || !isObj(raw)
  let located: Located<any>
  if (index < 0) {
    located = {item, file, where, key: keyOf(section, item) ?? where, bad}
    if (origin) located.origin = origin
  } else {
    const key = keyOf(section, item)
    located = new ListItem(item, file, key ?? `${where}[${index}]`, bad, where, index, origin)
  }
  if (problems.length || dups.length) {
    const itemOrigin = located.origin
    const at = (segs: string[]) => (itemOrigin ? {doc: itemOrigin.doc, at: [...itemOrigin.at, ...segs]} : undefined)
    for (const p of problems) {
      cfg.errors.push({file, key: located.key, path: fmtPath(p.at), message: p.message, ...(p.hint ? {hint: p.hint} : {}), src: at(p.at)})
    }
    for (const dup of dups) {
      cfg.errors.push({file, key: located.key, path: dup, message: `"${dup}" is given twice (in snake_case and in lowerCamelCase)`, src: at(pathSegments(dup))})
    }
  }
  if (section === 'interfaces') cfg.interfaces.push(located)
  else if (section === 'arp_entries') cfg.arps.push(located)
  else cfg.routes.push(located)
}

function keyOf(section: Section, item: any): string | null {
  const s = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null)
  if (section === 'interfaces') return s(item.name) ? interfaceKey(item.name) : null
  if (section === 'arp_entries') return s(item.interface) && s(item.ip_address) ? arpKey(item.interface, item.ip_address) : null
  return s(item.dst_network) && s(item.outgoing_interface) ? routeKey(item.dst_network, item.outgoing_interface) : null
}

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
/** JSON pointer segments → "veth.peer_if_name", "ip_addresses[1]" (field names in snake_case). */
export function fmtPath(at: string[]): string {
  let out = ''
  for (const s of at) out += /^\d+$/.test(s) ? `[${s}]` : `${out ? '.' : ''}${snake(s)}`
  return out
}

/** Per message, every accepted spelling (field name or json_name) → the field name and its metadata (built once). */
type FieldEntry = {name: string; meta: (typeof MESSAGE_FIELDS)[string][string]; plain: boolean}
const BY_SPELLING = new Map<string, Map<string, FieldEntry>>()
function spellings(message: string): Map<string, FieldEntry> {
  let m = BY_SPELLING.get(message)
  if (!m) {
    m = new Map()
    const fields = MESSAGE_FIELDS[message]
    // json_names first, so that a field name that is also another field's json_name keeps its own meaning.
    for (const [name, meta] of Object.entries(fields)) m.set(meta.json, {name, meta, plain: meta.kind !== 'enum' && meta.kind !== 'message'})
    for (const [name, meta] of Object.entries(fields)) m.set(name, {name, meta, plain: meta.kind !== 'enum' && meta.kind !== 'message'})
    BY_SPELLING.set(message, m)
  }
  return m
}

const enumName = (ref: Record<string, number>, x: number): unknown => {
  for (const k in ref) if (ref[k] === x) return k
  return x
}

/**
 * The item itself when it is already in canonical form (every field under its proto name, no nulls, enums by name):
 * what a generated or hand-written snake_case config holds, and it spares a copy of every item. Otherwise a canonical
 * copy. Items are never modified after loading, so sharing the parsed object is safe.
 */
export function canonicalOrSelf(message: string, obj: Record<string, unknown>, dups?: string[]): any {
  return isCanonical(message, obj) ? obj : canonical(message, obj, dups)
}

function isCanonical(message: string, obj: Record<string, unknown>): boolean {
  const fields = spellings(message)
  for (const k in obj) {
    const v = obj[k]
    const f = fields.get(k)
    if (f === undefined || f.name !== k || v === null || v === undefined) return false
    if (f.plain) continue
    const m = f.meta
    if (m.kind === 'enum') {
      if (typeof v !== 'string') return false
    } else if (m.repeated) {
      if (!Array.isArray(v)) return false
      for (let i = 0; i < v.length; i++) if (!isObj(v[i]) || !isCanonical(m.ref as string, v[i])) return false
    } else if (!isObj(v) || !isCanonical(m.ref as string, v)) return false
  }
  return true
}

/**
 * protojson → canonical form: snake_case field names, enums by name. Unknown fields are dropped (the schema reports
 * them). A field given in both spellings is reported into `dups` (protojson rejects it too).
 */
export function canonical(message: string, obj: Record<string, unknown>, dups?: string[], prefix = ''): any {
  const fields = spellings(message)
  const out: Record<string, unknown> = {}
  for (const k in obj) {
    const v = obj[k]
    const f = fields.get(k)
    if (f === undefined || v === null || v === undefined) continue
    const name = f.name
    if (name in out) dups?.push(prefix + name)
    // The common case (a string, number or bool field): no copy, no closure.
    if (f.plain) {
      out[name] = v
      continue
    }
    const m = f.meta
    if (m.repeated && Array.isArray(v)) {
      const list = new Array(v.length)
      for (let i = 0; i < v.length; i++) list[i] = canonicalValue(m, v[i], undefined, `${prefix}${name}.`)
      out[name] = list
    } else out[name] = canonicalValue(m, v, m.repeated ? undefined : dups, `${prefix}${name}.`)
  }
  return out
}

function canonicalValue(m: FieldEntry['meta'], x: unknown, dups: string[] | undefined, prefix: string): unknown {
  if (m.kind === 'enum') return typeof x === 'number' ? enumName(m.ref as Record<string, number>, x) : x
  return isObj(x) ? canonical(m.ref as string, x, dups, prefix) : x
}

function checkDuplicates(cfg: LoadedConfig) {
  for (const list of [cfg.interfaces, cfg.arps, cfg.routes] as Located<unknown>[][]) {
    const first = new Map<string, Located<unknown>>()
    for (const l of list) {
      if (!l.key.startsWith('config/')) continue
      const f = first.get(l.key)
      if (!f) {
        first.set(l.key, l)
        continue
      }
      const here = (x: Located<unknown>) => `${x.file}${x.where ? ` (${x.where})` : ''}`
      cfg.errors.push({file: l.file, key: l.key, path: '', message: `duplicate item: ${l.key} is defined both at ${here(f)} and at ${here(l)}`, src: l.origin})
      l.bad = true
    }
  }
}
