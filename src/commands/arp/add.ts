import {Args, Flags} from '@oclif/core'
import {ImperativeCommand} from '../../imperative-base.js'
import {arpAdd} from '../../engine/imperative.js'
import type {PlanResult} from '../../services/cli-run.js'

export default class ArpAdd extends ImperativeCommand {
  static summary = 'Add (or change) one permanent ARP/neighbour entry'
  static description = 'The entry is permanent and marked as lnx\'s (protocol 76). Its interface must be up with an address, else it is pending (exit 3).'
  static examples = ['<%= config.bin %> <%= command.id %> --dev veth1 130.0.0.1 46:06:18:db:05:3a', '<%= config.bin %> <%= command.id %> --dev veth1 2001:db8::9 02:00:00:00:00:09 --json']
  static args = {
    ip: Args.string({description: 'IP address of the neighbour', required: true}),
    mac: Args.string({description: 'its MAC address', required: true}),
  }
  static flags = {dev: Flags.string({description: 'logical name of the interface', required: true})}

  async run(): Promise<PlanResult> {
    const {args, flags} = await this.parse(ArpAdd)
    return this.report(await arpAdd({dev: flags.dev, ip: args.ip, mac: args.mac}, this.opts(flags)), flags)
  }
}
