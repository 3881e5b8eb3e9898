import {Args, Flags} from '@oclif/core'
import {ImperativeCommand, nsFlags} from '../../imperative-base.js'
import {interfaceAdd, nsFromFlags} from '../../engine/imperative.js'
import type {PlanResult} from '../../services/cli-run.js'
import {KINDS} from '../../kinds/index.js'

/** The kinds' own flags (--peer, --vpp-tap, …), declared by each kind in the registry. */
const kindFlags = Object.fromEntries(KINDS.flatMap((k) => Object.entries(k.cli?.flags ?? {})).map(([name, f]) => [
  name,
  f.integer ? Flags.integer({description: f.description}) : Flags.string({description: f.description, ...(f.options ? {options: f.options} : {})}),
]))

export default class InterfaceAdd extends ImperativeCommand {
  static summary = 'Create (or adopt) one interface'
  static description = `Creates a veth pair (the peer gets a minimal definition unless lnx already manages it) or a dummy, adopts the tap VPP created (--type tap-to-vpp), or adopts an existing NIC or a namespace's lo (--type existing|loopback). Links are up unless --down; a peer created with a pair is up too. Same validation, ownership marks, revert and exit codes as "lnx apply".`
  static examples = [
    '<%= config.bin %> <%= command.id %> veth1 --type veth --peer veth2 --namespace ns1 --peer-namespace ns2 --ip 192.168.22.1/24',
    '<%= config.bin %> <%= command.id %> tap1 --type tap-to-vpp --vpp-tap tap-host --namespace ns2 --ip 172.52.45.127/24',
    '<%= config.bin %> <%= command.id %> uplink --type existing --host-name eth1 --ip 10.1.0.2/24',
  ]
  static args = {name: Args.string({description: 'logical name of the interface', required: true})}
  static flags = {
    type: Flags.string({description: 'interface type', options: KINDS.map((k) => k.flag), required: true}),
    ...nsFlags,
    'host-name': Flags.string({description: 'name of the link in the kernel (default: NAME)'}),
    ip: Flags.string({description: 'address in CIDR form; repeatable', multiple: true, multipleNonGreedy: true}),
    mac: Flags.string({description: 'MAC address'}),
    mtu: Flags.integer({description: `MTU (up to ${KINDS.filter((k) => k.manages.mtu).map((k) => `${k.mtu.max} ${k.flag}`).join(', ')})`}),
    down: Flags.boolean({description: 'leave the link administratively down'}),
    ...kindFlags,
  }

  async run(): Promise<PlanResult> {
    const {args, flags} = await this.parse(InterfaceAdd)
    const given = flags as Record<string, unknown>
    const out = await interfaceAdd({
      name: args.name,
      type: flags.type,
      ns: nsFromFlags(flags),
      hostName: flags['host-name'],
      ips: flags.ip ?? [],
      mac: flags.mac,
      mtu: flags.mtu,
      down: flags.down,
      kindFlags: Object.fromEntries(Object.keys(kindFlags).map((n) => [n, given[n] as string | number | undefined])),
    }, this.opts(flags))
    return this.report(out, flags)
  }
}
