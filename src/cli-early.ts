// Loaded by bin/run.js before lnx and oclif (a bundle entry of its own, sharing its modules with lnx's): an apply,
// delete or plan of config files starts reading the kernel at once (session.ts beginEarly), while Node loads lnx and
// the config is read and validated. Only the plain forms of the command line are recognised here; oclif parses it
// again, and a run whose files or kind differ from what was guessed ends this start and reads as usual.
import {beginEarly} from './engine/session.js'

/** Pure: the config files of an apply/delete/plan command line, and whether it changes the host; undefined if none. */
export function earlyArgs(argv: string[]): {files: string[]; acting: boolean} | undefined {
  const [command, ...rest] = argv
  if (command !== 'apply' && command !== 'delete' && command !== 'plan') return undefined
  const files: string[] = []
  let dryRun = false
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]
    if (a === '-f' || a === '--file') {
      if (i + 1 >= rest.length) return undefined
      files.push(rest[++i])
    } else if (a.startsWith('--file=')) files.push(a.slice('--file='.length))
    else if (a === '--dry-run') dryRun = true
    else if (a === '--' || a === '-h' || a === '--help') return undefined
  }
  return files.length ? {files, acting: command !== 'plan' && !dryRun} : undefined
}

export function beginFromArgv(argv: string[]): void {
  const a = earlyArgs(argv)
  if (a) beginEarly(a.files, a.acting)
}
