// VRF_DEVICE: a VRF master device bound to a routing table (kernel module vrf). Validated; this lnx version does not
// create it yet (the planner keeps it pending), and an EXISTING link may be a VRF made by someone else.
import type {LinkKind} from './kind.js'

export const vrf: LinkKind = {
  type: 'VRF_DEVICE',
  flag: 'vrf-device',
  kernelKinds: ['vrf'],
  section: 'vrf_dev',
  inNamespace: true,
  mtu: {min: 1280, max: 65575, why: 'the kernel\'s vrf limits, IPv6 minimum to IP6_MAX_MTU'},
  manages: {mtu: true, mac: false, rename: true},
  lnxGroup: false,
  // As the vpp-agent: a VRF is a master, never inside another VRF.
  vrfMaster: 'only',
  validate(i, {err}) {
    if (i.phys_address) err('phys_address', 'a VRF_DEVICE takes no phys_address')
    const t = i.vrf_dev?.routing_table
    if (t === undefined || t === 0) err('vrf_dev.routing_table', 'a VRF_DEVICE needs a routing table')
    else if (t >= 253 && t <= 255) err('vrf_dev.routing_table', `routing table ${t} is reserved (253 default, 254 main, 255 local)`)
  },
  graph: {label: () => 'vrf_device'},
  // No create line yet: pending ("not created by this lnx version yet"). Any vrf reads back as EXISTING, and an
  // owned one is released, not deleted.
  plan: {origin: 'create', mayReadBackAs: ['EXISTING'], removal: 'release'},
  kernel: {check: 'vrf', module: 'vrf', required: false, probe: (n) => `link add ${n} type vrf table 4242`},
  cli: {
    flags: {'vrf-table': {description: 'routing table of the VRF (vrf-device)', integer: true, path: 'vrf_dev.routing_table'}},
    items(item, {flags, refuse}) {
      const t = flags['vrf-table'] as number | undefined
      if (t === undefined) return refuse('--vrf-table', '--vrf-table is required with --type vrf-device', '--vrf-table is required with --type vrf-device: the routing table the VRF binds')
      item.vrf_dev = {routing_table: t}
      return [item]
    },
  },
}
