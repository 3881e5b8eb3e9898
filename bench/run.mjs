#!/usr/bin/env node
// lnx benchmark (issue "Speed at scale"): `npm run bench [-- FLAGS]`, as root, after `npm run build`.
//
// Every measured chain runs in a FRESH playground (a holder process in new network + mount namespaces with a tmpfs
// on /run and a fresh sysfs; commands enter it with `nsenter -t PID -n -m`), and after each playground is destroyed
// the runner waits until the kernel has finished tearing its namespaces down (no kworker busy on the `netns`
// workqueue for a while) before the next measurement. Chains, each repeated --runs times (interleaved):
//   lnx:      (a) lnx apply (fresh) → census → (b) lnx apply again (no-op) → (c) lnx dump all -o json
//             → raw `ip -json` dumps of every namespace → (d) lnx delete -f
//   floor:    (e) hand-written `ip -batch` files (one process per namespace) → census → group-delete floor
//   perop:    (f) one `ip` process per operation (no shell) → census
//   pyroute2: (g) /usr/bin/python3 + pyroute2 creating the same → census
// plus `lnx --version` vs `node -e 0`, `lnx validate` of the config as JSON and as YAML (no playground), and
// planning alone on synthetic state (10k / 100k items).
// Medians of wall time (measured around `nsenter … /usr/bin/time …`, the same overhead for every command) and peak
// RSS (`/usr/bin/time -f %M`, else VmHWM polled). Targets are printed next to the ratios, never asserted. Every lnx run
// gets LNX_TIMINGS=1 and the per-step split it prints (start, read+validate, observe, plan, execute, verify; GC time,
// peak RSS, processes started) is printed as medians under the main table, so that a regression shows its step.
import {spawn} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir, cpus, loadavg, release} from 'node:os'
import {join} from 'node:path'
import {BENCH_DIR, DEFAULTS, parseArgs, writeAll} from './generate.mjs'

const ROOT = join(BENCH_DIR, '..')
let LNX = join(ROOT, 'bin', 'run.js')
const NODE = process.execPath
const PY = '/usr/bin/python3'
const TIME = '/usr/bin/time'

const SPEC = {
  namespaces: 'int', pairs: 'int', addrs: 'int', routes: 'int', arps: 'int', runs: 'int', 'version-runs': 'int',
  'plan-items': 'str', 'plan-runs': 'int', only: 'str', lnx: 'str', timeout: 'int', out: 'str', quick: 'bool', json: 'bool', help: 'bool',
}
const QUICK = {namespaces: 4, pairs: 40, addrs: 1, routes: 200, arps: 80}
const GROUPS = ['version', 'validate', 'plan', 'lnx', 'floor', 'perop', 'pyroute2']
const USAGE = `usage: npm run bench -- [flags]        (root; build first: npx tsc -p . && npx oclif manifest)
  --namespaces N --pairs N --addrs N --routes N --arps N   scale (default ${Object.values(DEFAULTS).join(' / ')})
  --runs N            measured runs per chain (default 3; at least 3 recommended)
  --version-runs N    runs of lnx --version and node -e 0, and of lnx validate JSON/YAML (default 15)
  --plan-items A,B    planning sizes (default 10000,100000)   --plan-runs N (default 3)
  --only G,G          run only these groups: ${GROUPS.join(',')}
  --timeout S         per command (default 1200)   --out DIR   where generated files go (default bench/out/<scale>)
  --quick             smoke run: ${Object.values(QUICK).join(' / ')}, planning at 1000,10000
  --lnx PATH          the lnx to measure (default bin/run.js of this checkout; e.g. a copy pinned while others rebuild dist/);
                      planning imports the dist/ beside it
  --json              machine output (one JSON object on stdout; progress on stderr)`

// ---------- small helpers ----------
const now = () => Number(process.hrtime.bigint()) / 1e6
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b)
  if (!s.length) return NaN
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
let quiet = false
const log = (...a) => {
  if (!quiet) process.stderr.write(a.join(' ') + '\n')
}
const fmtMs = (ms) => (!Number.isFinite(ms) ? '—' : ms >= 10000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 2 : 1)} ms`)
const fmtMB = (kb) => (Number.isFinite(kb) ? `${Math.round(kb / 1024)} MB` : '—')

/** Spawns a command; resolves with wall time, peak RSS (KB), exit code, output. */
function runCmd(file, args, {input, timeoutMs, rssFile} = {}) {
  return new Promise((resolve) => {
    const t0 = now()
    // LNX_TIMINGS=1: lnx prints its per-step split on stderr at exit ("lnx-timings {…}", src/engine/timings.ts).
    const p = spawn(file, args, {stdio: ['pipe', 'pipe', 'pipe'], env: {...process.env, NO_COLOR: '1', LNX_TIMINGS: '1'}})
    let stdout = ''
    let stderr = ''
    let tail = ''
    let outBytes = 0
    let hwm = NaN
    // Keeps the first and the last 4 KB of stdout (a dump can be megabytes).
    p.stdout.on('data', (d) => {
      outBytes += d.length
      if (stdout.length < 4096) stdout += d
      else tail = (tail + d).slice(-4096)
    })
    p.stderr.on('data', (d) => {
      stderr += d
      if (stderr.length > 1 << 20) stderr = stderr.slice(-65536)
    })
    p.stdin.on('error', () => {})
    p.stdin.end(input ?? '')
    // Fallback peak RSS without /usr/bin/time: nsenter -n -m execs in place, so p.pid is the measured program.
    const poll = rssFile ? null : setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${p.pid}/status`, 'utf8'))
        if (m) hwm = Math.max(Number.isFinite(hwm) ? hwm : 0, Number(m[1]))
      } catch {}
    }, 20)
    const timer = timeoutMs ? setTimeout(() => p.kill('SIGKILL'), timeoutMs) : null
    p.on('error', (e) => {
      stderr += String(e)
    })
    p.on('close', (code, signal) => {
      const ms = now() - t0
      if (poll) clearInterval(poll)
      if (timer) clearTimeout(timer)
      let rss = hwm
      if (rssFile) {
        try {
          const lines = readFileSync(rssFile, 'utf8').trim().split('\n')
          rss = Number(lines[lines.length - 1])
          // /usr/bin/time prints "Command exited with non-zero status N" first; the code is ours anyway.
        } catch {}
        rmSync(rssFile, {force: true})
      }
      resolve({ms, rss, code: code ?? (signal ? 128 : -1), signal, stdout: stdout + tail, stderr, outBytes, complete: outBytes <= 4096})
    })
  })
}

/** lnx's own split of a run (LNX_TIMINGS=1): {step: {ms, cpuMs}, gcMs, maxRssMB, processes}, or null. */
function stepSplit(stderr) {
  const m = /^lnx-timings (\{.*\})$/m.exec(stderr ?? '')
  if (!m) return null
  try {
    return JSON.parse(m[1])
  } catch {
    return null
  }
}

const STEPS = ['start', 'read+validate', 'observe', 'plan', 'execute', 'verify', 'end']

/** Per step, the median over runs of wall ms and of lnx's own CPU ms (a step a run skipped counts as 0). */
function medianSplit(runs) {
  if (!runs?.length) return null
  const out = {}
  for (const s of STEPS) out[s] = {ms: median(runs.map((r) => r[s]?.ms ?? 0)), cpuMs: median(runs.map((r) => r[s]?.cpuMs ?? 0))}
  for (const k of ['gcMs', 'maxRssMB', 'processes']) out[k] = median(runs.map((r) => r[k]))
  return out
}

// ---------- the playground ----------
class Playground {
  constructor(holder) {
    this.holder = holder
    this.pid = holder.pid
  }

  static async create() {
    const holder = spawn('unshare', ['--net', '--mount', '--propagation', 'private', '--', 'sh', '-c',
      'mount -t tmpfs tmpfs /run && mkdir -p /run/netns && mount -t sysfs none /sys && echo ready && exec sleep 1000000'],
    {stdio: ['ignore', 'pipe', 'pipe']})
    let err = ''
    holder.stderr.on('data', (d) => (err += d))
    await new Promise((resolve, reject) => {
      holder.on('error', reject)
      holder.on('exit', (c) => reject(new Error(`playground exited with ${c}: ${err}`)))
      holder.stdout.once('data', () => resolve())
    })
    holder.removeAllListeners('exit')
    return new Playground(holder)
  }

  /** A measured command inside the playground. */
  measure(argv, opts = {}) {
    const ns = ['-t', String(this.pid), '-n', '-m', '--']
    if (HAVE_TIME) {
      const rssFile = join(TMP, `rss-${process.pid}-${Math.random().toString(36).slice(2)}`)
      return runCmd('nsenter', [...ns, TIME, '-o', rssFile, '-f', '%M', ...argv], {...opts, rssFile})
    }
    return runCmd('nsenter', [...ns, ...argv], opts)
  }

  run(argv, opts = {}) {
    return runCmd('nsenter', ['-t', String(this.pid), '-n', '-m', '--', ...argv], opts)
  }

  /** Kills the holder, then waits until its namespaces are gone. Returns the wait in ms. */
  async destroy() {
    const t0 = now()
    const exited = new Promise((r) => (this.holder.exitCode !== null || this.holder.signalCode !== null ? r() : this.holder.once('exit', r)))
    this.holder.kill('SIGKILL')
    await exited
    await netnsQuiet()
    return now() - t0
  }
}

/** Namespace teardown is asynchronous (cleanup_net on the `netns` workqueue: devices unregistered, routes
 * flushed). Polls until no kworker has been busy on that workqueue ("kworker/…+netns") for 300 ms. */
async function netnsQuiet({quietMs = 300, maxMs = 300000} = {}) {
  const t0 = now()
  let quietSince = now()
  while (now() - t0 < maxMs) {
    if (netnsBusy()) quietSince = now()
    else if (now() - quietSince >= quietMs) return
    await sleep(20)
  }
  log(`  warning: netns workqueue still busy after ${maxMs / 1000} s`)
}

function netnsBusy() {
  for (const d of readdirSync('/proc')) {
    if (d.charCodeAt(0) > 57) continue
    let comm
    try {
      comm = readFileSync(`/proc/${d}/comm`, 'utf8')
    } catch {
      continue
    }
    if (comm.startsWith('kworker') && comm.includes('+netns')) return true
  }
  return false
}

/** What the playground holds (independent of lnx): owned links up, IPv4 addresses on them, gateway routes, permanent neighbours. */
async function census(pg) {
  const script = 'echo "#"; ip -j addr show; ip -j route show; ip -j neigh show nud permanent; cd /run/netns && for n in *; do [ -e "$n" ] || continue; echo "#$n"; ip -n "$n" -j addr show; ip -n "$n" -j route show; ip -n "$n" -j neigh show nud permanent; done'
  const c = {namespaces: 0, links: 0, linksUp: 0, addresses: 0, routes: 0, arps: 0}
  let part = 0
  for (const line of await fullOutput(pg, script)) {
    if (line.startsWith('#')) {
      if (line.length > 1) c.namespaces++
      part = 0
      continue
    }
    if (!line.startsWith('[')) continue
    const arr = JSON.parse(line)
    if (part === 0) {
      for (const l of arr) {
        if (String(l.group) !== '76') continue
        c.links++
        if ((l.flags ?? []).includes('UP')) c.linksUp++
        c.addresses += (l.addr_info ?? []).filter((a) => a.family === 'inet').length
      }
    } else if (part === 1) c.routes += arr.filter((x) => x.gateway).length
    else c.arps += arr.length
    part++
  }
  return c
}

/** census needs all of the output (runCmd keeps only the first and last 4 KB). */
function fullOutput(pg, script) {
  return new Promise((resolve) => {
    const p = spawn('nsenter', ['-t', String(pg.pid), '-n', '-m', '--', 'sh', '-c', script], {stdio: ['ignore', 'pipe', 'ignore']})
    let s = ''
    p.stdout.on('data', (d) => (s += d))
    p.on('close', () => resolve(s.split('\n')))
  })
}

// ---------- main ----------
let HAVE_TIME = false
let TMP = tmpdir()

async function main() {
  let f
  try {
    f = parseArgs(process.argv.slice(2), SPEC)
  } catch (e) {
    console.error(`${e.message}\n${USAGE}`)
    process.exit(2)
  }
  if (f.help) {
    console.log(USAGE)
    return
  }
  quiet = false
  const scale = {...DEFAULTS, ...(f.quick ? QUICK : {})}
  for (const k of Object.keys(DEFAULTS)) if (f[k] !== undefined) scale[k] = f[k]
  const runs = f.runs ?? 3
  const versionRuns = f['version-runs'] ?? 15
  const planItems = (f['plan-items'] ?? (f.quick ? '1000,10000' : '10000,100000')).split(',').map((x) => Number.parseInt(x, 10)).filter((x) => x > 0)
  const planRuns = f['plan-runs'] ?? 3
  const only = new Set(f.only ? f.only.split(',') : GROUPS)
  for (const g of only) if (!GROUPS.includes(g)) throw new Error(`--only: unknown group ${g} (known: ${GROUPS.join(',')})`)
  const timeoutMs = (f.timeout ?? 1200) * 1000
  if (f.lnx) LNX = f.lnx
  const DIST = join(LNX, '..', '..', 'dist')

  if (!existsSync(LNX) || !existsSync(join(DIST, 'bundle', 'lnx.mjs')) || !existsSync(join(DIST, '..', 'oclif.manifest.json'))) {
    console.error('lnx is not built: cd ' + join(DIST, '..') + ' && npx tsc -p . && npx oclif manifest')
    process.exit(4)
  }
  if (process.getuid?.() !== 0 && [...only].some((g) => !['version', 'validate', 'plan'].includes(g))) {
    console.error('the kernel benchmarks need root (playgrounds: unshare --net --mount); use --only version,validate,plan without it')
    process.exit(4)
  }
  HAVE_TIME = existsSync(TIME)
  TMP = mkdtempSync(join(tmpdir(), 'lnx-bench-'))
  const havePyroute2 = existsSync(PY) && (await runCmd(PY, ['-c', 'import pyroute2'])).code === 0
  if (only.has('pyroute2') && !havePyroute2) log('note: /usr/bin/python3 with pyroute2 not found (apt-get install -y python3-pyroute2): skipping (g)')

  const tag = `${scale.namespaces}ns-${scale.pairs}p-${scale.addrs}a-${scale.routes}r-${scale.arps}n`
  const outDir = f.out ?? join(BENCH_DIR, 'out', tag)
  const gen = writeAll(scale, outDir)
  const cfg = join(outDir, 'config.json')
  const ipV = (await runCmd('ip', ['-V'])).stdout.trim()
  // The machine's load at the start and the end: ratios in one run stand a busy host better than absolute times.
  const loadStart = loadavg()
  log(`lnx bench: ${tag} → ${outDir}`)
  log(`  ${JSON.stringify(gen.counts)}; runs ${runs}; peak RSS via ${HAVE_TIME ? TIME + ' -f %M' : 'VmHWM polling'}`)

  const M = {} // metric id → {label, ms: [], rss: [], codes: [], notes: []}
  const rec = (id, label, r, note) => {
    const m = (M[id] ??= {label, ms: [], rss: [], codes: [], notes: []})
    m.ms.push(r.ms)
    m.rss.push(r.rss)
    m.codes.push(r.code)
    if (r.code !== 0) m.notes.push(`exit ${r.code}: ${lastLines(r.stderr || r.stdout, 2).slice(0, 300)}`)
    if (note) m.notes.push(note.slice(0, 300))
    const split = stepSplit(r.stderr)
    if (split) (m.steps ??= []).push(split)
    log(`  ${label.padEnd(34)} ${fmtMs(r.ms).padStart(9)}  ${fmtMB(r.rss).padStart(7)}  exit ${r.code}${note ? '  ' + note : ''}`)
    return r
  }
  const checks = []
  const expected = {links: gen.counts.interfaces, addresses: gen.counts.addresses, routes: gen.counts.routes, arps: gen.counts.arps}
  const check = async (what, pg) => {
    const c = await census(pg)
    const ok = c.links === expected.links && c.linksUp === expected.links && c.addresses === expected.addresses && c.routes === expected.routes && c.arps === expected.arps
    checks.push({what, ok, census: c, expected})
    log(`  census after ${what}: ${JSON.stringify(c)} ${ok ? 'ok' : 'MISMATCH (expected ' + JSON.stringify(expected) + ')'}`)
  }
  const teardown = []

  // --- lnx --version vs node -e 0 (no playground) ---
  if (only.has('version')) {
    log(`version: ${versionRuns} runs each (2 warm-ups), interleaved`)
    const v = (argv) => (HAVE_TIME ? runCmd(TIME, ['-o', join(TMP, 'v'), '-f', '%M', ...argv], {rssFile: join(TMP, 'v')}) : runCmd(argv[0], argv.slice(1)))
    for (let k = 0; k < 2; k++) {
      await v([NODE, '-e', '0'])
      await v([NODE, LNX, '--version'])
    }
    for (let k = 0; k < versionRuns; k++) {
      const a = await v([NODE, '-e', '0'])
      const b = await v([NODE, LNX, '--version'])
      for (const [id, label, r] of [['version.node', 'node -e 0', a], ['version.lnx', 'lnx --version', b]]) {
        const m = (M[id] ??= {label, ms: [], rss: [], codes: [], notes: []})
        m.ms.push(r.ms)
        m.rss.push(r.rss)
        m.codes.push(r.code)
      }
    }
    log(`  node -e 0 ${fmtMs(median(M['version.node'].ms))}, lnx --version ${fmtMs(median(M['version.lnx'].ms))}`)
  }

  // --- reading and validating the config: JSON vs the same as YAML (no playground: validate never looks at the host) ---
  if (only.has('validate')) {
    const yamlCfg = join(outDir, 'config.yaml')
    log(`validate: ${versionRuns} runs each (1 warm-up), JSON and YAML interleaved`)
    // Wall time, and CPU time (user + system), which a busy machine disturbs less.
    const timed = async (file) => {
      if (!HAVE_TIME) return {...(await runCmd(NODE, [LNX, 'validate', '-f', file], {timeoutMs})), cpu: NaN}
      const f = join(TMP, 'vt')
      const r = await runCmd(TIME, ['-o', f, '-f', '%U %S %M', NODE, LNX, 'validate', '-f', file], {timeoutMs})
      const [u, sy, kb] = readFileSync(f, 'utf8').trim().split('\n').pop().split(' ').map(Number)
      rmSync(f, {force: true})
      return {...r, rss: kb, cpu: (u + sy) * 1000}
    }
    await timed(cfg)
    await timed(yamlCfg)
    for (let k = 0; k < versionRuns; k++) {
      for (const [id, label, file] of [['validate.json', 'lnx validate (JSON)', cfg], ['validate.yaml', 'lnx validate (YAML)', yamlCfg]]) {
        const r = await timed(file)
        const m = (M[id] ??= {label, ms: [], rss: [], codes: [], notes: [], cpu: []})
        m.ms.push(r.ms)
        m.rss.push(r.rss)
        m.codes.push(r.code)
        m.cpu.push(r.cpu)
        if (r.code !== 0) m.notes.push(`exit ${r.code}: ${lastLines(r.stderr || r.stdout, 2).slice(0, 300)}`)
      }
    }
    const cpuMed = (id) => median(M[id].cpu)
    log(`  JSON ${fmtMs(median(M['validate.json'].ms))} (cpu ${fmtMs(cpuMed('validate.json'))}), YAML ${fmtMs(median(M['validate.yaml'].ms))} (cpu ${fmtMs(cpuMed('validate.yaml'))})`)
  }

  // --- planning alone, synthetic state ---
  const plans = []
  if (only.has('plan')) {
    for (const items of planItems) {
      log(`plan: ~${items} items (${planRuns} runs)`)
      const r = await runCmd(HAVE_TIME ? TIME : NODE, [...(HAVE_TIME ? ['-o', join(TMP, 'p'), '-f', '%M', NODE] : []), join(BENCH_DIR, 'plan-bench.mjs'), '--items', String(items), '--runs', String(planRuns), '--dist', DIST], {rssFile: HAVE_TIME ? join(TMP, 'p') : undefined, timeoutMs})
      let j
      try {
        j = JSON.parse(r.stdout.trim().split('\n').pop())
      } catch {
        j = {error: `exit ${r.code}: ${lastLines(r.stderr, 3)}`}
      }
      j.peakRssKB = r.rss
      j.requested = items
      plans.push(j)
      if (j.error) log(`  error: ${j.error}`)
      else log(`  ${j.items} items: validate ${fmtMs(j.validateMs)}; noop parse ${fmtMs(j.noop.parseMs)} plan ${fmtMs(j.noop.planMs)} (${j.noop.changes} changes); fresh plan ${fmtMs(j.fresh.planMs)} (${j.fresh.changes} changes); peak ${fmtMB(r.rss)}`)
    }
  }

  // --- kernel chains, interleaved per run ---
  for (let run = 1; run <= runs; run++) {
    const first = run === 1
    if (only.has('lnx')) {
      log(`run ${run}/${runs}: lnx`)
      const pg = await Playground.create()
      try {
        const a = await pg.measure([NODE, LNX, 'apply', '-f', cfg], {timeoutMs})
        rec('lnx.apply', 'lnx apply (fresh)', a, a.code === 0 ? undefined : lastLines(a.stdout, 1))
        if (first) await check('lnx apply', pg)
        const b = await pg.measure([NODE, LNX, 'apply', '-f', cfg], {timeoutMs})
        rec('lnx.reapply', 'lnx apply (again, no-op)', b, /nothing to do/.test(b.stdout) ? undefined : `not a no-op: ${lastLines(b.stdout, 1)}`)
        const c = await pg.measure([NODE, LNX, 'dump', 'all', '-o', 'json'], {timeoutMs})
        rec('lnx.dump', 'lnx dump all -o json', c, `${Math.round(c.outBytes / 1024)} KB`)
        const d = await pg.measure(['sh', join(outDir, 'floor', 'dump.sh')], {timeoutMs})
        rec('raw.dump', 'raw ip -json dumps (all ns)', d, `${Math.round(d.outBytes / 1024)} KB`)
        const e = await pg.measure([NODE, LNX, 'delete', '-f', cfg], {timeoutMs})
        rec('lnx.delete', 'lnx delete -f', e, e.code === 0 ? undefined : lastLines(e.stdout, 1))
      } finally {
        teardown.push(await pg.destroy())
      }
    }
    if (only.has('floor')) {
      log(`run ${run}/${runs}: floor`)
      const pg = await Playground.create()
      try {
        rec('floor.apply', 'ip -batch files (floor)', await pg.measure(['sh', join(outDir, 'floor', 'apply.sh')], {timeoutMs}))
        if (first) await check('floor', pg)
        rec('floor.delete', 'ip link del group 76 (floor)', await pg.measure(['sh', join(outDir, 'floor', 'delete.sh')], {timeoutMs}))
      } finally {
        teardown.push(await pg.destroy())
      }
    }
    if (only.has('perop')) {
      log(`run ${run}/${runs}: one ip process per op (${gen.counts.ops} processes)`)
      const pg = await Playground.create()
      try {
        rec('perop.apply', 'one ip process per op', await pg.measure([NODE, join(BENCH_DIR, 'exec-ops.mjs'), join(outDir, 'ops.json')], {timeoutMs}))
        if (first) await check('one ip per op', pg)
      } finally {
        teardown.push(await pg.destroy())
      }
    }
    if (only.has('pyroute2') && havePyroute2) {
      log(`run ${run}/${runs}: pyroute2`)
      const pg = await Playground.create()
      try {
        rec('pyroute2.apply', 'pyroute2 (python3)', await pg.measure([PY, join(outDir, 'pyroute2_apply.py'), cfg], {timeoutMs}))
        if (first) await check('pyroute2', pg)
      } finally {
        teardown.push(await pg.destroy())
      }
    }
  }

  // --- results ---
  const med = (id) => (M[id] ? median(M[id].ms) : NaN)
  const rss = (id) => (M[id] ? Math.max(...M[id].rss.filter(Number.isFinite)) : NaN)
  const failed = (id) => !!M[id]?.codes.some((c) => c !== 0)
  const ratio = (a, b) => med(a) / med(b)
  const plan = (n, kind) => plans.find((p) => p.requested === n)?.[kind]?.planMs
  const [pSmall, pLarge] = [planItems[0], planItems[planItems.length - 1]]
  const step = (id, s) => medianSplit(M[id]?.steps)?.[s]?.ms ?? NaN
  const targets = [
    {id: 'apply/floor', what: 'fresh apply vs ip -batch floor', value: ratio('lnx.apply', 'floor.apply'), op: '<=', target: 1.5, unit: '×'},
    {id: 'perop/apply', what: 'one ip per op vs lnx apply (lnx faster by)', value: ratio('perop.apply', 'lnx.apply'), op: '>=', target: 10, unit: '×'},
    {id: 'pyroute2/apply', what: 'pyroute2 vs lnx apply (lnx faster by)', value: ratio('pyroute2.apply', 'lnx.apply'), op: '>', target: 1, unit: '×'},
    {id: 'reapply/floor', what: 'no-op re-apply vs floor', value: ratio('lnx.reapply', 'floor.apply'), op: '<=', target: 0.75, unit: '×'},
    {id: 'delete/groupdel', what: 'lnx delete vs group-delete floor', value: ratio('lnx.delete', 'floor.delete'), op: '<=', target: 1.5, unit: '×'},
    {id: 'version/node', what: 'lnx --version vs node -e 0', value: ratio('version.lnx', 'version.node'), op: '<=', target: 2.5, unit: '×'},
    {id: 'dump/raw', what: 'lnx dump vs raw ip -json dumps', value: ratio('lnx.dump', 'raw.dump'), op: '<=', target: 3, unit: '×'},
    {id: 'validate-yaml/json', what: `lnx validate, YAML vs JSON (${gen.counts.items} items)`, value: ratio('validate.yaml', 'validate.json'), op: '<=', target: 1.5, unit: '×'},
    {id: 'validate-yaml/json-cpu', what: 'the same in CPU time (user + system)', value: median(M['validate.yaml']?.cpu ?? []) / median(M['validate.json']?.cpu ?? []), op: '<=', target: 1.5, unit: '×'},
    {id: 'plan-noop', what: `planning ${pLarge} vs ${pSmall} items (no-op state)`, value: plan(pLarge, 'noop') / plan(pSmall, 'noop'), op: '<=', target: 10, unit: '×'},
    {id: 'plan-fresh', what: `planning ${pLarge} vs ${pSmall} items (fresh state)`, value: plan(pLarge, 'fresh') / plan(pSmall, 'fresh'), op: '<=', target: 10, unit: '×'},
    {id: 'split-validate', what: `read + validate ${gen.counts.items} items (in lnx apply)`, value: step('lnx.apply', 'read+validate'), op: '<=', target: 80, unit: ' ms'},
    {id: 'split-plan', what: `plan ${gen.counts.items} creates (in lnx apply)`, value: step('lnx.apply', 'plan'), op: '<=', target: 100, unit: ' ms'},
    {id: 'split-verify', what: 'verify after the fresh apply (in lnx apply)', value: step('lnx.apply', 'verify'), op: '<=', target: 100, unit: ' ms'},
    {id: 'apply-rss', what: `peak RSS of lnx apply (${gen.counts.items} items)`, value: rss('lnx.apply') / 1024, op: '<=', target: 300, unit: ' MB'},
  ]
  for (const t of targets) {
    t.met = !Number.isFinite(t.value) ? null : t.op === '<=' ? t.value <= t.target : t.op === '>=' ? t.value >= t.target : t.value > t.target
  }
  const failures = Object.entries(M).filter(([id]) => failed(id)).map(([id, m]) => ({id, codes: m.codes, notes: [...new Set(m.notes)]}))
  const result = {
    scale, counts: gen.counts, runs, outDir, lnx: LNX,
    env: {node: process.version, kernel: release(), iproute2: ipV, cpus: cpus().length, loadavg: loadavg(), loadavgStart: loadStart, rssMethod: HAVE_TIME ? 'time -f %M' : 'VmHWM'},
    metrics: Object.fromEntries(Object.entries(M).map(([id, m]) => [id, {label: m.label, medianMs: median(m.ms), ms: m.ms, ...(m.cpu ? {medianCpuMs: median(m.cpu)} : {}), ...(m.steps ? {steps: medianSplit(m.steps), stepRuns: m.steps} : {}), peakRssKB: Math.max(...m.rss.filter(Number.isFinite)), exitCodes: m.codes, notes: [...new Set(m.notes)]}])),
    planning: plans,
    targets: targets.map((t) => ({...t, value: Number.isFinite(t.value) ? Number(t.value.toFixed(3)) : null})),
    checks, failures,
    teardownMs: {median: median(teardown), max: teardown.length ? Math.max(...teardown) : null},
  }
  rmSync(TMP, {recursive: true, force: true})
  writeFileSync(join(outDir, 'result.json'), JSON.stringify(result, null, 1) + '\n')
  if (f.json) {
    process.stdout.write(JSON.stringify(result, null, 1) + '\n')
    return
  }
  // Human table.
  const floor = med('floor.apply')
  const rows = [['scenario', 'median', 'min … max (n)', 'peak RSS', 'vs floor', 'exit']]
  const spread = (xs) => `${fmtMs(Math.min(...xs))} … ${fmtMs(Math.max(...xs))} (${xs.length})`
  const order = ['lnx.apply', 'lnx.reapply', 'lnx.dump', 'raw.dump', 'lnx.delete', 'floor.apply', 'floor.delete', 'perop.apply', 'pyroute2.apply', 'version.lnx', 'version.node', 'validate.json', 'validate.yaml']
  for (const id of order) {
    const m = M[id]
    if (!m) continue
    const vsFloor = id.startsWith('version') || id.startsWith('validate') || id.endsWith('dump') || id.endsWith('delete') || !Number.isFinite(floor) ? '' : `${(med(id) / floor).toFixed(2)}×`
    rows.push([m.label, fmtMs(med(id)), spread(m.ms), fmtMB(rss(id)), vsFloor, [...new Set(m.codes)].join(',')])
  }
  for (const p of plans) {
    if (p.error) {
      rows.push([`plan ~${p.requested} items`, 'error', '', fmtMB(p.peakRssKB), '', ''])
      continue
    }
    rows.push([`plan ${p.items} items, no-op state`, fmtMs(p.noop.planMs), spread(p.noop.allPlanMs ?? []), fmtMB(p.peakRssKB), '', `${p.noop.changes} chg`])
    rows.push([`plan ${p.items} items, fresh state`, fmtMs(p.fresh.planMs), spread(p.fresh.allPlanMs ?? []), '', '', `${p.fresh.changes} chg`])
    rows.push([`  (parse ip-json ${p.items} items)`, fmtMs(p.noop.parseMs), '', '', '', `validate ${fmtMs(p.validateMs)}`])
  }
  const out = [`lnx bench — ${gen.counts.namespaces} namespaces, ${gen.counts.interfaces / 2} veth pairs, ${gen.counts.addresses} addresses, ${gen.counts.routes} routes, ${gen.counts.arps} ARP entries (${gen.counts.items} items, ${gen.counts.ops} ip ops); ${runs} runs; ${process.version}, kernel ${release()}, ${cpus().length} CPUs`, '']
  out.push(...table(rows), '')
  // Where each lnx run's time goes (lnx's own LNX_TIMINGS split), so that a regression shows its step.
  const splitRows = [['lnx step split (median wall ms / lnx CPU ms)', ...STEPS, 'GC ms', 'peak RSS', 'processes']]
  for (const id of ['lnx.apply', 'lnx.reapply', 'lnx.delete', 'lnx.dump']) {
    const sp = medianSplit(M[id]?.steps)
    if (!sp) continue
    splitRows.push([M[id].label, ...STEPS.map((s) => (sp[s].ms || sp[s].cpuMs ? `${Math.round(sp[s].ms)} / ${Math.round(sp[s].cpuMs)}` : '—')), String(Math.round(sp.gcMs)), `${Math.round(sp.maxRssMB)} MB`, String(sp.processes)])
  }
  if (splitRows.length > 1) out.push(...table(splitRows), '')
  out.push(`machine load average at the start: ${loadStart.map((x) => x.toFixed(2)).join(' ')}, at the end: ${loadavg().map((x) => x.toFixed(2)).join(' ')} (${cpus().length} CPUs); JSON: ${join(outDir, 'result.json')}`, '')
  out.push(...table([['target (informational)', 'measured', 'target', 'met'], ...targets.map((t) => [t.what, Number.isFinite(t.value) ? `${t.value.toFixed(2)}${t.unit}` : '—', `${t.op} ${t.target}${t.unit}`, t.met === null ? '—' : t.met ? 'yes' : 'NO'])]), '')
  for (const c of checks) out.push(`census after ${c.what}: ${c.ok ? 'as expected' : 'MISMATCH'} ${JSON.stringify(c.census)}`)
  for (const fl of failures) out.push(`FAILED ${fl.id}: exits ${fl.codes.join(',')}: ${fl.notes[0] ?? ''}`)
  if (teardown.length) out.push(`playground teardown (kill → netns workqueue quiet): median ${fmtMs(median(teardown))}, max ${fmtMs(Math.max(...teardown))}`)
  console.log(out.join('\n'))
}

function lastLines(s, n) {
  return String(s ?? '').trim().split('\n').slice(-n).join(' / ').slice(0, 400)
}

function table(rows) {
  const w = rows[0].map((_, k) => Math.max(...rows.map((r) => String(r[k] ?? '').length)))
  return rows.map((r, i) => {
    const line = r.map((c, k) => String(c ?? '').padEnd(w[k])).join('  ').trimEnd()
    return i === 0 ? `${line}\n${w.map((x) => '-'.repeat(x)).join('  ')}` : line
  })
}

main().catch((e) => {
  console.error(e?.stack ?? String(e))
  process.exit(1)
})
