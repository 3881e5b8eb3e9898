#!/usr/bin/env node
// Summarises a V8 .cpuprofile (from `node --cpu-prof bin/run.js apply -f …`) by function: self time and
// inclusive (total) time, top N each. Usage: node bench/profile-summary.mjs FILE.cpuprofile [--top 15]
import {readFileSync} from 'node:fs'

const file = process.argv[2]
const top = Number(process.argv[process.argv.indexOf('--top') + 1]) || 15
const prof = JSON.parse(readFileSync(file, 'utf8'))
const byId = new Map(prof.nodes.map((n) => [n.id, n]))
const parent = new Map()
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
const self = new Map()
const dt = prof.timeDeltas
for (let k = 0; k < prof.samples.length; k++) self.set(prof.samples[k], (self.get(prof.samples[k]) ?? 0) + (dt[k] ?? 0) / 1000)
const total = [...self.values()].reduce((a, b) => a + b, 0)
const key = (n) => {
  const cf = n.callFrame
  const url = cf.url.replace(/^file:\/\//, '').replace(/.*\/node_modules\//, 'nm/').replace(/.*\/dist\//, 'dist/')
  return `${cf.functionName || '(anonymous)'} ${url ? `${url}:${cf.lineNumber + 1}` : ''}`.trim()
}
const selfBy = new Map()
const inclBy = new Map()
for (const [id, ms] of self) {
  const n = byId.get(id)
  selfBy.set(key(n), (selfBy.get(key(n)) ?? 0) + ms)
  // inclusive: count each function once per sample stack
  const seen = new Set()
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const k = key(byId.get(cur))
    if (seen.has(k)) continue
    seen.add(k)
    inclBy.set(k, (inclBy.get(k) ?? 0) + ms)
  }
}
const show = (title, m) => {
  console.log(`${title} (of ${total.toFixed(0)} ms sampled)`)
  for (const [k, ms] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${ms.toFixed(0).padStart(7)} ms  ${((100 * ms) / total).toFixed(1).padStart(5)}%  ${k}`)
}
show('self time', selfBy)
show('inclusive time', new Map([...inclBy].filter(([k]) => !/^\(root\)|^\(program\)|^\(idle\)/.test(k))))
