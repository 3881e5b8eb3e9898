// Config text → documents: bounded reading of files and stdin, JSON first (JSON.parse), YAML 1.2 core otherwise
// (js-yaml). Hostile input is refused as invalid input (exit 2), never as a crash: oversized input, duplicate keys
// (JSON too, where JSON.parse would silently keep the last), alias bombs, recursive aliases, syntax errors — the
// latter with file:line:column and the offending line.
import {open} from 'node:fs/promises'
import {LnxError} from '../errors.js'
import {withDefaultTiering} from '../tiering.js'

export const STDIN = '-'
export const fileLabel = (f: string) => (f === STDIN ? '<stdin>' : f)

/**
 * Largest config lnx reads, all files together: 16 MiB holds ≈ 130,000 items (the bench's 11,000-item config is
 * 1.3 MB of JSON) and validates in well under 2 GB. Above it lnx refuses at once, without reading on.
 * LNX_MAX_CONFIG_MB raises (or lowers) it.
 */
export const DEFAULT_MAX_CONFIG_MB = 16
export function maxConfigBytes(): number {
  const mb = Number(process.env.LNX_MAX_CONFIG_MB)
  return (Number.isFinite(mb) && mb > 0 ? mb : DEFAULT_MAX_CONFIG_MB) * 1024 * 1024
}

/** What may still be read in this run (the limit is for all inputs together). */
export interface ReadBudget {
  left: number
}
export const newBudget = (): ReadBudget => ({left: maxConfigBytes()})

function tooLarge(file: string, budget: ReadBudget, size?: number): LnxError {
  const limitMb = maxConfigBytes() / 1024 / 1024
  const what = size !== undefined ? `is ${(size / 1024 / 1024).toFixed(1)} MiB` : 'is too large'
  const message = `${what}: lnx reads at most ${limitMb} MiB of config in one run`
  return new LnxError('INVALID', `${fileLabel(file)}: ${message}`, {
    errors: [{file: fileLabel(file), key: '', path: '', message}],
    hint: `split the config, or raise the limit with LNX_MAX_CONFIG_MB (now ${limitMb}); ${budget.left < maxConfigBytes() ? 'the limit counts every -f together' : 'the limit protects memory'}`,
  })
}

function cannotRead(file: string, e: NodeJS.ErrnoException): LnxError {
  const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'is a directory' : e.code === 'EACCES' ? 'permission denied' : e.message
  return new LnxError('INVALID', `${file}: cannot read: ${why}`, {errors: [{file, key: '', path: '', message: `cannot read: ${why}`}]})
}

/** Reads a file, or stdin for "-", within the budget: a file larger than what is left is refused before reading. */
export async function readSource(file: string, readStdin: (max: number) => Promise<string>, budget: ReadBudget = newBudget()): Promise<string> {
  if (file === STDIN) {
    const text = await readStdin(budget.left)
    if (Buffer.byteLength(text) > budget.left) throw tooLarge(file, budget)
    budget.left -= Buffer.byteLength(text)
    return text
  }
  let fh
  try {
    fh = await open(file, 'r')
    const st = await fh.stat()
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), {code: 'EISDIR'})
    if (st.isFile()) {
      if (st.size > budget.left) throw tooLarge(file, budget, st.size)
      budget.left -= st.size
      return await fh.readFile('utf8')
    }
    // Not a regular file (a pipe, /dev/stdin, <(…)): read in chunks and stop past the limit.
    const chunks: Buffer[] = []
    let total = 0
    for (;;) {
      const buf = Buffer.allocUnsafe(1 << 20)
      const {bytesRead} = await fh.read(buf, 0, buf.length, null)
      if (!bytesRead) break
      total += bytesRead
      if (total > budget.left) throw tooLarge(file, budget)
      chunks.push(buf.subarray(0, bytesRead))
    }
    budget.left -= total
    return Buffer.concat(chunks).toString('utf8')
  } catch (e: any) {
    if (e instanceof LnxError) throw e
    throw cannotRead(file, e)
  } finally {
    await fh?.close()
  }
}

/** Standard input, stopping as soon as it holds more than `max` bytes (the caller then refuses it). */
export async function readAllStdin(max = maxConfigBytes()): Promise<string> {
  const chunks: Buffer[] = []
  let total = 0
  for await (const c of process.stdin) {
    chunks.push(c as Buffer)
    total += (c as Buffer).length
    if (total > max) {
      process.stdin.destroy()
      break
    }
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** A syntax-level problem at a place in the text: "file:line:column: message", then the line and a caret. */
export function syntaxError(file: string, text: string, offset: number | undefined, message: string): LnxError {
  const f = fileLabel(file)
  if (offset === undefined || offset < 0) {
    return new LnxError('INVALID', `${f}: ${message}`, {errors: [{file: f, key: '', path: '', message}]})
  }
  const {line, column} = lineColumn(text, offset)
  const start = text.lastIndexOf('\n', offset - 1) + 1
  const end = text.indexOf('\n', offset)
  const excerpt = text.slice(start, end < 0 ? undefined : end).replace(/\r$/, '')
  return new LnxError('INVALID', `${f}:${line}:${column}: ${message}`, {errors: [{file: f, key: '', path: '', message, line, column, excerpt}]})
}

/** 1-based line and column (in UTF-16 code units, as editors count them) of an offset. */
export function lineColumn(text: string, offset: number): {line: number; column: number} {
  let line = 1
  let i = text.indexOf('\n')
  let start = 0
  while (i >= 0 && i < offset) {
    line++
    start = i + 1
    i = text.indexOf('\n', start)
  }
  return {line, column: offset - start + 1}
}

type JsYaml = typeof import('js-yaml')
let jsYaml: JsYaml | undefined
export async function loadJsYaml(): Promise<JsYaml> {
  // Only YAML input pays for the parser; JSON goes through JSON.parse.
  jsYaml ??= await import('js-yaml')
  return jsYaml
}

/** Aliases may add at most this many nodes beyond the document's own (or as many as it has, if more). */
export const ALIAS_EXPANSION_BUDGET = 100_000

/** A UTF-8 byte order mark is not content: JSON.parse refuses it, and editors do not count it as a column. */
export const withoutBom = (text: string) => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text)

/** Parses text into documents: JSON first (fast path for large generated configs), YAML 1.2 core otherwise. */
export async function parseDocuments(text: string, file: string): Promise<unknown[]> {
  return (await parseText(text, file)).docs
}

/** The same, saying whether the text was JSON (JSON.parse took it). */
export async function parseText(text: string, file: string): Promise<{docs: unknown[]; json: boolean}> {
  const t = text.trimStart()
  if (t.startsWith('{') || t.startsWith('[')) {
    let doc: unknown
    let json = true
    try {
      doc = JSON.parse(text)
    } catch {
      // Not plain JSON: YAML (a superset) reports the error with its place, or accepts flow style.
      json = false
    }
    if (json) {
      if (jsonKeyCount(text) !== propertyCount(doc)) await refuseDuplicateKey(text, file)
      return {docs: [doc], json: true}
    }
  }
  const y = await loadJsYaml()
  let docs: unknown[]
  try {
    docs = withDefaultTiering(() => y.loadAll(text, {schema: y.CORE_SCHEMA, maxAliases: 10_000}))
  } catch (e: any) {
    if (!(e instanceof y.YAMLException)) throw e
    throw syntaxError(file, text, markAt(text, e), `not valid YAML or JSON: ${describeYamlError(e.reason, 'mapping')}`)
  }
  if (text.includes('*')) for (const d of docs) checkAliasExpansion(d, file)
  return {docs, json: false}
}

const describeYamlError = (reason: string, what: string) => (reason === 'duplicated mapping key' ? `a key is given twice in one ${what}` : reason)

/** js-yaml marks a quoted key inside its quotes: point at the quote, where the key starts. */
function markAt(text: string, e: {reason: string; mark?: {position: number}}): number | undefined {
  const p = e.mark?.position
  const quoted = p !== undefined && p > 0 && (text[p - 1] === '"' || text[p - 1] === "'")
  return quoted && e.reason === 'duplicated mapping key' ? p - 1 : p
}

/** Keys as they are written in (valid) JSON text: every string token followed by ":". */
function jsonKeyCount(text: string): number {
  // Outside strings valid JSON has no '"', so string tokens are found one after the other; indexOf keeps it fast.
  let n = 0
  let i = text.indexOf('"')
  while (i !== -1) {
    let j = text.indexOf('"', i + 1)
    while (j !== -1) {
      let k = j - 1
      while (text.charCodeAt(k) === 92) k--
      if ((j - 1 - k) % 2 === 0) break // an even number of backslashes: the quote ends the string
      j = text.indexOf('"', j + 1)
    }
    if (j === -1) break
    let p = j + 1
    let c = text.charCodeAt(p)
    while (c === 32 || c === 10 || c === 13 || c === 9) c = text.charCodeAt(++p)
    if (c === 58) n++
    i = text.indexOf('"', p)
  }
  return n
}

/** Keys of every object in a parsed value (iterative: a deeply nested input must not overflow the stack). */
function propertyCount(v: unknown): number {
  if (typeof v !== 'object' || v === null) return 0
  let n = 0
  // Only objects and arrays go on the stack: most values are strings and numbers.
  const stack: object[] = [v]
  while (stack.length) {
    const x = stack.pop()!
    if (Array.isArray(x)) {
      for (let i = 0; i < x.length; i++) {
        const y = x[i]
        if (typeof y === 'object' && y !== null) stack.push(y)
      }
    } else {
      for (const k in x) {
        n++
        const y = (x as Record<string, unknown>)[k]
        if (typeof y === 'object' && y !== null) stack.push(y)
      }
    }
  }
  return n
}

/** JSON.parse keeps the last of two equal keys; lnx refuses them, as it does in YAML. */
async function refuseDuplicateKey(text: string, file: string): Promise<never> {
  const y = await loadJsYaml()
  try {
    y.load(text, {schema: y.JSON_SCHEMA})
  } catch (e: any) {
    if (e instanceof y.YAMLException) throw syntaxError(file, text, markAt(text, e), `not valid JSON: ${describeYamlError(e.reason, 'object')}`)
    throw e
  }
  throw syntaxError(file, text, undefined, 'not valid JSON: a key is given twice in one object')
}

/**
 * js-yaml shares one object for every alias of an anchor, so a "billion laughs" document costs little to parse but
 * explodes in every walk after it (schema validation, canonical form). Count the nodes as they would be expanded,
 * once per shared object, and refuse documents whose aliases add more than the budget, or that refer to themselves.
 */
function checkAliasExpansion(doc: unknown, file: string) {
  const sizes = new Map<object, number>()
  const open = new Set<object>()
  let unique = 0
  const size = (v: unknown): number => {
    if (typeof v !== 'object' || v === null) return 1
    const known = sizes.get(v)
    if (known !== undefined) return known
    if (open.has(v)) throw aliasError(file, 'an alias refers to a node that contains it (a recursive alias)')
    open.add(v)
    const children = Array.isArray(v) ? v : Object.values(v)
    unique++
    let n = 1
    for (const c of children) {
      if (typeof c !== 'object' || c === null) unique++
      n += size(c)
      if (n > Number.MAX_SAFE_INTEGER / 2) break
    }
    open.delete(v)
    sizes.set(v, n)
    return n
  }
  let total: number
  try {
    total = size(doc)
  } catch (e) {
    if (e instanceof RangeError) throw aliasError(file, 'the document is nested too deeply')
    throw e
  }
  if (total - unique > Math.max(ALIAS_EXPANSION_BUDGET, unique)) {
    throw aliasError(file, `YAML aliases expand the document to ${total > 1e9 ? 'more than a billion' : total.toLocaleString('en')} nodes (it has ${unique.toLocaleString('en')} of its own); lnx expands at most ${ALIAS_EXPANSION_BUDGET.toLocaleString('en')} more (an alias bomb?)`)
  }
}

function aliasError(file: string, message: string): LnxError {
  const f = fileLabel(file)
  return new LnxError('INVALID', `${f}: ${message}`, {errors: [{file: f, key: '', path: '', message}], hint: 'write the repeated parts out, or use fewer aliases'})
}
