#!/usr/bin/env node
// Planning alone on synthetic state (no kernel, no root): builds a topology of about --items desired items, the
// `ip -d -j` arrays the kernel would print once it is applied, parses them with lnx's own observation parser and
// times lnx's planner on it — "noop" (everything already there: the re-apply case) and "fresh" (named namespaces
// absent: the first apply). Prints one JSON object. Used by run.mjs (one child process per size).
//
// Usage: node bench/plan-bench.mjs --items 10000 [--runs 3] [--namespaces 50] [--dist DIR (lnx's compiled dist/)]
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {BENCH_DIR, lnxConfig, parseArgs, syntheticIpJson, topology} from './generate.mjs'

let DIST = join(BENCH_DIR, '..', 'dist')
const imp = (p) => import(pathToFileURL(join(DIST, p)).href)

/** Topology parameters for about `items` items (interfaces + addresses + routes + ARPs) in the default proportions
 * 1000 pairs : 5000 routes : 2000 ARPs (11 items per pair). */
export function paramsForItems(items, namespaces = 50) {
  const pairs = Math.max(1, Math.round(items / 11))
  return {namespaces, pairs, addrs: 1, routes: pairs * 5, arps: pairs * 2}
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const now = () => Number(process.hrtime.bigint()) / 1e6

async function main() {
  const f = parseArgs(process.argv.slice(2), {items: 'int', runs: 'int', namespaces: 'int', dist: 'str'})
  if (f.dist) DIST = f.dist
  const items = f.items ?? 10000
  const runs = Math.max(1, f.runs ?? 3)
  const params = paramsForItems(items, f.namespaces ?? 50)
  const [{desiredFromObjects}, {parseNamespace, assemble}, {DEFAULT_HANDLE, namedHandle}, {plan, nsRefKey}] = await Promise.all([
    imp('config/index.js'), imp('kernel/observe.js'), imp('kernel/namespaces.js'), imp('engine/plan/index.js'),
  ])
  const t = topology(params)
  const cfg = lnxConfig(t)
  let t0 = now()
  const {desired} = await desiredFromObjects([{file: "synthetic.json", doc: cfg}])
  const validateMs = now() - t0
  const nItems = desired.interfaces.length + desired.interfaces.reduce((s, d) => s + d.addresses.length, 0) + desired.routes.length + desired.arps.length
  // What the kernel prints, as text lines (lnx JSON.parses ip's output: that is part of its cost).
  const texts = syntheticIpJson(t).map((arrs) => arrs.map((a) => JSON.stringify(a)))
  const defText = [JSON.stringify([{ifindex: 1, ifname: 'lo', flags: ['LOOPBACK', 'UP', 'LOWER_UP'], mtu: 65536, group: 'default', link_type: 'loopback', address: '00:00:00:00:00:00', addr_info: []}]), '[]', '[]', '[]']

  const observe = (applied) => {
    const list = [parseNamespace(DEFAULT_HANDLE, 'default', defText.map((l) => JSON.parse(l)))]
    if (applied) t.namespaces.forEach((n, j) => list.push(parseNamespace(namedHandle(n), `ns:${j}`, texts[j].map((l) => JSON.parse(l)))))
    const obs = assemble(list)
    const namespaces = new Map()
    for (const n of t.namespaces) {
      const o = obs.byLabel.get(n)
      namespaces.set(nsRefKey({type: 'NSID', ref: n}), o ? {status: 'ready', handle: o.handle, obs: o} : {status: 'create', handle: namedHandle(n), name: n})
    }
    return {obs, namespaces}
  }

  const out = {items: nItems, params, validateMs, runs, noop: {}, fresh: {}}
  for (const kind of ['noop', 'fresh']) {
    const parse = []
    const planMs = []
    let res
    for (let r = 0; r < runs; r++) {
      t0 = now()
      const {obs, namespaces} = observe(kind === 'noop')
      parse.push(now() - t0)
      t0 = now()
      try {
        res = plan({desired, obs, label: 'vpp1', namespaces, mode: 'apply'})
      } catch (e) {
        out[kind] = {error: String(e?.message ?? e)}
        res = undefined
        break
      }
      planMs.push(now() - t0)
    }
    if (!res) continue
    const summary = {create: 0, update: 0, delete: 0}
    for (const c of res.changes) summary[c.action]++
    out[kind] = {parseMs: median(parse), planMs: median(planMs), allPlanMs: planMs, changes: res.changes.length, ...summary, pending: res.pending.length, unchanged: res.unchanged}
  }
  out.heapUsedMB = Math.round(process.memoryUsage().heapUsed / 1048576)
  process.stdout.write(JSON.stringify(out) + '\n')
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    process.stdout.write(JSON.stringify({error: String(e?.stack ?? e)}) + '\n')
    process.exit(1)
  })
}
