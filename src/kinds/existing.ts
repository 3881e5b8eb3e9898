// EXISTING: a link someone else made (a NIC, a bridge, a VRF), adopted where it is: lnx manages its addresses and
// state only (as the vpp-agent does), marks it with a prefix no vpp-agent reads, and releases it, never deletes it.
import {normalizeCidr} from '../model/ip.js'
import type {LinkKind} from './kind.js'

export const existing: LinkKind = {
  type: 'EXISTING',
  flag: 'existing',
  kernelKinds: [],
  inNamespace: false,
  mtu: {min: 68, max: 65575, why: 'not managed by lnx; the largest any kind takes'},
  manages: {mtu: false, mac: false, rename: false},
  lnxGroup: false,
  keepsUp: true,
  // An EXISTING link may be a VRF made by someone else (the vpp-agent's TestExistingLinuxVRF).
  vrfMaster: 'also',
  addresses: {fullSet: true, keptOnRelease: true},
  validate(i, {err, warn}) {
    if (i.namespace) err('namespace', 'an EXISTING interface takes no namespace (lnx adopts it where it is, in the default namespace)')
    if (i.phys_address || i.mtu) warn(i.phys_address ? 'phys_address' : 'mtu', 'ignored for an EXISTING interface: lnx only manages its addresses (as the vpp-agent does)')
  },
  alias: {existingMark: true},
  graph: {label: () => 'existing'},
  plan: {origin: 'adopt-host', removal: 'release'},
  cli: {
    items(item, {name, hostName, ips, foreignAddresses}) {
      if (ips.length) {
        // --ip adds to what the link has: the addresses found stay (an item's ip_addresses are the link's full set,
        // and an operator adopting eth0 to add one address must not lose the one their SSH session runs over).
        const have = foreignAddresses(hostName ?? name)
        item.ip_addresses = [...have, ...ips.filter((a) => !have.includes(normalizeCidr(a) ?? a))]
      }
      return [item]
    },
  },
}
