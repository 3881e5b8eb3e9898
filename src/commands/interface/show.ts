import {Args} from '@oclif/core'
import {LnxCommand} from '../../base.js'
import {labelFlag} from '../../flags.js'
import {showInterfaces} from '../../engine/imperative.js'
import {table} from '../../render/table.js'
import type {Interface} from '../../model/generated.js'

export default class InterfaceShow extends LnxCommand {
  static summary = 'List the interfaces lnx manages (or one of them)'
  static description = 'Shows logical name, host name, type, namespace, state, MTU, MAC, addresses and peer. "lnx dump" shows everything, foreign links included.'
  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> veth1 --json']
  static args = {name: Args.string({description: 'logical name of one interface'})}
  static flags = {label: labelFlag}

  async run(): Promise<{interfaces: Interface[]}> {
    const {args, flags} = await this.parse(InterfaceShow)
    const st = await showInterfaces(flags.label, args.name)
    const interfaces = st.interfaces.filter((i) => !args.name || i.name === args.name)
    if (!this.jsonEnabled()) {
      this.log(table(['NAME', 'HOST', 'TYPE', 'NAMESPACE', 'STATE', 'MTU', 'MAC', 'ADDRESSES', 'PEER'], interfaces.map((i) => {
        const l = st.owned.get(i.name!)!.link
        return [i.name!, l.name, i.type!, i.namespace?.reference ?? 'default', l.up ? 'up' : 'down', String(l.mtu), l.kind === 'loopback' ? '-' : l.mac,
          (i.ip_addresses ?? []).join(',') || '-', i.veth?.peer_if_name ?? i.tap?.vpp_tap_if_name ?? '-']
      })))
    }
    return {interfaces}
  }
}
