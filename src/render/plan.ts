// Human rendering of a plan or an apply result: one line per change (+ create, ~ update, - delete, … pending).
import type {PlanResult} from '../services/cli-run.js'
import {paint} from './style.js'

const SIGN = {create: '+', update: '~', delete: '-'} as const

export function planText(r: PlanResult, opts: {verbose?: boolean; title: string}): string {
  const out: string[] = []
  for (const c of r.changes) {
    const sign = SIGN[c.action]
    const colour = c.action === 'create' ? paint.green : c.action === 'delete' ? paint.red : paint.yellow
    const ns = c.namespace ? paint.dim(` [${c.namespace}]`) : ''
    out.push(`${colour(sign)} ${c.key}${ns}: ${c.detail}${c.drift ? paint.yellow(' (drift)') : ''}`)
    if (opts.verbose) for (const cmd of c.commands) out.push(paint.dim(`    ${cmd}`))
  }
  for (const p of r.pending) out.push(`${paint.cyan('…')} ${p.key}: ${p.reason}`)
  for (const w of r.warnings ?? []) out.push(`${paint.yellow('warning')}: ${w}`)
  const s = r.summary
  const counts = `${s.create} to create, ${s.update} to update, ${s.delete} to delete, ${s.pending} pending, ${s.unchanged} unchanged`
  if (!r.changes.length && !r.pending.length) out.push(`${opts.title}: no changes (${s.unchanged} unchanged)`)
  else out.push(`${opts.title}: ${counts}`)
  if (r.kept) out.push(paint.dim(`${r.kept} owned item${r.kept === 1 ? '' : 's'} not in the config ${r.kept === 1 ? 'is' : 'are'} kept (--prune deletes ${r.kept === 1 ? 'it' : 'them'})`))
  return out.join('\n')
}

export function resultLine(r: PlanResult): string {
  const s = r.summary
  const what = `${s.create} created, ${s.update} updated, ${s.delete} deleted`
  switch (r.result) {
    case 'applied':
      return r.changes.length ? `${paint.green('applied')}: ${what}, verified` : `${paint.green('applied')}: nothing to do (${s.unchanged} unchanged)`
    case 'pending':
      return `${paint.cyan('pending')}: ${what}; ${r.pending.length} item${r.pending.length === 1 ? '' : 's'} waiting (see … above)`
    case 'reverted':
      return `${paint.red('failed')}: ${r.error?.message}\n${paint.yellow('reverted')}: ${(r.reverted ?? []).join(', ') || 'nothing was applied'}`
    case 'failed':
      return `${paint.red('failed')}: ${r.error?.message}${(r as any).applied ? `\nleft in place (--no-rollback): ${(r as any).applied.join(', ')}` : ''}`
    default:
      return ''
  }
}
