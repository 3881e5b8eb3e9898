// Golden cases of the planner (test/fixtures/plan/<case>/, listed in its README): {observed `ip -d -j` per
// namespace, desired config, options} → the plan (changes with their commands and undo lines, the executor's run
// order, pending items with reasons, warnings, kept count, foreign strips) or the error. No root, no kernel: the
// captured reads go through lnx's own observation parser, as the reconcile service feeds the planner.
//
// A deliberate change of behaviour: `UPDATE_GOLDEN=1 npm run test:unit` rewrites every expected.json, then review
// `git diff test/fixtures/plan` as a network engineer would. New starting states: test/fixtures/plan/capture.ts.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {listCases, planCase, PLAN_FIXTURES, readOptions} from '../helpers/plan-golden.ts'

const UPDATE = !!process.env.UPDATE_GOLDEN
const cases = listCases()

test('there are at least 40 planner golden cases, each listed in the README', () => {
  assert.ok(cases.length >= 40, `${cases.length} cases`)
  const readme = readFileSync(join(PLAN_FIXTURES, 'README.md'), 'utf8')
  for (const c of cases) assert.ok(readme.includes(c), `${c} is not in test/fixtures/plan/README.md`)
})

for (const name of cases) {
  const dir = join(PLAN_FIXTURES, name)
  test(`plan ${name}: ${readOptions(dir).title}`, async () => {
    const got = JSON.parse(JSON.stringify(await planCase(dir)))
    const file = join(dir, 'expected.json')
    if (UPDATE) return writeFileSync(file, JSON.stringify(got, null, 2) + '\n')
    assert.ok(existsSync(file), `${file} missing (UPDATE_GOLDEN=1 npm run test:unit writes it; review it)`)
    assert.deepEqual(got, JSON.parse(readFileSync(file, 'utf8')), `plan differs from ${file} (a deliberate change: UPDATE_GOLDEN=1 npm run test:unit, then review the diff)`)
  })
}
