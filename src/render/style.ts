// Colour only on a TTY, never with NO_COLOR or --no-color. chalk decides TTY support; we add the opt-outs.
import chalk from 'chalk'

const enabled = !!process.stdout.isTTY && !('NO_COLOR' in process.env) && !process.argv.includes('--no-color')
if (!enabled) chalk.level = 0

const wrap = (f: (s: string) => string) => (s: string) => (enabled ? f(s) : s)
export const paint = {
  red: wrap(chalk.red),
  green: wrap(chalk.green),
  yellow: wrap(chalk.yellow),
  cyan: wrap(chalk.cyan),
  dim: wrap(chalk.dim),
  bold: wrap(chalk.bold),
}
