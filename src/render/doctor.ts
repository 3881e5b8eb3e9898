import type {DoctorResult} from '../engine/doctor.js'
import {table} from './table.js'
import {paint} from './style.js'

/** The table, then one line per fix (fixes are too long for a column), then the verdict. */
export function doctorText(r: DoctorResult): string {
  const status = (c: DoctorResult['checks'][number]) => (c.ok ? paint.green('ok') : c.required ? paint.red('FAIL') : paint.yellow('missing'))
  const rows = r.checks.map((c) => [c.name, status(c), c.required ? 'required' : 'optional', c.found])
  const out = [table(['CHECK', 'STATUS', 'NEED', 'FOUND'], rows, {wide: true})]
  const fixes = r.checks.filter((c) => !c.ok && c.fix)
  if (fixes.length) out.push('', 'to fix:', ...fixes.map((c) => `  ${c.name}: ${c.fix}`))
  const failed = r.checks.filter((c) => !c.ok && c.required).length
  const optional = r.checks.filter((c) => !c.ok && !c.required).length
  out.push('', r.ok
    ? `doctor: every required check passed${optional ? ` (${optional} optional missing)` : ''}`
    : `doctor: ${failed} required check${failed === 1 ? '' : 's'} failed → exit 4`)
  return out.join('\n')
}
