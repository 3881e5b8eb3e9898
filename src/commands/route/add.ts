import {Args, Flags} from '@oclif/core'
import {ImperativeCommand} from '../../imperative-base.js'
import {routeAdd} from '../../engine/imperative.js'
import type {PlanResult} from '../../services/cli-run.js'

export default class RouteAdd extends ImperativeCommand {
  static summary = 'Add (or change) one route on an interface lnx manages'
  static description = `The route is marked as lnx's (proto 76). Its namespace is its interface's. A gateway must lie in a subnet of the interface (or of a scope-link route on it); otherwise the route is pending (exit 3). Adding a route that exists with other values changes it.`
  static examples = [
    '<%= config.bin %> <%= command.id %> 10.0.2.0/24 --dev veth1 --metric 100',
    '<%= config.bin %> <%= command.id %> 0.0.0.0/0 --dev veth1 --via 192.168.22.5',
    '<%= config.bin %> <%= command.id %> 2001:db8:1::/64 --dev veth1 --via 2001:db8::2 --json',
  ]
  static args = {dst: Args.string({description: 'destination network (CIDR)', required: true})}
  static flags = {
    dev: Flags.string({description: 'logical name of the outgoing interface', required: true}),
    via: Flags.string({description: 'gateway address'}),
    metric: Flags.integer({description: 'metric (IPv6: 0 means 1024)', min: 0}),
    scope: Flags.string({description: 'IPv4 scope (default: link without --via, global with it)', options: ['global', 'site', 'link', 'host']}),
  }

  async run(): Promise<PlanResult> {
    const {args, flags} = await this.parse(RouteAdd)
    return this.report(await routeAdd({dst: args.dst, dev: flags.dev, via: flags.via, metric: flags.metric, scope: flags.scope}, this.opts(flags)), flags)
  }
}
