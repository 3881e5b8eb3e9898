import {Args, loadHelpClass} from '@oclif/core'
import {LnxCommand} from '../base.js'
import {LnxError} from '../errors.js'
import {closest} from '../model/names.js'

export default class HelpCommand extends LnxCommand {
  static summary = 'Show the help of lnx or of one command'
  static description = 'The same text as "lnx COMMAND --help". Topic commands take their words as they are typed: "lnx help interface add". With --json: the command\'s id, summary, description, usage and flags.'
  static examples = ['<%= config.bin %> <%= command.id %> apply', '<%= config.bin %> <%= command.id %> interface add']
  static args = {command: Args.string({description: 'command (words separated by spaces)'})}
  static strict = false

  async run(): Promise<{id: string; summary?: string; description?: string; usage: string[]; flags: Record<string, {char?: string; description?: string}>} | {commands: string[]}> {
    const {argv} = await this.parse(HelpCommand)
    const words = (argv as string[]).filter((a) => !a.startsWith('-'))
    const ids = this.config.commands.map((c) => c.id)
    const id = words.join(':')
    const cmd = id ? this.config.findCommand(id) : undefined
    if (id && !cmd && !this.config.findTopic(id)) {
      const guess = closest(words.join(' '), ids.map((i) => i.replace(/:/g, ' ')))
      throw new LnxError('INVALID', `no command "${words.join(' ')}"`, {hint: guess ? `did you mean "lnx help ${guess}"?` : 'lnx help lists the commands'})
    }
    if (!this.jsonEnabled()) {
      const Help = await loadHelpClass(this.config)
      await new Help(this.config, this.config.pjson.oclif.helpOptions ?? {}).showHelp(words)
    }
    if (!cmd) return {commands: ids.filter((i) => !id || i.startsWith(`${id}:`)).map((i) => i.replace(/:/g, ' ')).sort()}
    const usage = (Array.isArray(cmd.usage) ? cmd.usage : cmd.usage ? [cmd.usage] : []) as string[]
    return {
      id: cmd.id.replace(/:/g, ' '),
      summary: cmd.summary,
      description: cmd.description,
      usage,
      flags: Object.fromEntries(Object.entries(cmd.flags).map(([n, f]) => [n, {...(f.char ? {char: f.char} : {}), description: f.description}])),
    }
  }
}
