#!/usr/bin/env node
// A CLI run is short: V8's default tiering spends more CPU compiling lnx's per-item code (the config validator, the
// loader, the planner) with TurboFan, on background threads that compete for the same cores, than the compiled code
// saves before the process ends. A larger interrupt budget keeps code in the baseline tiers longer; truly hot loops
// (a long-running agent, 100k items) are still optimised. Read+validate of the bench's 11,000 items: about half the
// CPU, the same main-thread time (README, Performance). Set before lnx is loaded; only on V8s known to have the flag.
import {setFlagsFromString} from 'node:v8'
if (/^1[1-3]\./.test(process.versions.v8)) setFlagsFromString('--interrupt-budget=540000')

// An apply, delete or plan of config files starts reading the kernel now, beside the loading of lnx and the validation
// of the config (src/cli-early.ts).
const {beginFromArgv} = await import('../dist/bundle/early.mjs')
beginFromArgv(process.argv.slice(2))

// The bundle (scripts/bundle.mjs) carries lnx and @oclif/core in one module graph: one copy of the core, fast start.
// lnx has no user-installed plugins: oclif need not look for them in the user's data directory.
const {main} = await import('../dist/bundle/lnx.mjs')

await main({dir: import.meta.url, loadOptions: {root: new URL('..', import.meta.url).pathname, userPlugins: false, devPlugins: false}})
