import {Args} from '@oclif/core'
import {LnxCommand} from '../base.js'
import {readSchema, SCHEMA_NAMES, type SchemaName} from '../config/schema.js'

export default class Schema extends LnxCommand {
  static summary = 'Print the JSON Schema of the config or of one item kind (for editors)'
  static description = `Prints the JSON Schema generated from lnx's .proto models. Point your editor at it, e.g. with a first line "# yaml-language-server: $schema=<path>/schemas/config.schema.json" in a YAML file.`
  static examples = ['<%= config.bin %> <%= command.id %> > lnx.schema.json', '<%= config.bin %> <%= command.id %> route']
  static args = {
    kind: Args.string({description: 'which schema', options: SCHEMA_NAMES, default: 'config'}),
  }
  async run(): Promise<Record<string, unknown>> {
    const {args} = await this.parse(Schema)
    const schema = readSchema(args.kind as SchemaName)
    // The schema is JSON already: --json prints the same document.
    if (!this.jsonEnabled()) this.log(JSON.stringify(schema, null, 2))
    return schema
  }
}
