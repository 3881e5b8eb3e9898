import {Args, Flags} from '@oclif/core'
import {ImperativeCommand} from '../../imperative-base.js'
import {routeDelete} from '../../engine/imperative.js'
import type {PlanResult} from '../../services/cli-run.js'

export default class RouteDelete extends ImperativeCommand {
  static summary = 'Delete one route lnx manages'
  static description = 'Only routes lnx owns (proto 76) are deleted; kernel and other tools\' routes are never touched.'
  static examples = ['<%= config.bin %> <%= command.id %> 10.0.2.0/24 --dev veth1', '<%= config.bin %> <%= command.id %> 0.0.0.0/0 --dev veth1 --dry-run']
  static args = {dst: Args.string({description: 'destination network (CIDR)', required: true})}
  static flags = {dev: Flags.string({description: 'logical name of the outgoing interface', required: true})}

  async run(): Promise<PlanResult> {
    const {args, flags} = await this.parse(RouteDelete)
    return this.report(await routeDelete({dst: args.dst, dev: flags.dev}, this.opts(flags)), flags)
  }
}
