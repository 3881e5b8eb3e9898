import {Args, Flags} from '@oclif/core'
import {LnxCommand} from '../../base.js'
import {namespaceAdd} from '../../engine/imperative.js'

export default class NamespaceAdd extends LnxCommand {
  static summary = 'Create a named network namespace (with lo up)'
  static description = 'Like "ip netns add", plus lo up. Existing: nothing to do (exit 0). lnx also creates namespaces on its own when an item is placed in one.'
  static examples = ['<%= config.bin %> <%= command.id %> ns1', '<%= config.bin %> <%= command.id %> ns1 --json']
  static args = {name: Args.string({description: 'namespace name', required: true})}
  static flags = {
    'dry-run': Flags.boolean({description: 'change nothing'}),
    'lock-timeout': Flags.integer({description: 'seconds to wait for another lnx run', min: 0, default: 60}),
  }

  async run() {
    const {args, flags} = await this.parse(NamespaceAdd)
    const r = await namespaceAdd(args.name, {dryRun: flags['dry-run'], lockTimeoutSeconds: flags['lock-timeout'], say: this.announcer()})
    if (!this.jsonEnabled()) this.log(r.created ? `created namespace ${r.name}` : r.commands.length ? `would run: ${r.commands.join('; ')}` : `namespace ${r.name} exists: nothing to do`)
    return r
  }
}
