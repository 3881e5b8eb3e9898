// The one place errors become text: one line per problem (file[:line:column]: item:field: message), then a hint;
// a syntax error also shows its line with a caret. Everything that came from input (names, keys, values in
// messages) is printed with control characters escaped: a name holding a newline cannot forge an extra line.
import type {ItemError} from '../errors.js'
import {LnxError} from '../errors.js'
import {paint} from './style.js'

/** Control characters (C0, DEL, C1, line/paragraph separators) as visible escapes. */
export function escapeControl(s: string): string {
  return s.replace(/[\x00-\x1f\x7f-\x9f\u2028\u2029]/g, (c) =>
    c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

export function itemErrorLine(e: ItemError, level: 'error' | 'warning' = 'error'): string {
  const file = e.file && e.line !== undefined ? `${e.file}:${e.line}:${e.column}` : e.file
  const inner = [e.key, e.path].filter(Boolean).join(':')
  const where = e.line !== undefined ? [file, inner].filter(Boolean).join(': ') : [e.file, e.key, e.path].filter(Boolean).join(':')
  const tag = level === 'error' ? paint.red('error') : paint.yellow('warning')
  // A message that starts with its own field (a flag: "--mtu: …", also the whole error's message) names it once.
  const message = e.path && e.message.startsWith(`${e.path}: `) ? e.message.slice(e.path.length + 2) : e.message
  const line = `${tag}: ${where ? `${escapeControl(where)}: ` : ''}${escapeControl(message)}${e.hint ? paint.dim(` (hint: ${escapeControl(e.hint)})`) : ''}`
  return e.excerpt !== undefined && e.line !== undefined ? `${line}\n${excerptLines(e.excerpt, e.line, e.column ?? 1)}` : line
}

/** "  4 | - b" and a caret under the column (tabs kept, so the caret lines up). */
function excerptLines(text: string, line: number, column: number): string {
  const num = String(line)
  const shown = text.split('\t').map(escapeControl).join('\t')
  const pad = text.slice(0, column - 1).replace(/[^\t]/g, ' ')
  return `  ${num} | ${shown}\n  ${' '.repeat(num.length)} | ${pad}${paint.red('^')}`
}

export function errorText(err: unknown): string {
  if (err instanceof LnxError) {
    const lines: string[] = []
    if (err.errors?.length) lines.push(...err.errors.map((e) => itemErrorLine(e)))
    if (!err.errors?.length || err.errors.length > 1) {
      const key = err.key && !err.message.includes(err.key) ? `${escapeControl(err.key)}: ` : ''
      lines.push(`${paint.red('error')}: ${key}${escapeControl(err.message)}${err.hint ? paint.dim(` (hint: ${escapeControl(err.hint)})`) : ''}`)
    } else if (err.hint) lines.push(paint.dim(`hint: ${escapeControl(err.hint)}`))
    return lines.join('\n')
  }
  const e = err as Error
  return `${paint.red('error')}: ${escapeControl(e?.message ?? String(err))}`
}

/** Escapes, inside a message written by someone else (oclif's flag parser), the arguments the user typed. */
export function escapeArgsIn(message: string, argv: string[]): string {
  let out = message
  for (const a of argv) if (escapeControl(a) !== a) out = out.split(a).join(escapeControl(a))
  return out
}
