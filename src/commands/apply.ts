import {Flags} from '@oclif/core'
import {LnxCommand} from '../base.js'
import {fileFlag, labelFlag} from '../flags.js'
import {runFiles, type PlanResult} from '../services/cli-run.js'
import {applyTry, type TryInfo} from '../engine/try.js'
import {planText, resultLine} from '../render/plan.js'
import {itemErrorLine} from '../render/errors.js'
import type {ItemError} from '../errors.js'
import {tryPrompt, tryResultLine} from '../render/try.js'

export default class Apply extends LnxCommand {
  static summary = 'Bring the host to the state the config declares'
  static description = `Plans (see "lnx plan"), executes with one ip -batch per namespace and phase, then reads the kernel again to verify. A failure reverts everything this run changed (unless --no-rollback). With --try SECONDS the change is kept only if confirmed in time — Enter on a terminal, or "lnx confirm" from another shell — and reverted otherwise, even when the terminal hangs up or lnx is killed (a detached timer owns the revert); "lnx rollback" reverts at once. plan and apply refuse to run while a try is pending. Items waiting on something (a veth peer not defined, a tap VPP has not created, a gateway not yet reachable) are pending: exit 3. \n\nExit codes: 0 done and verified (with --try: and confirmed), 1 failed or not confirmed (reverted), 2 invalid input or collision (nothing touched), 3 done except pending items, 4 environment (privileges, tools, lock).`
  static examples = [
    '<%= config.bin %> <%= command.id %> -f examples/seed.yaml',
    '<%= config.bin %> <%= command.id %> -f base.yaml -f site.yaml --prune',
    '<%= config.bin %> <%= command.id %> -f topology.yaml --wait 30 --json',
    '<%= config.bin %> <%= command.id %> -f uplink.yaml --try 60',
  ]
  static flags = {
    file: fileFlag,
    'dry-run': Flags.boolean({description: 'show the plan, change nothing'}),
    prune: Flags.boolean({description: 'also delete owned items that are not in the config'}),
    'allow-empty': Flags.boolean({description: 'let --prune run with a config that names nothing (deletes everything lnx owns)', dependsOn: ['prune']}),
    wait: Flags.integer({description: 'wait up to SECONDS for pending items to become ready', min: 0, default: 0}),
    'no-rollback': Flags.boolean({description: 'on failure, keep what was applied (and list it) instead of reverting'}),
    try: Flags.integer({description: 'revert unless confirmed within SECONDS (Enter, or lnx confirm); lnx rollback reverts now', min: 1, max: 86400, helpValue: 'SECONDS', exclusive: ['dry-run', 'no-rollback']}),
    'lock-timeout': Flags.integer({description: 'seconds to wait for another lnx run to finish', min: 0, default: 60}),
    label: labelFlag,
  }

  async run(): Promise<PlanResult & {try?: TryInfo}> {
    const {flags} = await this.parse(Apply)
    const enter = !!process.stdin.isTTY && !this.jsonEnabled()
    const opts = {
      label: flags.label,
      mode: 'apply' as const,
      dryRun: flags['dry-run'],
      prune: flags.prune,
      allowEmpty: flags['allow-empty'],
      noRollback: flags['no-rollback'],
      waitSeconds: flags.wait,
      lockTimeoutSeconds: flags['lock-timeout'],
      say: this.announcer(),
    }
    const show = (o: {result: PlanResult; warnings: ItemError[]}) => {
      if (this.jsonEnabled()) return
      for (const w of o.warnings) process.stderr.write(`${itemErrorLine(w, 'warning')}\n`)
      this.log(planText(o.result, {verbose: flags.verbose, title: flags['dry-run'] ? 'dry run' : 'plan'}))
      if (!flags['dry-run']) this.log(resultLine(o.result))
    }
    if (flags.try === undefined) {
      const out = await runFiles(flags.file, opts)
      show(out)
      this.exitWith(out.exitCode)
      return out.result
    }
    // --try: the plan and "applied" are shown before the wait, how it ended after it.
    let shown = false
    const out = await applyTry(flags.file, {
      ...opts,
      seconds: flags.try,
      enterConfirms: enter,
      self: {node: process.execPath, script: process.argv[1]},
      onWaiting: (j, applied) => {
        if (this.jsonEnabled()) return
        shown = true
        show(applied)
        process.stderr.write(`${tryPrompt(j, enter)}\n`)
      },
    })
    if (!shown) show(out)
    else if (!this.jsonEnabled() && out.try) this.log(tryResultLine(out.try))
    this.exitWith(out.exitCode)
    return {...out.result, ...(out.try ? {try: out.try} : {})}
  }
}
