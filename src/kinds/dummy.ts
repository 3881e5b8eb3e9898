// DUMMY: a link lnx creates (`ip link add … type dummy`, kernel module dummy) and deletes.
import {ipLine} from '../kernel/iproute2.js'
import type {LinkKind} from './kind.js'

export const dummy: LinkKind = {
  type: 'DUMMY',
  flag: 'dummy',
  kernelKinds: ['dummy'],
  inNamespace: true,
  mtu: {min: 68, max: 65535, why: 'ETH_MAX_MTU'},
  defaultMtu: 1500,
  manages: {mtu: true, mac: true, rename: true},
  lnxGroup: true,
  // Only lnx's group tells an lnx dummy from someone else's (the vpp-agent's alias has no more fields).
  owns: (_l, _rest, lnxGroup) => lnxGroup,
  graph: {label: () => 'dummy'},
  plan: {origin: 'create', create: ipLine.dummyAdd, mayReadBackAs: ['EXISTING'], removal: 'delete'},
  kernel: {check: 'dummy', module: 'dummy', required: false, probe: (n) => `link add ${n} type dummy`},
}
