// LOOPBACK: a namespace's lo, adopted (it comes with the namespace); released with the vpp-agent's "unconfigured".
import type {LinkKind} from './kind.js'

export const loopback: LinkKind = {
  type: 'LOOPBACK',
  flag: 'loopback',
  kernelKinds: ['loopback'],
  hostName: 'lo',
  inNamespace: true,
  mtu: {min: 68, max: 65536, why: 'lo\'s default, 65536, is the largest lnx sets'},
  defaultMtu: 65536,
  manages: {mtu: true, mac: false, rename: false},
  lnxGroup: false,
  // The kernel adds these when lo comes up.
  addresses: {kernelOwn: ['127.0.0.1/8', '::1/128']},
  owns: () => true,
  graph: {label: () => 'loopback'},
  // A released lo gets "unconfigured", as the vpp-agent leaves it (interface_loop.go).
  plan: {origin: 'adopt-lo', removal: 'release', releaseMark: 'unconfigured'},
}
