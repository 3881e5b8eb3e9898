#!/usr/bin/env node
// Start-up: one ESM bundle of lnx and @oclif/core (dist/lnx.mjs) instead of a few hundred small modules, with
// oclif's "explicit" command discovery. Heavy libraries stay lazy, loaded on
// first use: yaml, js-yaml, ajv, cli-table3, execa, etcd3 and the gRPC configurator's libraries are loaded from node_modules
// when needed.
// Measured in `npm run bench`.
import {build} from 'esbuild'

await build({
  // early: what bin/run.js starts before lnx is loaded (cli-early.ts); its modules are chunks shared with lnx.
  entryPoints: {lnx: 'dist/index.js', early: 'dist/cli-early.js'},
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outExtension: {'.js': '.mjs'},
  // Dev-mode TypeScript loaders that @oclif/core references but never needs here.
  external: ['typescript', 'ts-node', 'tsx', 'ajv', 'ajv-formats', 'cli-table3', 'yaml', 'js-yaml', 'etcd3', '@grpc/grpc-js', '@grpc/proto-loader', 'protobufjs', 'execa'],
  banner: {js: "import {createRequire as __lnxRequire} from 'node:module'; const require = __lnxRequire(import.meta.url);"},
  minifySyntax: true,
  minifyWhitespace: true,
  legalComments: 'none',
  logLevel: 'warning',
})
