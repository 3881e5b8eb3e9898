// VETH: a pair of linked ends, created together (`ip link add … type veth peer …`), each item naming the other.
import type {Interface} from '../model/generated.js'
import {ipLine} from '../kernel/iproute2.js'
import type {LinkKind} from './kind.js'

const OFFLOAD = {on: 'CHKSM_OFFLOAD_ENABLED', off: 'CHKSM_OFFLOAD_DISABLED'} as const

export const veth: LinkKind = {
  type: 'VETH',
  flag: 'veth',
  kernelKinds: ['veth'],
  section: 'veth',
  inNamespace: true,
  mtu: {min: 68, max: 65535, why: 'the kernel\'s max_mtu of a veth'},
  defaultMtu: 1500,
  manages: {mtu: true, mac: true, rename: true},
  lnxGroup: true,
  pair: {peerOf: (i) => i.veth?.peer_if_name},
  validate(i, {err, warn, item, checkName}) {
    const peer = i.veth?.peer_if_name
    if (!peer) return err('veth.peer_if_name', 'a VETH must name its peer', 'a lone veth end cannot exist in the kernel: define both ends, each naming the other')
    if (!checkName(peer, 'veth.peer_if_name', 'peer name')) return
    if (peer === i.name) return err('veth.peer_if_name', 'a VETH cannot be its own peer')
    const p = item(peer)
    if (!p) warn('veth.peer_if_name', `peer "${peer}" is not defined in these files`, 'apply keeps this VETH pending until its peer is defined')
    else if (p.type !== 'VETH') err('veth.peer_if_name', `peer "${peer}" is a ${p.type ?? 'UNDEFINED'}, not a VETH`)
    else if (p.veth?.peer_if_name !== i.name) err('veth.peer_if_name', `peer "${peer}" names "${p.veth?.peer_if_name ?? ''}" as its peer, not "${i.name}"`, 'both ends must name each other')
  },
  normalize: (i) => ({
    peer: i.veth?.peer_if_name,
    rxOffload: i.veth?.rx_checksum_offloading ?? 'CHKSM_OFFLOAD_DEFAULT',
    txOffload: i.veth?.tx_checksum_offloading ?? 'CHKSM_OFFLOAD_DEFAULT',
  }),
  alias: {rest: (d) => [`${d.peer}`]},
  // An lnx-made end (its group), or one a vpp-agent made (its alias names the peer).
  owns: (_l, rest, lnxGroup) => lnxGroup || rest.length > 0,
  fromAlias: (rest) => ({peerName: rest[0]}),
  toItem: (v) => ({veth: {peer_if_name: v.peerName}}),
  async restLink(v, offloadOff) {
    const veth: Record<string, unknown> = {}
    if (v.peerName) veth.peer_if_name = v.peerName
    const off = await offloadOff()
    if (off.rx) veth.rx_checksum_offloading = 2
    if (off.tx) veth.tx_checksum_offloading = 2
    return {Veth: veth}
  },
  graph: {label: () => 'veth'},
  plan: {
    origin: 'create',
    createPair: ipLine.vethAdd,
    waitsFor: (d, defined) => (d.peer && defined(d.peer) ? undefined : `peer ${d.peer} is not defined`),
    recreateReason(d, cur, {ownedName, isLeftover, hostOf}) {
      const kp = cur.link.peer
      const kpName = kp ? ownedName(kp) : undefined
      // A peer in lnx's group without alias (a crash between the two alias lines) is still this pair: adopted.
      const leftoverPeer = !!kp && kpName === undefined && isLeftover(kp) && kp.name === hostOf(d.peer!)
      // The kernel's pairing decides; an alias naming another peer (edited by hand) is only re-marked.
      if (!kp || (!leftoverPeer && kpName !== d.peer)) return cur.peerName !== d.peer ? `peer ${cur.peerName} → ${d.peer}` : `the kernel peer of ${cur.link.name} is not ${d.peer}`
      return undefined
    },
    removal: 'delete',
  },
  kernel: {check: 'veth', module: 'veth', required: true, probe: (n) => `link add ${n} type veth peer name ${n}p`},
  cli: {
    flags: {
      peer: {description: 'logical name of the other end (veth)', path: 'veth.peer_if_name'},
      'peer-namespace': {description: 'named namespace of the peer (veth; default: the default namespace)'},
      'rx-checksum': {description: 'veth rx checksum offload', options: ['on', 'off']},
      'tx-checksum': {description: 'veth tx checksum offload', options: ['on', 'off']},
    },
    items(item, {name, flags, owned, refuse}) {
      const peer = flags.peer as string | undefined
      if (!peer) return refuse('--peer', '--peer is required with --type veth', '--peer is required with --type veth (a lone veth end cannot exist)')
      item.veth = {peer_if_name: peer}
      if (flags['rx-checksum']) item.veth.rx_checksum_offloading = OFFLOAD[flags['rx-checksum'] as 'on' | 'off']
      if (flags['tx-checksum']) item.veth.tx_checksum_offloading = OFFLOAD[flags['tx-checksum'] as 'on' | 'off']
      const known = owned(peer)
      if (known) return [item, known]
      // The peer gets a minimal definition; a peer created with a pair is up.
      const p: Interface = {name: peer, type: 'VETH', enabled: true, veth: {peer_if_name: name}}
      const pns = flags['peer-namespace'] as string | undefined
      if (pns && pns !== 'default') p.namespace = {type: 'NSID', reference: pns}
      return [item, p]
    },
  },
}
