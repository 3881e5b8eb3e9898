// Item identity = the vpp-agent key (docs/DESIGN.md "The model"). Plans, errors and JSON outputs name items by key.
import {normalizeNeighAddr, normalizeNetwork} from './ip.js'

export const interfaceKey = (name: string) => `config/linux/interfaces/v2/interface/${name}`
/** The IP without a mask (an ARP ip_address may carry one), canonical. */
export const arpKey = (iface: string, ip: string) => `config/linux/l3/v2/arp/${iface}/${normalizeNeighAddr(ip) ?? ip}`
/** dst is normalised to its network (10.0.0.5/24 → 10.0.0.0/24) when it parses; otherwise kept as written. */
export const routeKey = (dst: string, iface: string) => `config/linux/l3/v2/route/${normalizeNetwork(dst) ?? dst}/${iface}`
export const addressKey = (iface: string, cidr: string) => `linux/interface/${iface}/address/static/${cidr}`
export const namespaceKey = (type: string, ref: string) => `linux/namespace/${type}/${ref}`

export const DEFAULT_LABEL = 'vpp1'
/** The link group lnx puts its own links in (set in the `ip link add` line itself, so the mark is atomic). */
export const LNX_GROUP = 76
/** The rtnetlink protocol number marking lnx's routes and neighbours (`ip route show proto 76`). */
export const LNX_PROTO = 76
