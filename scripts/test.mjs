#!/usr/bin/env node
// The whole suite: generated files fresh, unit tests, then integration tests against the real kernel (root needed;
// each test runs in its own private network + mount namespace, see test/helpers/playground.ts).
import {spawnSync} from 'node:child_process'
import {readdirSync} from 'node:fs'

const step = (title, cmd, args) => {
  console.log(`\n== ${title}`)
  const r = spawnSync(cmd, args, {stdio: 'inherit'})
  if (r.status !== 0) {
    console.error(`\n${title}: failed (exit ${r.status})`)
    process.exit(r.status || 1)
  }
}
const files = (dir) => readdirSync(dir).filter((f) => f.endsWith('.test.ts')).map((f) => `${dir}/${f}`).sort()

step('generated schemas and types are fresh', process.execPath, ['scripts/gen.mjs', '--check'])
const only = process.argv.slice(2)
const unit = files('test/unit')
const integration = files('test/integration')
if (process.getuid?.() !== 0) {
  console.error('integration tests need root (network namespaces); run the suite as root, as CI does')
  process.exit(1)
}
step('tests', process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...(only.length ? only : [...unit, ...integration])])
