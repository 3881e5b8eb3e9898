import {Args} from '@oclif/core'
import {LnxCommand} from '../base.js'
import {bashCompletion} from '../render/completion.js'

export default class Completion extends LnxCommand {
  static summary = 'Print a shell completion script (bash, or zsh through bashcompinit)'
  static description = 'Completes commands, flags and their values, namespace names (from /run/netns) and the logical names of the interfaces lnx manages (read from the kernel\'s alias marks with ip -o link, without starting lnx).'
  static examples = [
    'source <(<%= config.bin %> <%= command.id %> bash)          # bash, this shell',
    '<%= config.bin %> <%= command.id %> bash > /etc/bash_completion.d/lnx',
    'autoload -U +X bashcompinit && bashcompinit && source <(<%= config.bin %> <%= command.id %> zsh)   # zsh',
  ]
  static args = {shell: Args.string({description: 'shell', options: ['bash', 'zsh'], default: 'bash'})}

  async run(): Promise<{script: string}> {
    const {args} = await this.parse(Completion)
    const commands = this.config.commands
      .filter((c) => !c.hidden && c.pluginName === this.config.name)
      .map((c) => ({
        id: c.id,
        flags: Object.values(c.flags).filter((f) => !f.hidden).map((f) => ({name: f.name, char: f.char, options: (f as any).options, boolean: f.type === 'boolean'})),
        args: Object.keys(c.args ?? {}),
      }))
    const script = bashCompletion(this.config.bin, commands)
    const out = args.shell === 'zsh' ? `# zsh: uses bash completion\nautoload -U +X compinit && compinit -u\nautoload -U +X bashcompinit && bashcompinit\n${script}` : script
    if (!this.jsonEnabled()) process.stdout.write(out)
    return {script: out}
  }
}
