import {Args, Flags} from '@oclif/core'
import {ImperativeCommand} from '../../imperative-base.js'
import {arpDelete} from '../../engine/imperative.js'
import type {PlanResult} from '../../services/cli-run.js'

export default class ArpDelete extends ImperativeCommand {
  static summary = 'Delete one ARP entry lnx manages'
  static description = 'Only entries lnx owns (protocol 76) are deleted.'
  static examples = ['<%= config.bin %> <%= command.id %> --dev veth1 130.0.0.1', '<%= config.bin %> <%= command.id %> --dev veth1 130.0.0.1 --json']
  static args = {ip: Args.string({description: 'IP address of the neighbour', required: true})}
  static flags = {dev: Flags.string({description: 'logical name of the interface', required: true})}

  async run(): Promise<PlanResult> {
    const {args, flags} = await this.parse(ArpDelete)
    return this.report(await arpDelete({dev: flags.dev, ip: args.ip}, this.opts(flags)), flags)
  }
}
