// Namespace references → handles (paths lnx can enter), and discovery of the named namespaces of a host.
import {readdirSync, statfsSync, statSync} from 'node:fs'
import {readFile, stat} from 'node:fs/promises'
import {LnxError} from '../errors.js'
import type {NsRef} from '../model/types.js'
import {nsLabel} from '../model/types.js'
import type {Container} from '../adapters/docker.js'
import type {NsHandle} from './run.js'

export const NETNS_DIR = '/run/netns'

/** The namespace lnx itself runs in. /proc/<our pid> rather than /proc/self: `ip -n X` has switched by the time
 * it resolves a netns path, so "self" would be the target, not us. */
export const DEFAULT_HANDLE: NsHandle = {label: '', path: `/proc/${process.pid}/ns/net`, isDefault: true}

export const namedHandle = (name: string): NsHandle => ({label: name, name, path: `${NETNS_DIR}/${name}`, isDefault: false})

const NSFS_MAGIC = 0x6e736673

// The metadata of /run/netns and /proc/*/ns is in memory: it is asked without the thread pool, whose round trip per
// file cost more than the call — and far more on a busy host, where a run waited on 200 of them to observe.

/** Whether a path is a namespace file (nsfs): a bind-mounted namespace, not the empty file under it. */
export async function isNsfs(path: string): Promise<boolean> {
  return isNsfsNow(path)
}

function isNsfsNow(path: string): boolean {
  try {
    return Number(statfsSync(path).type) === NSFS_MAGIC
  } catch {
    return false
  }
}

/**
 * The entries of /run/netns, split: namespaces, and strays — files no namespace is mounted on (what an `ip netns
 * add` interrupted between creating the file and mounting leaves). Strays are skipped, never entered.
 */
export async function scanNamed(): Promise<{named: string[]; strays: string[]}> {
  return scanNamedNow()
}

/** scanNamed without giving up the thread (a read started ahead of synchronous work). */
export function scanNamedNow(): {named: string[]; strays: string[]} {
  let names: string[]
  try {
    names = readdirSync(NETNS_DIR).filter((n) => !n.startsWith('.')).sort()
  } catch {
    return {named: [], strays: []}
  }
  const ok = names.map((n) => isNsfsNow(`${NETNS_DIR}/${n}`))
  return {named: names.filter((_, i) => ok[i]), strays: names.filter((_, i) => !ok[i])}
}

/** nsId without giving up the thread. */
export function nsIdNow(path: string): string | null {
  try {
    const s = statSync(path)
    return `${s.dev}:${s.ino}`
  } catch {
    return null
  }
}

export async function listNamed(): Promise<string[]> {
  return (await scanNamed()).named
}

export async function listStrays(): Promise<string[]> {
  return (await scanNamed()).strays
}

export const strayMessage = (name: string) =>
  `${NETNS_DIR}/${name} is not a network namespace (a stray or half-made file, e.g. left by an interrupted "ip netns add"): skipped; remove it with "ip netns del ${name}"`

/** Identity of a namespace: device and inode of its nsfs file. */
export async function nsId(path: string): Promise<string | null> {
  return nsIdNow(path)
}

export type Resolved = {handle: NsHandle; id: string | null} | {pending: string} | {invalid: string}

/** Resolves a reference. NSID namespaces that do not exist yet resolve with id null (the plan creates them). */
export async function resolveNs(ref: NsRef, microservices?: MicroserviceLookup): Promise<Resolved> {
  switch (ref.type) {
    case 'DEFAULT':
      return {handle: DEFAULT_HANDLE, id: await nsId(DEFAULT_HANDLE.path)}
    case 'NSID': {
      const h = namedHandle(ref.ref)
      const id = await nsId(h.path)
      if (id && !(await isNsfs(h.path))) return {pending: strayMessage(ref.ref)}
      return {handle: h, id}
    }
    case 'PID': {
      const path = `/proc/${ref.ref}/ns/net`
      const id = await nsId(path)
      if (!id) {
        const inOurs = await nsId(`/proc/1/ns/pid`)
        return {invalid: `process ${ref.ref} does not exist${inOurs ? '' : ' (is lnx running in the host PID namespace?)'}`}
      }
      return {handle: {label: nsLabel(ref), path, isDefault: false}, id}
    }
    case 'FD': {
      try {
        const s = await stat(ref.ref)
        // nsfs files have no type bits of their own; a bind-mounted namespace stats as a regular, empty file on nsfs.
        if (s.isDirectory()) return {invalid: `${ref.ref} is a directory, not a network namespace file`}
      } catch {
        return {invalid: `${ref.ref} does not exist`}
      }
      return {handle: {label: ref.ref, path: ref.ref, isDefault: false}, id: await nsId(ref.ref)}
    }
    case 'MICROSERVICE': {
      if (!microservices) return {pending: 'the container engine was not asked'}
      if ('error' in microservices) return {pending: microservices.error}
      const c = microservices.byLabel.get(ref.ref)?.[0]
      if (!c) return {pending: `no running container has MICROSERVICE_LABEL=${ref.ref}`}
      const r = await containerHandle(ref.ref, c)
      return 'handle' in r ? r : {pending: r.gone}
    }
  }
}

/** What the container engine said: running containers by MICROSERVICE_LABEL (newest first), or why it could not. */
export type MicroserviceLookup = {error: string} | {byLabel: Map<string, Container[]>}

/** The initial PID namespace's inode (PROC_PID_INIT_INO): lnx sees the engine's PIDs only from there. */
const HOST_PID_NS_INO = 0xeffffffc

export async function inHostPidNamespace(): Promise<boolean> {
  const s = await stat('/proc/self/ns/pid').catch(() => null)
  return !!s && s.ino === HOST_PID_NS_INO
}

/**
 * A running container's namespace: /proc/<State.Pid>/ns/net. The engine's PIDs are host PIDs: in the host PID
 * namespace a missing process means the container has just exited. From another PID namespace /proc/<pid> is
 * missing or another process (checked by its environment), which no retry cures: exit 4.
 */
export async function containerHandle(label: string, c: Container): Promise<{handle: NsHandle; id: string} | {gone: string}> {
  const path = `/proc/${c.pid}/ns/net`
  const id = await nsId(path)
  const handle: NsHandle = {label: nsLabel({type: 'MICROSERVICE', ref: label}), path, isDefault: false, microservice: label}
  if (await inHostPidNamespace()) return id ? {handle, id} : {gone: `container ${c.name} exited while lnx read it`}
  const environ = id ? await readFile(`/proc/${c.pid}/environ`, 'latin1').catch(() => '') : ''
  if (id && environ.split('\0').includes(`MICROSERVICE_LABEL=${label}`)) return {handle, id}
  throw new LnxError('ENVIRONMENT', `container ${c.name} (MICROSERVICE_LABEL=${label}) has PID ${c.pid}, but /proc/${c.pid} ${id ? 'is another process' : 'does not exist'} here: lnx is not running in the host PID namespace`, {
    hint: 'run lnx in the host PID namespace (on the host itself, or docker run --pid=host …)',
  })
}
