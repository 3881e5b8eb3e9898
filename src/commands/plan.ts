import {Flags} from '@oclif/core'
import {LnxCommand} from '../base.js'
import {EXIT} from '../errors.js'
import {fileFlag, labelFlag} from '../flags.js'
import {runFiles, type PlanResult} from '../services/cli-run.js'
import {planText} from '../render/plan.js'
import {itemErrorLine} from '../render/errors.js'

export default class Plan extends LnxCommand {
  static summary = 'Show what apply would change; changes nothing'
  static description = `Reads the config and the kernel (every namespace) and prints the changes apply would make, in order: + create, ~ update (old → new), - delete, … pending (with the reason). --exit-code exits 5 when there are changes, for drift checks in scripts and monitoring.`
  static examples = [
    '<%= config.bin %> <%= command.id %> -f examples/seed.yaml',
    '<%= config.bin %> <%= command.id %> -f site.yaml --prune --exit-code || echo drift',
    '<%= config.bin %> <%= command.id %> -f site.yaml --json | jq .summary',
  ]
  static flags = {
    file: fileFlag,
    prune: Flags.boolean({description: 'also delete owned items that are not in the config'}),
    'allow-empty': Flags.boolean({description: 'let --prune run with a config that names nothing (deletes everything lnx owns)', dependsOn: ['prune']}),
    'exit-code': Flags.boolean({description: 'exit 5 when there are changes, 0 when none'}),
    label: labelFlag,
  }

  async run(): Promise<PlanResult> {
    const {flags} = await this.parse(Plan)
    const out = await runFiles(flags.file, {label: flags.label, mode: 'plan', prune: flags.prune, allowEmpty: flags['allow-empty']})
    if (!this.jsonEnabled()) {
      for (const w of out.warnings) process.stderr.write(`${itemErrorLine(w, 'warning')}\n`)
      this.log(planText(out.result, {verbose: flags.verbose, title: 'plan'}))
    }
    if (flags['exit-code'] && out.result.changes.length) this.exitWith(EXIT.CHANGES)
    return out.result
  }
}
