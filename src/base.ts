// Shared behaviour of every command: --json, typed errors rendered in one place, exit codes of docs/DESIGN.md.
import {Command, Flags} from '@oclif/core'
import {LnxError} from './errors.js'
import {errorText, escapeArgsIn} from './render/errors.js'

export abstract class LnxCommand extends Command {
  static enableJsonFlag = true

  static baseFlags = {
    verbose: Flags.boolean({char: 'v', description: 'show every process lnx runs and its batch input (on stderr)', helpGroup: 'GLOBAL'}),
    'no-color': Flags.boolean({description: 'no colour, even on a terminal (NO_COLOR is honoured too)', helpGroup: 'GLOBAL'}),
  }

  protected async init(): Promise<void> {
    await super.init()
    if (this.argv.includes('--verbose') || this.argv.includes('-v')) process.env.LNX_VERBOSE = '1'
  }

  /** Plain JSON: colourised and pretty only on a terminal (oclif tokenises every result for colour otherwise). */
  logJson(json: unknown): void {
    if (process.stdout.isTTY && !('NO_COLOR' in process.env)) return super.logJson(json)
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`)
  }

  /** stderr announcements of acting runs: a wait for the lock always (not with --json), progress on a terminal only. */
  protected announcer(): (msg: string) => void {
    const tty = !!process.stderr.isTTY
    return (m) => {
      if (!this.jsonEnabled() && (tty || /^waiting for another/.test(m))) process.stderr.write(`${m}\n`)
    }
  }

  /** Sets the exit code without throwing, so that a --json result is still printed. */
  protected exitWith(code: number) {
    process.exitCode = code
  }

  protected async catch(err: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<any> {
    // A flag's own parse function refused its value (oclif decorates the message, but it is a usage error).
    const refused = !(err instanceof LnxError) && /^Parsing --[\w-]+ \n\t([\s\S]*)\nSee more help with --help$/.exec(err.message ?? '')
    if (refused) err = new LnxError('INVALID', refused[1], {hint: 'see --help'})
    if (!(err instanceof LnxError)) {
      // oclif's own errors (flag parsing, exit) keep their behaviour: usage errors exit 2.
      if ((err as any).oclif || (err as any).code === 'EEXIT') {
        // oclif quotes what was typed ("Unexpected argument: …"): a newline in it must not start a line of its own.
        if (typeof err.message === 'string') err.message = escapeArgsIn(err.message, this.argv)
        if (this.jsonEnabled() && (err as any).oclif?.exit !== 0 && (err as any).code !== 'EEXIT') {
          this.logJson({error: {code: 'INVALID', message: err.message}})
          process.exitCode = (err as any).oclif?.exit ?? 2
          return
        }
        throw err
      }
      err = new LnxError('INTERNAL', err.message ?? String(err), {hint: 'this is a bug in lnx; run with --verbose and report it'})
      if (process.env.LNX_VERBOSE) process.stderr.write(`${(err as any).stack}\n`)
    }
    const e = err as LnxError
    if (this.jsonEnabled()) this.logJson({error: e.toJSON()})
    else process.stderr.write(`${errorText(e)}\n`)
    process.exitCode = e.exitCode
  }
}
