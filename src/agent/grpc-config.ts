// The gRPC configurator's messages ↔ lnx items. Requests arrive decoded by @grpc/proto-loader in the canonical form
// the loader takes (snake_case fields, enums by name) and go through the same loader and validation as files do.
import protobuf from 'protobufjs'
import type {ARPEntry, Interface, Route} from '../model/generated.js'
import {LnxError, invalid, type ItemError} from '../errors.js'
import {loadObjects} from '../config/load.js'
import {validateConfig} from '../model/validate.js'

/** The Linux part of a Config: ligato.linux.ConfigData in canonical form. */
export interface LinuxItems {
  interfaces: Interface[]
  arp_entries: ARPEntry[]
  routes: Route[]
}

export type Section = keyof LinuxItems

export interface KeyedItem {
  key: string
  section: Section
  item: Interface | ARPEntry | Route
}

export const emptyItems = (): LinuxItems => ({interfaces: [], arp_entries: [], routes: []})

/** Config field numbers (configurator.proto) of the parts lnx does not configure. */
const FOREIGN_PARTS: Record<number, string> = {1: 'vpp_config', 3: 'netalloc_config'}

/**
 * Which parts other than linux_config an Update/DeleteRequest carries, read from the raw bytes: field 1 (the
 * Config) → fields 1 (vpp_config) and 3 (netalloc_config) with any content. Reading the wire catches what a
 * client built from the vpp-agent's full protos sends, whatever VPP message it is, including fields lnx's stand-in
 * protos do not list.
 */
export function foreignParts(raw: Uint8Array): string[] {
  const found = new Set<string>()
  const outer = protobuf.Reader.create(raw)
  while (outer.pos < outer.len) {
    const tag = outer.uint32()
    if (tag >>> 3 !== 1 || (tag & 7) !== 2) {
      outer.skipType(tag & 7)
      continue
    }
    const config = protobuf.Reader.create(outer.bytes())
    while (config.pos < config.len) {
      const t = config.uint32()
      const part = FOREIGN_PARTS[t >>> 3]
      if (part && (t & 7) === 2) {
        if (config.bytes().length > 0) found.add(part)
      } else config.skipType(t & 7)
    }
  }
  return [...found].sort()
}

export function refuseForeign(parts: string[]): void {
  if (!parts.length) return
  throw new LnxError('INVALID', `${parts.join(' and ')} ${parts.length > 1 ? 'are' : 'is'} not supported: lnx configures Linux only (linux_config)`, {
    hint: 'send the VPP and netalloc parts to a vpp-agent',
  })
}

/**
 * A request's linux_config → validated items with their keys. `file` names the request in errors
 * ("UpdateRequest.update"); an invalid item or key throws INVALID with every problem.
 */
export async function requestItems(linux: Partial<LinuxItems> | null | undefined, file: string): Promise<{items: KeyedItem[]; warnings: ItemError[]}> {
  const doc = {linux_config: {interfaces: linux?.interfaces ?? [], arp_entries: linux?.arp_entries ?? [], routes: linux?.routes ?? []}}
  const loaded = await loadObjects([{file, doc}])
  const {errors, warnings} = validateConfig(loaded)
  if (errors.length) throw invalid(errors)
  const items: KeyedItem[] = [
    ...loaded.interfaces.map((l) => ({key: l.key, section: 'interfaces' as const, item: l.item})),
    ...loaded.arps.map((l) => ({key: l.key, section: 'arp_entries' as const, item: l.item})),
    ...loaded.routes.map((l) => ({key: l.key, section: 'routes' as const, item: l.item})),
  ]
  return {items, warnings}
}

/**
 * A DeleteRequest's linux_config → keys. Only the fields that make the key count (as in the vpp-agent, which
 * derives keys and ignores the rest), so an item is deleted by its name alone.
 */
export async function requestKeys(linux: Partial<LinuxItems> | null | undefined, file: string): Promise<string[]> {
  const loaded = await loadObjects([{file, doc: {linux_config: {interfaces: linux?.interfaces ?? [], arp_entries: linux?.arp_entries ?? [], routes: linux?.routes ?? []}}}])
  const errors: ItemError[] = []
  const keys: string[] = []
  for (const l of [...loaded.interfaces, ...loaded.arps, ...loaded.routes] as {key: string; file: string; where: string}[]) {
    if (l.key.startsWith('config/')) keys.push(l.key)
    else errors.push({file: l.file, key: l.where, path: '', message: 'no key: an interface needs its name, an ARP entry its interface and ip_address, a route its dst_network and outgoing_interface'})
  }
  if (errors.length) throw invalid(errors)
  return [...new Set(keys)]
}

/** Items → ligato.linux.ConfigData (canonical form; proto-loader encodes it). */
export function toLinuxConfig(items: Iterable<KeyedItem>): LinuxItems {
  const out = emptyItems()
  for (const k of items) (out[k.section] as unknown[]).push(k.item)
  return out
}

/** A ligato.configurator.Config holding only Linux items (the other parts present and empty, as the vpp-agent answers). */
export const configOf = (linux: LinuxItems) => ({vpp_config: {}, linux_config: linux, netalloc_config: {}})
