import {Args, Flags} from '@oclif/core'
import {ImperativeCommand, nsFlags} from '../../imperative-base.js'
import {interfaceSet, nsFromFlags} from '../../engine/imperative.js'
import type {PlanResult} from '../../services/cli-run.js'

export default class InterfaceSet extends ImperativeCommand {
  static summary = 'Change one interface lnx manages'
  static description = `Changes MTU, MAC, addresses, state or host name in place (the link is not flapped), or moves it to another namespace (re-created, with its routes and ARP entries).`
  static examples = [
    '<%= config.bin %> <%= command.id %> veth1 --mtu 9000 --add-ip 10.0.3.1/24',
    '<%= config.bin %> <%= command.id %> veth1 --del-ip 10.0.2.2/24 --down',
    '<%= config.bin %> <%= command.id %> veth2 --namespace ns3',
  ]
  static args = {name: Args.string({description: 'logical name of the interface', required: true})}
  static flags = {
    mtu: Flags.integer({description: 'MTU (up to 65535 veth, 65521 tap, 65536 lo)'}),
    mac: Flags.string({description: 'MAC address'}),
    'add-ip': Flags.string({description: 'add an address (CIDR); repeatable', multiple: true, multipleNonGreedy: true}),
    'del-ip': Flags.string({description: 'remove an address (CIDR); repeatable', multiple: true, multipleNonGreedy: true}),
    up: Flags.boolean({description: 'administratively up', exclusive: ['down']}),
    down: Flags.boolean({description: 'administratively down: the kernel flushes its routes and ARP entries; the plan deletes them and prints the commands that re-add them after --up', exclusive: ['up']}),
    'host-name': Flags.string({description: 'rename the link in the kernel'}),
    ...nsFlags,
  }

  async run(): Promise<PlanResult> {
    const {args, flags} = await this.parse(InterfaceSet)
    const anyNs = ['namespace', 'netns-pid', 'netns-path', 'microservice'].some((k) => (flags as any)[k] !== undefined)
    const ns = anyNs ? nsFromFlags(flags) ?? null : undefined
    const out = await interfaceSet(args.name, {
      mtu: flags.mtu,
      mac: flags.mac,
      addIps: flags['add-ip'] ?? [],
      delIps: flags['del-ip'] ?? [],
      up: flags.up ? true : flags.down ? false : undefined,
      hostName: flags['host-name'],
      ns,
    }, this.opts(flags))
    return this.report(out, flags)
  }
}
