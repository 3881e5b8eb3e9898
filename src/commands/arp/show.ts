import {LnxCommand} from '../../base.js'
import {labelFlag} from '../../flags.js'
import {showInterfaces} from '../../engine/imperative.js'
import {table} from '../../render/table.js'
import type {ARPEntry} from '../../model/generated.js'

export default class ArpShow extends LnxCommand {
  static summary = 'List the ARP entries lnx manages'
  static description = 'Permanent neighbours marked as lnx\'s (protocol 76). "lnx dump arps" shows the others too.'
  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']
  static flags = {label: labelFlag}

  async run(): Promise<{arp_entries: ARPEntry[]}> {
    const {flags} = await this.parse(ArpShow)
    const st = await showInterfaces(flags.label)
    if (!this.jsonEnabled()) this.log(table(['INTERFACE', 'IP', 'MAC'], st.arp_entries.map((a) => [a.interface!, a.ip_address!, a.hw_address!])))
    return {arp_entries: st.arp_entries}
  }
}
