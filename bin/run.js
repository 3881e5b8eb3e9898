#!/usr/bin/env node
// The bundle (scripts/bundle.mjs) carries lnx and @oclif/core in one module graph: one copy of the core, fast start.
// lnx has no user-installed plugins: oclif need not look for them in the user's data directory.
import {main} from '../dist/bundle/lnx.mjs'

await main({dir: import.meta.url, loadOptions: {root: new URL('..', import.meta.url).pathname, userPlugins: false, devPlugins: false}})
