// `lnx doctor`: what lnx needs from the host and what it found — tools and their features, the kernel's link
// types, privileges, /run/netns, the container engine, etcd, the apply lock. Each failed check names its fix.
import {constants} from 'node:fs'
import {access, readFile, stat} from 'node:fs/promises'
import {LnxError} from '../errors.js'
import {runTool, parseBatchErrors, type RunResult} from '../kernel/run.js'
import {listStrays, NETNS_DIR} from '../kernel/namespaces.js'
import {lockState} from './lock.js'
import {KINDS} from '../kinds/index.js'
import {describeTry, readJournal, timerAlive} from './try-journal.js'
import {DockerEngine, EngineUnreachable, engineEndpoint} from '../adapters/docker.js'

export interface Check {
  name: string
  ok: boolean
  required: boolean
  found: string
  fix?: string
}

export interface DoctorResult {
  checks: Check[]
  /** Every required check passed. */
  ok: boolean
}

/** Optional checks that --require can make required: the link kinds the kernel may lack, and the rest. */
export const OPTIONAL_CHECKS: readonly string[] = [...KINDS.flatMap((k) => (k.kernel && !k.kernel.required ? [`link-${k.kernel.check}`] : [])), 'link-bridge', 'docker', 'lock', 'try']

export interface DoctorOptions {
  etcd?: string
  require?: string[]
}

const CAP_NET_ADMIN = 12
const CAP_SYS_ADMIN = 21

/** A tool that may be missing: its result, or null when it is not installed. */
async function tool(cmd: string, args: string[]): Promise<RunResult | null> {
  try {
    return await runTool(cmd, args)
  } catch (e) {
    if (e instanceof LnxError && e.code === 'MISSING_TOOL') return null
    throw e
  }
}

const firstLine = (s: string) => s.split('\n').map((l) => l.trim()).find(Boolean) ?? ''

/** iproute2 version from `ip -V`: "iproute2-6.1.0" → [6, 1, 0]; old "iproute2-ss200127" → by release date. */
export function iprouteVersion(text: string): {text: string; atLeast: (major: number, minor: number) => boolean} | null {
  const m = /iproute2-(\d+)\.(\d+)(?:\.(\d+))?/.exec(text)
  if (m) {
    const [maj, min] = [Number(m[1]), Number(m[2])]
    return {text: m[0], atLeast: (a, b) => maj > a || (maj === a && min >= b)}
  }
  const s = /iproute2-ss\d{6}/.exec(text)
  // Snapshot tags ("ss" + release date) belong to old releases: the version cannot vouch for a feature, probes must.
  if (s) return {text: s[0], atLeast: () => false}
  return null
}

/** Bits of CapEff (hex) → the capabilities lnx needs that are missing. */
export function missingCaps(capEffHex: string): string[] {
  const eff = BigInt(`0x${capEffHex || '0'}`)
  const out: string[] = []
  if (!(eff & (1n << BigInt(CAP_NET_ADMIN)))) out.push('CAP_NET_ADMIN')
  if (!(eff & (1n << BigInt(CAP_SYS_ADMIN)))) out.push('CAP_SYS_ADMIN')
  return out
}

async function checkIproute(): Promise<Check[]> {
  const v = await tool('ip', ['-V'])
  if (!v) {
    const fix = 'apt-get install iproute2'
    return [
      {name: 'iproute2', ok: false, required: true, found: 'ip not installed', fix},
      {name: 'ip-json', ok: false, required: true, found: 'ip not installed', fix},
      {name: 'neigh-protocol', ok: false, required: true, found: 'ip not installed', fix},
    ]
  }
  const text = firstLine(v.stdout + v.stderr)
  const ver = iprouteVersion(text)
  const checks: Check[] = [{name: 'iproute2', ok: v.exitCode === 0, required: true, found: ver?.text ?? (text || `ip -V exited ${v.exitCode}`), ...(v.exitCode === 0 ? {} : {fix: 'apt-get install iproute2'})}]

  const j = await runTool('ip', ['-j', 'link', 'show', 'lo'])
  let jsonOk = false
  try {
    const a = JSON.parse(j.stdout)
    jsonOk = Array.isArray(a) && a[0]?.ifname === 'lo'
  } catch {
    jsonOk = false
  }
  checks.push({name: 'ip-json', ok: jsonOk, required: true, found: jsonOk ? 'ip -j link show lo parses' : `no JSON output (${firstLine(j.stderr) || 'unparsable'})`,
    ...(jsonOk ? {} : {fix: 'upgrade iproute2 (JSON output needs 4.14 or later)'})})

  // Neighbour protocol (lnx's ownership mark on ARP entries): iproute2 ≥ 5.8, or the help names it.
  const h = await runTool('ip', ['neigh', 'help'])
  const inHelp = /\bprotocol\b/.test(h.stdout + h.stderr)
  const byVersion = !!ver?.atLeast(5, 8)
  const nOk = inHelp || byVersion
  checks.push({name: 'neigh-protocol', ok: nOk, required: true,
    found: nOk ? `supported (${[byVersion ? 'iproute2 ≥ 5.8' : '', inHelp ? '"ip neigh help" names it' : ''].filter(Boolean).join(', ')})` : 'ip neigh has no "protocol" (iproute2 < 5.8)',
    ...(nOk ? {} : {fix: 'upgrade iproute2 to 5.8 or later'})})
  return checks
}

async function checkTool(name: string, args: string[], fix: string): Promise<Check> {
  const r = await tool(name, args)
  if (!r) return {name, ok: false, required: true, found: 'not installed', fix}
  const text = firstLine(r.stdout + r.stderr)
  return {name, ok: r.exitCode === 0, required: true, found: text || `exit ${r.exitCode}`, ...(r.exitCode === 0 ? {} : {fix})}
}

/** What the link kinds need from the kernel (the registry's), and bridges, which lnx adopts but never creates. */
const PROBES: {type: string; module: string; required: boolean; why: string; fix?: string; probe: (name: string) => string}[] = [
  ...KINDS.flatMap((k) => (k.kernel ? [{...k.kernel, type: k.kernel.check, why: `${k.type} interfaces`}] : [])),
  {type: 'bridge', module: 'bridge', required: false, why: 'bridges (lnx itself creates none)', probe: (n) => `link add ${n} type bridge`},
]
const LINK_TYPES = PROBES.map((t, i) => ({...t, line: t.probe(`lnxprobe${i}`)}))

/**
 * Creates one link of each type inside a throwaway network namespace (one `ip -force -batch -` under `unshare
 * --net`; with a user namespace too when not privileged): nothing on the host changes. Falls back to /sys/module.
 */
async function checkLinkTypes(require: Set<string>): Promise<Check[]> {
  const input = LINK_TYPES.map((t) => t.line).join('\n') + '\n'
  let errors: Map<number, string> | null = null
  let how = ''
  for (const pre of [['--net'], ['--user', '--map-root-user', '--net']]) {
    let res: RunResult | null
    try {
      res = await runTool('unshare', [...pre, '--', 'ip', '-force', '-batch', '-'], {input})
    } catch {
      res = null // no unshare: /sys/module below
    }
    if (!res) break
    const errs = parseBatchErrors(res.stderr)
    if (res.exitCode !== 0 && !errs.length) continue // unshare itself refused
    errors = new Map(errs.map((e) => [e.line, e.message]))
    how = pre.includes('--user') ? 'created in a throwaway user+net namespace' : 'created in a throwaway namespace'
    break
  }
  const checks: Check[] = []
  for (const [i, t] of LINK_TYPES.entries()) {
    const name = `link-${t.type}`
    const required = t.required || require.has(name)
    const fix = `${t.fix ?? `modprobe ${t.module} (or a kernel with CONFIG_${t.module.toUpperCase()})`}; needed for ${t.why}`
    const err = errors?.get(i)
    if (errors && (err === undefined || !/Permission denied|Operation not permitted/i.test(err))) {
      const unsupported = err !== undefined && /Unknown device type|not supported|No such (device|file)/i.test(err)
      checks.push(err === undefined
        ? {name, ok: true, required, found: `available (${how})`}
        : {name, ok: false, required, found: unsupported ? 'not supported by this kernel' : `cannot create one: ${err}`, fix})
      continue
    }
    // Not probed (no privileges, even in a user namespace): a loaded module still proves it.
    const loaded = await stat(`/sys/module/${t.module}`).then(() => true, () => false)
    checks.push({name, ok: loaded, required, found: loaded ? `module loaded (/sys/module/${t.module})` : `unknown: not permitted to probe${err ? ` (${err})` : ''}, no /sys/module/${t.module}`,
      ...(loaded ? {} : {fix: `run lnx doctor as root to probe; if missing: ${fix}`})})
  }
  return checks
}

async function checkPrivileges(): Promise<Check> {
  let hex = ''
  try {
    hex = (await readFile('/proc/self/status', 'utf8')).match(/^CapEff:\s*([0-9a-f]+)/m)?.[1] ?? ''
  } catch {
    return {name: 'privileges', ok: false, required: true, found: 'cannot read /proc/self/status', fix: 'mount /proc; run as root'}
  }
  const missing = missingCaps(hex)
  return missing.length
    ? {name: 'privileges', ok: false, required: true, found: `missing ${missing.join(' and ')} (CapEff ${hex})`, fix: 'run as root (sudo lnx …) or grant CAP_NET_ADMIN and CAP_SYS_ADMIN'}
    : {name: 'privileges', ok: true, required: true, found: `CAP_NET_ADMIN, CAP_SYS_ADMIN (CapEff ${hex})`}
}

const writable = (p: string) => access(p, constants.W_OK).then(() => true, () => false)

async function checkNetnsDir(): Promise<Check> {
  const name = 'netns-dir'
  const s = await stat(NETNS_DIR).catch(() => null)
  if (s && !s.isDirectory()) return {name, ok: false, required: true, found: `${NETNS_DIR} is not a directory`, fix: `remove ${NETNS_DIR}; ip netns add recreates it`}
  if (s) {
    const w = await writable(NETNS_DIR)
    return {name, ok: w, required: true, found: `${NETNS_DIR} exists, ${w ? 'writable' : 'not writable'}`, ...(w ? {} : {fix: 'run as root'})}
  }
  const w = await writable('/run')
  return {name, ok: w, required: true, found: `${NETNS_DIR} absent (created on first use)${w ? '' : '; /run not writable'}`, ...(w ? {} : {fix: 'run as root'})}
}

/** GET /_ping on the Docker Engine API (dockerd or podman's compatible service): DOCKER_HOST or /var/run/docker.sock. */
async function checkDocker(required: boolean): Promise<Check> {
  const name = 'docker'
  const ep = engineEndpoint()
  if ('error' in ep) return {name, ok: false, required, found: ep.error, fix: 'set DOCKER_HOST to unix:///path/docker.sock or tcp://host:port'}
  const fix = 'start the Docker Engine (systemctl start docker; or podman system service --time=0 unix:///run/podman/podman.sock with DOCKER_HOST pointing at it); needed only for MICROSERVICE namespaces'
  try {
    const answer = await new DockerEngine(ep).ping()
    return {name, ok: true, required, found: `${ep.where}: reachable (/_ping ${answer})`}
  } catch (e) {
    if (!(e instanceof EngineUnreachable)) throw e
    return {name, ok: false, required, found: `${ep.where}: ${e.detail}`, fix}
  }
}

/** GET <url>/health of each endpoint (comma-separated), 2 s each: ok when one is healthy. */
async function checkEtcd(urls: string): Promise<Check> {
  const name = 'etcd'
  const fix = 'start etcd, or give --etcd the client URL (e.g. http://127.0.0.1:2379)'
  const found: string[] = []
  for (const raw of urls.split(',').map((s) => s.trim()).filter(Boolean)) {
    let u: URL
    try {
      u = new URL(raw.includes('://') ? raw : `http://${raw}`)
    } catch {
      found.push(`${raw}: not a URL`)
      continue
    }
    const health = new URL('health', u.href.endsWith('/') ? u.href : `${u.href}/`)
    try {
      const res = await fetch(health, {signal: AbortSignal.timeout(2000)})
      const text = await res.text()
      let healthy = res.ok
      try {
        const j = JSON.parse(text)
        if (j && 'health' in j) healthy = healthy && String(j.health) === 'true'
      } catch {
        // Not JSON: the status decides.
      }
      if (healthy) return {name, ok: true, required: true, found: `${health.href}: healthy`}
      found.push(`${health.href}: HTTP ${res.status} ${text.trim().slice(0, 80)}`)
    } catch (e: any) {
      found.push(`${health.href}: ${e?.name === 'TimeoutError' ? 'no answer within 2 s' : e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(e)}`)
    }
  }
  return {name, ok: false, required: true, found: found.join('; ') || 'no URL given', fix}
}

async function checkLock(required: boolean): Promise<Check> {
  const name = 'lock'
  try {
    const st = await lockState()
    return st.held
      ? {name, ok: false, required, found: `held${st.pid ? ` by pid ${st.pid}` : ''} (${st.path})`, fix: `another lnx run${st.pid ? ` (pid ${st.pid})` : ''} is applying; wait for it`}
      : {name, ok: true, required, found: `free (${st.path})`}
  } catch (e: any) {
    return {name, ok: false, required, found: `cannot check the lock: ${e.message}`, fix: 'run as root; flock comes with util-linux'}
  }
}

/** Files in /run/netns no namespace is mounted on: every command skips them with a warning; doctor names them. */
async function checkStrays(): Promise<Check> {
  const strays = await listStrays()
  return strays.length
    ? {name: 'netns-strays', ok: false, required: false, found: `not namespaces, skipped: ${strays.map((n) => `${NETNS_DIR}/${n}`).join(', ')}`, fix: strays.map((n) => `ip netns del ${n}`).join('; ')}
    : {name: 'netns-strays', ok: true, required: false, found: `every entry of ${NETNS_DIR} is a namespace`}
}

/** A pending `apply --try` blocks plan and apply until it is decided: say so, and whether its timer still runs. */
async function checkTry(required: boolean): Promise<Check> {
  const name = 'try'
  try {
    const j = await readJournal()
    if (!j) return {name, ok: true, required, found: 'no apply --try pending'}
    const timer = (await timerAlive(j)) ? `reverts at ${new Date(j.deadline).toTimeString().slice(0, 8)} (timer pid ${j.timer!.pid})` : 'its timer is gone: reverted only when told'
    return {name, ok: false, required, found: `${describeTry(j)} waits for confirmation; ${timer}`, fix: 'lnx confirm keeps it, lnx rollback reverts it now'}
  } catch (e) {
    return {name, ok: false, required, found: (e as Error).message, fix: 'lnx rollback decides it; or remove the journal once the host is checked'}
  }
}

export async function doctor(opts: DoctorOptions = {}): Promise<DoctorResult> {
  const require = new Set(opts.require ?? [])
  const [ipChecks, nsenter, ethtool, sysctl, links, priv, netns, strays, docker, lock, pendingTry] = await Promise.all([
    checkIproute(),
    checkTool('nsenter', ['--version'], 'apt-get install util-linux'),
    checkTool('ethtool', ['--version'], 'apt-get install ethtool'),
    checkTool('sysctl', ['--version'], 'apt-get install procps'),
    checkLinkTypes(require),
    checkPrivileges(),
    checkNetnsDir(),
    checkStrays(),
    checkDocker(require.has('docker')),
    checkLock(require.has('lock')),
    checkTry(require.has('try')),
  ])
  const checks: Check[] = [...ipChecks, nsenter, ethtool, sysctl, ...links, priv, netns, strays, docker]
  if (opts.etcd !== undefined) checks.push(await checkEtcd(opts.etcd))
  checks.push(lock, pendingTry)
  return {checks, ok: checks.every((c) => c.ok || !c.required)}
}
