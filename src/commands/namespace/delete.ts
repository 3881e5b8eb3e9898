import {Args, Flags} from '@oclif/core'
import {LnxCommand} from '../../base.js'
import {labelFlag} from '../../flags.js'
import {namespaceDelete} from '../../engine/imperative.js'

export default class NamespaceDelete extends LnxCommand {
  static summary = 'Delete a named namespace (refuses while it holds links, unless --force)'
  static description = `--force says what goes with it: every link in it (a veth's peer elsewhere too; a tap moved into it dies with it).`
  static examples = ['<%= config.bin %> <%= command.id %> ns1', '<%= config.bin %> <%= command.id %> ns1 --force']
  static args = {name: Args.string({description: 'namespace name', required: true})}
  static flags = {
    force: Flags.boolean({description: 'delete it with everything in it'}),
    'dry-run': Flags.boolean({description: 'say what would go, change nothing'}),
    'lock-timeout': Flags.integer({description: 'seconds to wait for another lnx run', min: 0, default: 60}),
    label: labelFlag,
  }

  async run() {
    const {args, flags} = await this.parse(NamespaceDelete)
    const r = await namespaceDelete(args.name, {force: flags.force, dryRun: flags['dry-run'], label: flags.label, lockTimeoutSeconds: flags['lock-timeout'], say: this.announcer()})
    if (!this.jsonEnabled()) {
      for (const x of r.removed) this.log(`${r.deleted ? 'removed' : 'would remove'}: ${x}`)
      this.log(r.deleted ? `deleted namespace ${r.name}` : `namespace ${r.name} not deleted (dry run)`)
    }
    return r
  }
}
