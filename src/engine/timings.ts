// LNX_TIMINGS=1: where a run's time goes, one JSON line on stderr at exit — "lnx-timings {…}" with, per step (start,
// read+validate, observe, plan, execute, verify), wall and CPU milliseconds of lnx's own process (its children's CPU is
// not in it), plus GC time, peak RSS and how many processes lnx started. `npm run bench` reads it to print the split,
// so that a regression shows where it comes from. Inert (one env check per mark) without the variable.
import {writeSync} from 'node:fs'
import {performance, PerformanceObserver} from 'node:perf_hooks'

const ON = !!process.env.LNX_TIMINGS

interface Step {
  ms: number
  cpuMs: number
}

const steps = new Map<string, Step>()
let lastWall = 0
let lastCpu = 0
let gcMs = 0
let spawns = 0
let started = false

const cpuNow = () => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

function begin() {
  started = true
  // "start" is everything before the first step: Node's own start-up, loading lnx, oclif parsing the command line.
  lastWall = performance.now()
  lastCpu = cpuNow()
  steps.set('start', {ms: lastWall, cpuMs: lastCpu})
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcMs += e.duration
  }).observe({entryTypes: ['gc']})
  process.on('exit', () => {
    mark('end')
    const out: Record<string, unknown> = {}
    for (const [k, s] of steps) out[k] = {ms: Math.round(s.ms * 10) / 10, cpuMs: Math.round(s.cpuMs * 10) / 10}
    out.gcMs = Math.round(gcMs)
    out.maxRssMB = Math.round(process.resourceUsage().maxRSS / 1024)
    out.processes = spawns
    writeSync(2, `lnx-timings ${JSON.stringify(out)}\n`)
  })
}

/** Ends the running step under this name (its time since the previous mark; repeated names add up). */
export function mark(step: string): void {
  if (!ON) return
  if (!started) begin()
  const w = performance.now()
  const c = cpuNow()
  const s = steps.get(step) ?? {ms: 0, cpuMs: 0}
  s.ms += w - lastWall
  s.cpuMs += c - lastCpu
  steps.set(step, s)
  lastWall = w
  lastCpu = c
}

/** Starts the clock: called where a command begins its work (what came before is "start"). */
export function markStart(): void {
  if (ON && !started) begin()
}

/** Counts a process lnx started. */
export function countSpawn(): void {
  spawns++
}
