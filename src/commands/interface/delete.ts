import {Args} from '@oclif/core'
import {ImperativeCommand} from '../../imperative-base.js'
import {interfaceDelete} from '../../engine/imperative.js'
import type {PlanResult} from '../../services/cli-run.js'

export default class InterfaceDelete extends ImperativeCommand {
  static summary = 'Delete one interface lnx manages (with its routes and ARP entries)'
  static description = `A veth is deleted with its peer (the kernel cannot keep one end); a TAP_TO_VPP is reverted to VPP's tap in the default namespace, never destroyed; EXISTING and LOOPBACK lose lnx's mark and the addresses lnx manages.`
  static examples = ['<%= config.bin %> <%= command.id %> veth1', '<%= config.bin %> <%= command.id %> tap1 --dry-run --json']
  static args = {name: Args.string({description: 'logical name of the interface', required: true})}

  async run(): Promise<PlanResult> {
    const {args, flags} = await this.parse(InterfaceDelete)
    return this.report(await interfaceDelete(args.name, this.opts(flags)), flags)
  }
}
