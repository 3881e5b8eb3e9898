// V8 tiering for a short CLI run (issue 16). By default V8 optimises code with TurboFan after little use, on background
// threads that compete for the same two cores: in a CLI run that compiles lnx's per-item code (loader, validation,
// planner) for more CPU than the optimised code saves before the process ends — read+validate of 11,000 items took
// twice the CPU, for the same main-thread time. A larger interrupt budget keeps such code in the baseline tiers longer;
// code that stays hot (a long run, 100k items) is still optimised. js-yaml's scanner is the exception: a few small
// functions run per character, which pay back early optimisation — its parse runs with V8's default budget.
// Only on V8 11 (Node 20), where the default budget is known and these figures were measured; elsewhere V8's own.
import {setFlagsFromString} from 'node:v8'

const V8_11 = /^11\./.test(process.versions.v8)
/** V8 11's default --interrupt-budget (node --v8-options). */
const DEFAULT_BUDGET = 67_584
const CLI_BUDGET = 540_000
let cli = false

/** A CLI run (bin/run.js, every command but the agent): the larger budget from here on. */
export function useCliTiering(): void {
  if (!V8_11 || cli) return
  setFlagsFromString(`--interrupt-budget=${CLI_BUDGET}`)
  cli = true
}

/** Runs `f` (a parse that is all small hot functions) with V8's default budget, then the CLI's again. */
export function withDefaultTiering<T>(f: () => T): T {
  if (!cli) return f()
  setFlagsFromString(`--interrupt-budget=${DEFAULT_BUDGET}`)
  try {
    return f()
  } finally {
    setFlagsFromString(`--interrupt-budget=${CLI_BUDGET}`)
  }
}
