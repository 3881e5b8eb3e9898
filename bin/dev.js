#!/usr/bin/env -S node --import tsx --no-warnings=ExperimentalWarning
// Development: the TypeScript sources through tsx, without building (commands from src/index.ts).
import {execute} from '../src/index.ts'

await execute({development: true, dir: import.meta.url})
