#!/usr/bin/env node
// The "one ip process per operation" variant: runs every argv array of an ops.json file (written by
// generate.mjs) as its own process, in order, without a shell; stops at the first failure (exit 1).
// Usage: node bench/exec-ops.mjs ops.json
import {spawnSync} from 'node:child_process'
import {readFileSync} from 'node:fs'

const ops = JSON.parse(readFileSync(process.argv[2], 'utf8'))
for (let k = 0; k < ops.length; k++) {
  const [file, ...args] = ops[k]
  const r = spawnSync(file, args, {stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8'})
  if (r.status !== 0) {
    process.stderr.write(`op ${k + 1}/${ops.length} failed (${r.status ?? r.signal ?? r.error}): ${ops[k].join(' ')}\n${r.stderr ?? ''}`)
    process.exit(1)
  }
}
