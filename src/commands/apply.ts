import {Flags} from '@oclif/core'
import {LnxCommand} from '../base.js'
import {fileFlag, labelFlag} from '../flags.js'
import {runFiles, type PlanResult} from '../engine/service.js'
import {planText, resultLine} from '../render/plan.js'
import {itemErrorLine} from '../render/errors.js'

export default class Apply extends LnxCommand {
  static summary = 'Bring the host to the state the config declares'
  static description = `Plans (see "lnx plan"), executes with one ip -batch per namespace and phase, then reads the kernel again to verify. A failure reverts everything this run changed (unless --no-rollback). Items waiting on something (a veth peer not defined, a tap VPP has not created, a gateway not yet reachable) are pending: exit 3. \n\nExit codes: 0 done and verified, 1 failed (reverted), 2 invalid input or collision (nothing touched), 3 done except pending items, 4 environment (privileges, tools, lock).`
  static examples = [
    '<%= config.bin %> <%= command.id %> -f examples/seed.yaml',
    '<%= config.bin %> <%= command.id %> -f base.yaml -f site.yaml --prune',
    '<%= config.bin %> <%= command.id %> -f topology.yaml --wait 30 --json',
  ]
  static flags = {
    file: fileFlag,
    'dry-run': Flags.boolean({description: 'show the plan, change nothing'}),
    prune: Flags.boolean({description: 'also delete owned items that are not in the config'}),
    wait: Flags.integer({description: 'wait up to SECONDS for pending items to become ready', min: 0, default: 0}),
    'no-rollback': Flags.boolean({description: 'on failure, keep what was applied (and list it) instead of reverting'}),
    'lock-timeout': Flags.integer({description: 'seconds to wait for another lnx run to finish', min: 0, default: 60}),
    label: labelFlag,
  }

  async run(): Promise<PlanResult> {
    const {flags} = await this.parse(Apply)
    const tty = !!process.stderr.isTTY && !this.jsonEnabled()
    const out = await runFiles(flags.file, {
      label: flags.label,
      mode: 'apply',
      dryRun: flags['dry-run'],
      prune: flags.prune,
      noRollback: flags['no-rollback'],
      waitSeconds: flags.wait,
      lockTimeoutSeconds: flags['lock-timeout'],
      say: (m) => (tty || /waiting for another/.test(m)) && !this.jsonEnabled() && process.stderr.write(`${m}\n`),
    })
    if (!this.jsonEnabled()) {
      for (const w of out.warnings) process.stderr.write(`${itemErrorLine(w, 'warning')}\n`)
      this.log(planText(out.result, {verbose: flags.verbose, title: flags['dry-run'] ? 'dry run' : 'plan'}))
      if (!flags['dry-run']) this.log(resultLine(out.result))
    }
    this.exitWith(out.exitCode)
    return out.result
  }
}
