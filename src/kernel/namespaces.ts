// Namespace references → handles (paths lnx can enter), and discovery of the named namespaces of a host.
import {readdir, stat, statfs} from 'node:fs/promises'
import type {NsRef} from '../model/types.js'
import {nsLabel} from '../model/types.js'
import type {NsHandle} from './run.js'

export const NETNS_DIR = '/run/netns'

/** The namespace lnx itself runs in. /proc/<our pid> rather than /proc/self: `ip -n X` has switched by the time
 * it resolves a netns path, so "self" would be the target, not us. */
export const DEFAULT_HANDLE: NsHandle = {label: '', path: `/proc/${process.pid}/ns/net`, isDefault: true}

export const namedHandle = (name: string): NsHandle => ({label: name, name, path: `${NETNS_DIR}/${name}`, isDefault: false})

const NSFS_MAGIC = 0x6e736673

/** Whether a path is a namespace file (nsfs): a bind-mounted namespace, not the empty file under it. */
export async function isNsfs(path: string): Promise<boolean> {
  const fs = await statfs(path).catch(() => null)
  return !!fs && Number(fs.type) === NSFS_MAGIC
}

/**
 * The entries of /run/netns, split: namespaces, and strays — files no namespace is mounted on (what an `ip netns
 * add` interrupted between creating the file and mounting leaves). Strays are skipped, never entered.
 */
export async function scanNamed(): Promise<{named: string[]; strays: string[]}> {
  let names: string[]
  try {
    names = (await readdir(NETNS_DIR)).filter((n) => !n.startsWith('.')).sort()
  } catch {
    return {named: [], strays: []}
  }
  const ok = await Promise.all(names.map((n) => isNsfs(`${NETNS_DIR}/${n}`)))
  return {named: names.filter((_, i) => ok[i]), strays: names.filter((_, i) => !ok[i])}
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
  try {
    const s = await stat(path)
    return `${s.dev}:${s.ino}`
  } catch {
    return null
  }
}

export type Resolved = {handle: NsHandle; id: string | null} | {pending: string} | {invalid: string}

/** Resolves a reference. NSID namespaces that do not exist yet resolve with id null (the plan creates them). */
export async function resolveNs(ref: NsRef): Promise<Resolved> {
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
    case 'MICROSERVICE':
      return {pending: `container with MICROSERVICE_LABEL=${ref.ref} not found (microservice namespaces are not supported by this lnx version yet)`}
  }
}
