// TAP_TO_VPP: the Linux side of a VPP TAP interface. VPP creates the tap in the default namespace; lnx adopts it
// (moves, renames, configures it) and, when the item goes, reverts it to VPP's name there — never destroys it.
import {vppTapCandidates} from '../model/names.js'
import type {LinkKind} from './kind.js'

export const tap: LinkKind = {
  type: 'TAP_TO_VPP',
  flag: 'tap-to-vpp',
  kernelKinds: ['tap', 'tun'],
  section: 'tap',
  inNamespace: true,
  mtu: {min: 68, max: 65521, why: 'the kernel\'s max_mtu of a tap'},
  defaultMtu: 1500,
  // The kernel's max_mtu of VPP's tap as found (the static limit is the default tap's).
  mtuProblem(d, def) {
    const names = vppTapCandidates(d.vppTap ?? '', d.hostName)
    const max = def?.links.find((l) => names.includes(l.name))?.maxMtu ?? 65521
    return d.mtu! > max ? `MTU ${d.mtu} is above the maximum of this tap (${max}, the kernel's max_mtu)` : undefined
  },
  manages: {mtu: true, mac: true, rename: true},
  lnxGroup: false,
  validate(i, {err, checkName}) {
    const t = i.tap?.vpp_tap_if_name
    if (!t) err('tap.vpp_tap_if_name', 'a TAP_TO_VPP must name the TAP that VPP created (tap.vpp_tap_if_name)')
    else checkName(t, 'tap.vpp_tap_if_name', 'VPP TAP name')
  },
  normalize: (i) => ({vppTap: i.tap?.vpp_tap_if_name}),
  // …/<name>/<VPP's TAP>/<the tap's name before adoption>: what a revert renames it back to.
  alias: {rest: (d, origHost) => [`${d.vppTap}`, `${origHost ?? d.vppTap}`]},
  owns: (_l, rest) => rest.length > 0,
  fromAlias: (rest) => ({vppTap: rest[0], origHost: rest[1] ?? rest[0]}),
  toItem: (v) => ({tap: {vpp_tap_if_name: v.vppTap}}),
  restLink: async (v) => ({Tap: v.vppTap ? {vpp_tap_if_name: v.vppTap} : {}}),
  graph: {label: (d) => `tap (VPP's ${d.vppTap ?? d.hostName})`, shape: 'hexagon'},
  plan: {
    origin: 'adopt-vpp-tap',
    recreateReason: (d, cur) => (cur.vppTap !== d.vppTap ? `tap binding ${cur.vppTap} → ${d.vppTap}` : undefined),
    removal: 'revert',
  },
  kernel: {check: 'tun', module: 'tun', required: true, probe: (n) => `tuntap add dev ${n} mode tap`, fix: 'modprobe tun (and make /dev/net/tun available)'},
  cli: {
    flags: {'vpp-tap': {description: 'VPP TAP interface the tap belongs to (tap-to-vpp): found as tap-<fnv32a of it>, itself, or the host name', path: 'tap.vpp_tap_if_name'}},
    items(item, {flags, refuse}) {
      const t = flags['vpp-tap'] as string | undefined
      if (!t) return refuse('--vpp-tap', '--vpp-tap is required with --type tap-to-vpp', '--vpp-tap is required with --type tap-to-vpp: the name of the VPP TAP interface whose tap to adopt')
      item.tap = {vpp_tap_if_name: t}
      return [item]
    },
  },
}
