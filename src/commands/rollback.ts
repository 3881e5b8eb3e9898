import {Flags} from '@oclif/core'
import {LnxCommand} from '../base.js'
import {EXIT} from '../errors.js'
import {decideTry, type TryDecision} from '../engine/try.js'
import {tryDecisionText} from '../render/try.js'

export default class Rollback extends LnxCommand {
  static summary = 'Revert the change of a pending "apply --try" now'
  static description = `Reverts everything the pending try of this host (of this network namespace tree) changed, at once, without waiting for its deadline. Exit 0 when reverted, 1 when the revert was incomplete (the errors are listed), 2 when no try is pending.`
  static examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --json',
  ]
  static flags = {
    'lock-timeout': Flags.integer({description: 'seconds to wait for another lnx run to finish', min: 0, default: 60}),
    // The detached process `apply --try` starts: wait for the deadline of try ID, then revert it if still pending.
    timer: Flags.string({hidden: true}),
  }

  async run(): Promise<TryDecision> {
    const {flags} = await this.parse(Rollback)
    const d = await decideTry('rollback', {timerId: flags.timer, lockTimeoutSeconds: flags['lock-timeout']})
    if (!this.jsonEnabled()) this.log(tryDecisionText(d))
    if (d.result === 'failed') this.exitWith(EXIT.FAILED)
    return d
  }
}
