// The bad-input corpus (test/fixtures/bad-input, one defect per file: hostile and injected names, iproute2 and
// kernel keywords, overlong names, bad addresses, MACs and MTUs, broken references, wrong kinds). Each file goes
// through `validate` and `apply`: exit 2, an error naming the file, the item key and the field (the file's
// "# expect:" line), and the host unchanged — checked with raw `ip -json` dumps of the whole playground.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {ROOT, withPg} from './engine-helpers.ts'

const DIR = join(ROOT, 'test', 'fixtures', 'bad-input')
export const CORPUS = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort()

function expectation(file: string): {key: string; path: string} {
  const m = readFileSync(file, 'utf8').match(/^# expect: (.*)$/m)
  assert.ok(m, `${file} has no "# expect:" line`)
  return JSON.parse(m[1])
}

test(`bad-input corpus: ${CORPUS.length} files → validate and apply exit 2 naming file, item and field; host unchanged`, async () => {
  assert.ok(CORPUS.length >= 60, `${CORPUS.length} files`)
  await withPg(async (pg) => {
    const before = await pg.snapshot()
    const netns = async () => (await pg.run('ls', ['-A', '/run/netns'])).stdout
    for (const name of CORPUS) {
      const file = join(DIR, name)
      const want = expectation(file)
      const v = await pg.lnxJson(['validate', '-f', file])
      assert.equal(v.code, 2, `validate ${name}: ${v.stdout}${v.stderr}`)
      assert.equal(v.json.valid, false)
      const hit = (errors: any[]) => errors.some((e) => e.file === file && e.key === want.key && e.path === want.path && e.message)
      assert.ok(hit(v.json.errors), `validate ${name}: want ${JSON.stringify(want)}, got ${JSON.stringify(v.json.errors)}`)
      const a = await pg.lnxJson(['apply', '-f', file])
      assert.equal(a.code, 2, `apply ${name}: ${a.stdout}${a.stderr}`)
      assert.equal(a.json.error?.code, 'INVALID', `apply ${name}: ${a.stdout}`)
      assert.ok(hit(a.json.error.errors ?? []), `apply ${name}: want ${JSON.stringify(want)}, got ${a.stdout}`)
      assert.equal(await netns(), '', `apply ${name} created a namespace`)
    }
    assert.equal(await pg.snapshot(), before)
    // The human form names file(:line:col):key:field on one line each (two files, both commands).
    for (const name of ['host-dollar-paren.yaml', 'route-gw-family.yaml']) {
      const file = join(DIR, name)
      const want = expectation(file)
      for (const cmd of ['validate', 'apply']) {
        const r = await pg.lnx([cmd, '-f', file])
        assert.equal(r.code, 2)
        assert.ok(r.stderr.split('\n').some((l) => l.startsWith(`error: ${file}:`) && l.includes(`${want.key}:${want.path}:`)), `${cmd} ${name}: ${r.stderr}`)
      }
    }
  })
})
