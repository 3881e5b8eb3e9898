import {Args, Flags} from '@oclif/core'
import {LnxCommand} from '../base.js'
import {labelFlag} from '../flags.js'
import {dump, type DumpWhat} from '../engine/dump.js'
import {toJson, toYaml} from '../render/doc.js'
import {dumpTables} from '../render/dump.js'
import {strayMessage} from '../kernel/namespaces.js'
import {itemErrorLine} from '../render/errors.js'

export default class Dump extends LnxCommand {
  static summary = 'Show interfaces, ARP entries, routes and namespaces as the kernel has them'
  static description = `Reads every namespace (the default one, each in /run/netns, and each running container with a MICROSERVICE_LABEL, named microservice:LABEL) with one ip process each. The table marks what lnx manages. -o yaml|json prints a valid config document (ConfigData, snake_case): managed items as items, everything else under "foreign:" (shown, never applied). "lnx dump all -o yaml > c.yaml && lnx plan -f c.yaml" shows no change.`
  static examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> interfaces -n ns1',
    '<%= config.bin %> <%= command.id %> all --managed -o yaml > current.yaml',
  ]
  static args = {
    what: Args.string({description: 'what to show', options: ['interfaces', 'arps', 'routes', 'namespaces', 'all'], default: 'all'}),
  }
  static flags = {
    namespace: Flags.string({char: 'n', description: 'only this namespace ("default" for the one lnx runs in); repeatable', multiple: true, multipleNonGreedy: true}),
    managed: Flags.boolean({description: 'only what lnx manages (no "foreign:" section)'}),
    output: Flags.string({char: 'o', description: 'output format', options: ['table', 'yaml', 'json'], default: 'table'}),
    wide: Flags.boolean({description: 'do not truncate long cells in tables'}),
    label: labelFlag,
  }

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(Dump)
    const r = await dump({what: args.what as DumpWhat, namespaces: flags.namespace, managed: flags.managed, label: flags.label})
    for (const w of r.warnings) process.stderr.write(`${itemErrorLine({file: '', key: '', path: '', message: w}, 'warning')}\n`)
    const doc = args.what === 'namespaces' ? {namespaces: r.namespaces} : r.doc
    for (const name of r.obs.strays ?? []) process.stderr.write(`warning: ${strayMessage(name)}\n`)
    if (this.jsonEnabled()) return doc
    if (flags.output === 'json') this.log(toJson(doc))
    else if (flags.output === 'yaml') process.stdout.write(await toYaml(doc))
    else this.log(dumpTables(r, args.what as DumpWhat, {managed: flags.managed, wide: flags.wide, label: flags.label}))
    return doc
  }
}
