// Text of the --try safety net: the prompt while it waits, and how a try ended.
import type {TryDecision, TryInfo} from '../engine/try.js'
import type {TryJournal} from '../engine/try-journal.js'
import {paint} from './style.js'

const clock = (iso: string) => new Date(iso).toTimeString().slice(0, 8)

export function tryPrompt(j: TryJournal, enter: boolean): string {
  return `${paint.yellow('try')}: reverting in ${j.seconds} s (at ${clock(j.deadline)}) unless confirmed — ${enter ? 'press Enter or ' : ''}run \`lnx confirm\` to keep it, \`lnx rollback\` to revert now`
}

export function tryResultLine(t: TryInfo): string {
  if (t.outcome === 'confirmed') return `${paint.green('confirmed')}: kept${t.by === 'enter' ? ' (Enter)' : ' (lnx confirm)'}`
  const why = t.by === 'timeout' ? `not confirmed within ${t.seconds} s` : t.by === 'signal' ? 'interrupted' : 'lnx rollback'
  if (t.outcome === 'reverted') return `${paint.yellow('reverted')} (${why}): ${(t.reverted ?? []).join(', ')}`
  return `${paint.red('failed')}: revert incomplete (${why}): ${(t.errors ?? []).join('; ')}`
}

export function tryDecisionText(d: TryDecision): string {
  const n = d.items.length
  const what = `${n} item${n === 1 ? '' : 's'} of ${d.files.join(', ')}`
  if (d.result === 'confirmed') return `${paint.green('confirmed')}: kept ${what}`
  if (d.result === 'reverted') return `${paint.yellow('reverted')}: ${what}: ${d.items.join(', ')}`
  return `${paint.red('failed')}: revert of ${what} incomplete: ${(d.errors ?? []).join('; ')}`
}
