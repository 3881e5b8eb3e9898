import {Args, Flags} from '@oclif/core'
import {ImperativeCommand, nsFlags} from '../../imperative-base.js'
import {interfaceAdd, nsFromFlags} from '../../engine/imperative.js'
import type {PlanResult} from '../../services/cli-run.js'

export default class InterfaceAdd extends ImperativeCommand {
  static summary = 'Create (or adopt) one interface'
  static description = `Creates a veth pair (the peer gets a minimal definition unless lnx already manages it), adopts the tap VPP created (--type tap-to-vpp), or adopts an existing NIC or a namespace's lo (--type existing|loopback). Links are up unless --down; a peer created with a pair is up too. Same validation, ownership marks, revert and exit codes as "lnx apply".`
  static examples = [
    '<%= config.bin %> <%= command.id %> veth1 --type veth --peer veth2 --namespace ns1 --peer-namespace ns2 --ip 192.168.22.1/24',
    '<%= config.bin %> <%= command.id %> tap1 --type tap-to-vpp --vpp-tap tap-host --namespace ns2 --ip 172.52.45.127/24',
    '<%= config.bin %> <%= command.id %> uplink --type existing --host-name eth1 --ip 10.1.0.2/24',
  ]
  static args = {name: Args.string({description: 'logical name of the interface', required: true})}
  static flags = {
    type: Flags.string({description: 'interface type', options: ['veth', 'tap-to-vpp', 'loopback', 'existing'], required: true}),
    peer: Flags.string({description: 'logical name of the other end (veth)'}),
    ...nsFlags,
    'peer-namespace': Flags.string({description: 'named namespace of the peer (veth; default: the default namespace)'}),
    'host-name': Flags.string({description: 'name of the link in the kernel (default: NAME)'}),
    ip: Flags.string({description: 'address in CIDR form; repeatable', multiple: true, multipleNonGreedy: true}),
    mac: Flags.string({description: 'MAC address'}),
    mtu: Flags.integer({description: 'MTU (up to 65535 veth, 65521 tap, 65536 lo)'}),
    down: Flags.boolean({description: 'leave the link administratively down'}),
    'rx-checksum': Flags.string({description: 'veth rx checksum offload', options: ['on', 'off']}),
    'tx-checksum': Flags.string({description: 'veth tx checksum offload', options: ['on', 'off']}),
    'vpp-tap': Flags.string({description: 'VPP TAP interface the tap belongs to (tap-to-vpp): found as tap-<fnv32a of it>, itself, or the host name'}),
  }

  async run(): Promise<PlanResult> {
    const {args, flags} = await this.parse(InterfaceAdd)
    const out = await interfaceAdd({
      name: args.name,
      type: flags.type,
      peer: flags.peer,
      ns: nsFromFlags(flags),
      peerNamespace: flags['peer-namespace'],
      hostName: flags['host-name'],
      ips: flags.ip ?? [],
      mac: flags.mac,
      mtu: flags.mtu,
      down: flags.down,
      rx: flags['rx-checksum'] as 'on' | 'off' | undefined,
      tx: flags['tx-checksum'] as 'on' | 'off' | undefined,
      vppTap: flags['vpp-tap'],
    }, this.opts(flags))
    return this.report(out, flags)
  }
}
