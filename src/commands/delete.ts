import {Flags} from '@oclif/core'
import {LnxCommand} from '../base.js'
import {fileFlag, labelFlag} from '../flags.js'
import {runFiles, type PlanResult} from '../services/cli-run.js'
import {planText, resultLine} from '../render/plan.js'

export default class Delete extends LnxCommand {
  static summary = 'Remove exactly the items of the config files'
  static description = `Deletes what the files declare and lnx owns (with the routes and ARP entries on those interfaces). VETH pairs are deleted; TAP_TO_VPP is reverted (addresses stripped, moved back to the default namespace under its original name), never destroyed; EXISTING and LOOPBACK lose the addresses the file lists and lnx's mark. --namespaces then removes the file's named namespaces that hold nothing but lo.`
  static examples = [
    '<%= config.bin %> <%= command.id %> -f examples/seed.yaml',
    '<%= config.bin %> <%= command.id %> -f examples/seed.yaml --namespaces',
    '<%= config.bin %> <%= command.id %> -f site.yaml --dry-run --json',
  ]
  static flags = {
    file: fileFlag,
    'dry-run': Flags.boolean({description: 'show what would be deleted, change nothing'}),
    namespaces: Flags.boolean({description: 'also remove the named namespaces of the file left with nothing but lo'}),
    'lock-timeout': Flags.integer({description: 'seconds to wait for another lnx run to finish', min: 0, default: 60}),
    label: labelFlag,
  }

  async run(): Promise<PlanResult> {
    const {flags} = await this.parse(Delete)
    const out = await runFiles(flags.file, {
      label: flags.label,
      mode: 'delete',
      dryRun: flags['dry-run'],
      deleteNamespaces: flags.namespaces,
      lockTimeoutSeconds: flags['lock-timeout'],
      say: this.announcer(),
    })
    if (!this.jsonEnabled()) {
      this.log(planText(out.result, {verbose: flags.verbose, title: flags['dry-run'] ? 'dry run' : 'delete'}))
      if (!flags['dry-run']) this.log(resultLine(out.result))
    }
    this.exitWith(out.exitCode)
    return out.result
  }
}
