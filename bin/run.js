#!/usr/bin/env node
// V8 tiering for a short CLI run (src/tiering.ts), set before any of lnx runs; the agent keeps V8's own.
if (process.argv[2] !== 'agent') (await import('../dist/bundle/tiering.mjs')).useCliTiering()

// An apply, delete or plan of config files starts reading the kernel now, beside the loading of lnx and the validation
// of the config (src/cli-early.ts).
const {beginFromArgv} = await import('../dist/bundle/early.mjs')
beginFromArgv(process.argv.slice(2))

// The bundle (scripts/bundle.mjs) carries lnx and @oclif/core in one module graph: one copy of the core, fast start.
// lnx has no user-installed plugins: oclif need not look for them in the user's data directory.
// While the bundle loads, oclif's engine check is off: it looks for @oclif/core's package.json beside the bundle,
// where there is none, after loading semver for it — all cost, no check (npm checks lnx's own "engines").
const saved = process.env.OCLIF_DISABLE_ENGINE_WARNING
process.env.OCLIF_DISABLE_ENGINE_WARNING = '1'
const {main} = await import('../dist/bundle/lnx.mjs')
if (saved === undefined) delete process.env.OCLIF_DISABLE_ENGINE_WARNING
else process.env.OCLIF_DISABLE_ENGINE_WARNING = saved

await main({dir: import.meta.url, loadOptions: {root: new URL('..', import.meta.url).pathname, userPlugins: false, devPlugins: false}})
