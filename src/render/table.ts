// Compact tables (cli-table3). On a terminal they fit its width unless --wide: the widest shrinkable columns
// (names, addresses, peers — never MACs or numbers) are shortened first, cells cut with "…". Piped output is
// never cut: scripts get every character.
import {createRequire} from 'node:module'
import {paint} from './style.js'

const GAP = 2

export function fitWidths(natural: number[], total: number, shrink: boolean[], min = 8): number[] {
  const w = [...natural]
  const sum = () => w.reduce((a, b) => a + b, 0) + GAP * (w.length - 1)
  while (sum() > total) {
    let i = -1
    for (let j = 0; j < w.length; j++) if (shrink[j] && w[j] > min && (i < 0 || w[j] > w[i])) i = j
    if (i < 0) break
    w[i]--
  }
  return w
}

const SHRINKABLE = /^(NAMESPACE|NAME|HOST|ADDRESSES|PEER|DST|VIA|DEV|INTERFACE|KEY|DETAIL)$/

export function table(head: string[], rows: (string | number)[][], opts: {wide?: boolean; width?: number} = {}): string {
  const require = createRequire(import.meta.url)
  const Table = require('cli-table3')
  const cells = rows.map((r) => r.map((c) => String(c)))
  // eslint-disable-next-line no-control-regex
  const len = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '').length
  const natural = head.map((h, i) => Math.max(h.length, ...cells.map((r) => len(r[i] ?? ''))))
  const width = opts.width ?? (process.stdout.isTTY ? process.stdout.columns || 80 : Infinity)
  const widths = opts.wide ? natural : fitWidths(natural, width, head.map((h) => SHRINKABLE.test(h)))
  const cut = (s: string, w: number) => (len(s) > w ? `${s.slice(0, Math.max(1, w - 1))}…` : s)
  const t = new Table({
    head: head.map((h, i) => paint.bold(cut(h, widths[i]))),
    style: {head: [], border: [], compact: true, 'padding-left': 0, 'padding-right': GAP},
    chars: {top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
      left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: ''},
  })
  for (const r of cells) t.push(r.map((c, i) => cut(c, widths[i])))
  return t.toString().split('\n').map((l: string) => l.trimEnd()).join('\n')
}
