// The normalised, desired model that planning works on (derived from the generated proto types by normalize.ts).
import type {Interface_Type, VethLink_ChecksumOffloading} from './generated.js'

/** How a config item names its namespace. The namespace types, config to kernel: engine/plan/namespaces.ts. */
export type NsType = 'DEFAULT' | 'NSID' | 'PID' | 'FD' | 'MICROSERVICE'

export interface NsRef {
  type: NsType
  /** Name (NSID), PID, path (FD) or microservice label; "" for the default namespace. */
  ref: string
}

export interface Source {
  file: string
  /** Where in the file: "interfaces[0]", "document 2", … */
  where: string
}

export interface DInterface {
  key: string
  name: string
  type: Interface_Type
  ns: NsRef
  hostName: string
  enabled: boolean
  /** Canonical CIDRs in configured order. */
  addresses: string[]
  mac?: string
  /** Effective MTU; undefined = not managed (EXISTING with mtu 0). */
  mtu?: number
  peer?: string
  rxOffload?: VethLink_ChecksumOffloading
  txOffload?: VethLink_ChecksumOffloading
  vppTap?: string
  /** vrf_master_interface: validated, not applied (lnx manages no VRF membership yet). */
  vrfMaster?: string
  linkOnly: boolean
  source?: Source
}

export type RouteScope = 'global' | 'site' | 'link' | 'host'

export interface DRoute {
  key: string
  iface: string
  /** Canonical network. */
  dst: string
  gw?: string
  metric: number
  scope: RouteScope
  /** Scope as configured (UNDEFINED is resolved into scope above). */
  scopeGiven: boolean
  family: 4 | 6
  source?: Source
}

export interface DArp {
  key: string
  iface: string
  ip: string
  mac: string
  source?: Source
}

export interface Desired {
  interfaces: DInterface[]
  routes: DRoute[]
  arps: DArp[]
}

export const DEFAULT_NS: NsRef = {type: 'DEFAULT', ref: ''}

export function nsLabel(ns: NsRef): string {
  switch (ns.type) {
    case 'DEFAULT':
      return ''
    case 'NSID':
      return ns.ref
    case 'PID':
      return `pid:${ns.ref}`
    case 'FD':
      return ns.ref
    case 'MICROSERVICE':
      return `microservice:${ns.ref}`
  }
}

