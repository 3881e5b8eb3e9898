// Imperative commands share apply's flags, output and exit codes.
import {Flags} from '@oclif/core'
import {LnxCommand} from './base.js'
import {labelFlag} from './flags.js'
import type {EngineOutput, PlanResult} from './services/cli-run.js'
import type {Opts} from './engine/imperative.js'
import {planText, resultLine} from './render/plan.js'
import {itemErrorLine} from './render/errors.js'

export abstract class ImperativeCommand extends LnxCommand {
  static baseFlags = {
    ...LnxCommand.baseFlags,
    'dry-run': Flags.boolean({description: 'show what would change, change nothing', helpGroup: 'GLOBAL'}),
    'lock-timeout': Flags.integer({description: 'seconds to wait for another lnx run to finish', min: 0, default: 60, helpGroup: 'GLOBAL'}),
    label: labelFlag,
  }

  protected opts(flags: {label: string; 'dry-run': boolean; 'lock-timeout': number}): Opts {
    return {label: flags.label, dryRun: flags['dry-run'], lockTimeoutSeconds: flags['lock-timeout'], say: this.announcer()}
  }

  protected report(out: EngineOutput, flags: {verbose?: boolean; 'dry-run': boolean}): PlanResult {
    if (!this.jsonEnabled()) {
      for (const w of out.warnings) process.stderr.write(`${itemErrorLine(w, 'warning')}\n`)
      this.log(planText(out.result, {verbose: flags.verbose, title: flags['dry-run'] ? 'dry run' : 'plan'}))
      if (!flags['dry-run']) this.log(resultLine(out.result))
    }
    this.exitWith(out.exitCode)
    return out.result
  }
}

export const nsFlags = {
  namespace: Flags.string({description: 'named namespace (/run/netns/NAME); "default" for the one lnx runs in', exclusive: ['netns-pid', 'netns-path', 'microservice']}),
  'netns-pid': Flags.string({description: 'the namespace of process PID', exclusive: ['namespace', 'netns-path', 'microservice']}),
  'netns-path': Flags.string({description: 'a network namespace file (e.g. a bind mount)', exclusive: ['namespace', 'netns-pid', 'microservice']}),
  microservice: Flags.string({description: 'the container with MICROSERVICE_LABEL=LABEL', exclusive: ['namespace', 'netns-pid', 'netns-path']}),
}
