// The gRPC configurator's Dump, as the vpp-agent builds it (docs/reference/vpp-agent-northbound.md §3, "Dump"):
// the REST dump handlers' answers (rest-dump.ts: alias-marked links, every neighbour and main-table route on
// them), unwrapped into a ligato.linux.ConfigData — InterfaceDetails.interface, ArpDetails.linux_arp,
// RouteDetails.Route (whose scope the vpp-agent never fills).
import type {ARPEntry, Interface, Route} from '../model/generated.js'
import type {LinuxItems} from './grpc-config.js'
import {KINDS} from '../kinds/index.js'

/** The REST encoding's link oneof ("Link": {"Veth": …}, Go's field names) → the kinds' proto sections (veth, …). */
const LINK: Record<string, string> = Object.fromEntries(KINDS.flatMap((k) => (k.section ? [[k.section.split('_').map((w) => w[0].toUpperCase() + w.slice(1)).join(''), k.section]] : [])))

function iface(details: any): Interface {
  const {Link, ...rest} = details?.interface ?? {}
  const out: Record<string, unknown> = {...rest}
  for (const [k, v] of Object.entries(Link ?? {})) if (LINK[k]) out[LINK[k]] = v
  // Enum numbers stay numbers: proto-loader encodes them as the same enum values.
  return out as Interface
}

export function dumpConfig(interfaces: unknown[] | null, routes: unknown[] | null, arps: unknown[] | null): LinuxItems {
  return {
    interfaces: (interfaces ?? []).map(iface),
    routes: (routes ?? []).map((r: any) => r?.Route as Route).filter(Boolean),
    arp_entries: (arps ?? []).map((a: any) => a?.linux_arp as ARPEntry).filter(Boolean),
  }
}
