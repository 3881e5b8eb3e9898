import {LnxCommand} from '../../base.js'
import {labelFlag} from '../../flags.js'
import {showInterfaces} from '../../engine/imperative.js'
import {table} from '../../render/table.js'
import type {Route} from '../../model/generated.js'

export default class RouteShow extends LnxCommand {
  static summary = 'List the routes lnx manages'
  static description = 'Routes marked as lnx\'s (proto 76), by logical interface. "lnx dump routes" shows the others too.'
  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']
  static flags = {label: labelFlag}

  async run(): Promise<{routes: Route[]}> {
    const {flags} = await this.parse(RouteShow)
    const st = await showInterfaces(flags.label)
    if (!this.jsonEnabled()) {
      this.log(table(['DST', 'VIA', 'DEV', 'METRIC', 'SCOPE'], st.routes.map((r) => [r.dst_network!, r.gw_addr ?? '-', r.outgoing_interface!, String(r.metric ?? 0), (r.scope ?? (r.dst_network?.includes(':') ? 'global' : r.gw_addr ? 'global' : 'link')).toLowerCase()])))
    }
    return {routes: st.routes}
  }
}
