import {Flags} from '@oclif/core'
import {LnxCommand} from '../base.js'
import {decideTry, type TryDecision} from '../engine/try.js'
import {tryDecisionText} from '../render/try.js'

export default class Confirm extends LnxCommand {
  static summary = 'Keep the change of a pending "apply --try"'
  static description = `Confirms the pending try of this host (of this network namespace tree): its change stays, its timer is stopped, and plan/apply run again. Exit 2 when no try is pending (the message says how the last one ended).`
  static examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --json',
  ]
  static flags = {
    'lock-timeout': Flags.integer({description: 'seconds to wait for another lnx run to finish', min: 0, default: 60}),
  }

  async run(): Promise<TryDecision> {
    const {flags} = await this.parse(Confirm)
    const d = await decideTry('confirm', {lockTimeoutSeconds: flags['lock-timeout']})
    if (!this.jsonEnabled()) this.log(tryDecisionText(d))
    return d
  }
}
