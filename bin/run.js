#!/usr/bin/env node
// The bundle (scripts/bundle.mjs) carries lnx and @oclif/core in one module graph: one copy of the core, fast start.
import {execute} from '../dist/bundle/lnx.mjs'

await execute({dir: import.meta.url})
