import {Flags} from '@oclif/core'
import {LnxCommand} from '../base.js'
import {EXIT, LnxError} from '../errors.js'
import {validateFiles, type ValidateOutput} from '../config/index.js'
import {itemErrorLine} from '../render/errors.js'
import {paint} from '../render/style.js'

export default class Validate extends LnxCommand {
  static summary = 'Check config files without touching the host'
  static description = `Checks YAML or JSON config files (vpp-agent ConfigData, the agentctl linuxConfig form, or single items as stored under etcd keys) against the JSON Schemas and the vpp-agent/Linux rules. Needs no privileges and never looks at the host. References to interfaces no file defines are warnings: another file may define them. Exit 0 when valid, 2 when not.`
  static examples = [
    '<%= config.bin %> <%= command.id %> -f examples/seed.yaml',
    '<%= config.bin %> <%= command.id %> -f base.yaml -f site.yaml --json',
    'cat config.json | <%= config.bin %> <%= command.id %> -f -',
  ]
  static flags = {
    file: Flags.string({char: 'f', description: 'config file (YAML or JSON); "-" for standard input; repeatable', multiple: true, required: true}),
  }

  async run(): Promise<ValidateOutput> {
    const {flags} = await this.parse(Validate)
    let v
    try {
      v = await validateFiles(flags.file)
    } catch (e) {
      // An unreadable or unparsable file is an invalid result too, with the same shape.
      if (!(e instanceof LnxError) || e.code !== 'INVALID' || !this.jsonEnabled()) throw e
      this.exitWith(EXIT.INVALID)
      return {valid: false, errors: (e.toJSON().errors as ValidateOutput['errors']) ?? [{file: '', key: '', path: '', message: e.message}], warnings: []}
    }
    if (!v.valid) this.exitWith(EXIT.INVALID)
    if (!this.jsonEnabled()) {
      for (const e of v.raw.errors) process.stderr.write(`${itemErrorLine(e)}\n`)
      for (const w of v.raw.warnings) process.stderr.write(`${itemErrorLine(w, 'warning')}\n`)
      const n = v.loaded.interfaces.length + v.loaded.arps.length + v.loaded.routes.length
      this.log(v.valid ? `${paint.green('valid')}: ${n} item${n === 1 ? '' : 's'} in ${flags.file.length} file${flags.file.length === 1 ? '' : 's'}${v.warnings.length ? `, ${v.warnings.length} warning${v.warnings.length === 1 ? '' : 's'}` : ''}` : `${paint.red('invalid')}: ${v.errors.length} error${v.errors.length === 1 ? '' : 's'}`)
    }
    return {valid: v.valid, errors: v.errors, warnings: v.warnings}
  }
}
