// Compact tables (cli-table3) that fit 80 columns unless --wide.
import {createRequire} from 'node:module'
import {paint} from './style.js'

export function table(head: string[], rows: (string | number)[][], opts: {wide?: boolean; maxCol?: number} = {}): string {
  const require = createRequire(import.meta.url)
  const Table = require('cli-table3')
  const max = opts.wide ? Infinity : opts.maxCol ?? 28
  const cut = (s: string) => (s.length > max ? `${s.slice(0, max - 1)}…` : s)
  const t = new Table({
    head: head.map((h) => paint.bold(h)),
    style: {head: [], border: [], compact: true, 'padding-left': 0, 'padding-right': 2},
    chars: {top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
      left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: ''},
  })
  for (const r of rows) t.push(r.map((c) => cut(String(c))))
  return t.toString().split('\n').map((l: string) => l.trimEnd()).join('\n')
}
