// The one place errors become text: one line per problem (file:item:field: message), then a hint.
import type {ItemError} from '../errors.js'
import {LnxError} from '../errors.js'
import {paint} from './style.js'

export function itemErrorLine(e: ItemError, level: 'error' | 'warning' = 'error'): string {
  const where = [e.file, e.key, e.path].filter(Boolean).join(':')
  const tag = level === 'error' ? paint.red('error') : paint.yellow('warning')
  return `${tag}: ${where ? `${where}: ` : ''}${e.message}${e.hint ? paint.dim(` (hint: ${e.hint})`) : ''}`
}

export function errorText(err: unknown): string {
  if (err instanceof LnxError) {
    const lines: string[] = []
    if (err.errors?.length) lines.push(...err.errors.map((e) => itemErrorLine(e)))
    if (!err.errors?.length || err.errors.length > 1) {
      lines.push(`${paint.red('error')}: ${err.key && !err.message.includes(err.key) ? `${err.key}: ` : ''}${err.message}${err.hint ? paint.dim(` (hint: ${err.hint})`) : ''}`)
    } else if (err.hint) lines.push(paint.dim(`hint: ${err.hint}`))
    return lines.join('\n')
  }
  const e = err as Error
  return `${paint.red('error')}: ${e?.message ?? String(err)}`
}
