#!/usr/bin/env node
// Start-up: one ESM bundle of lnx and @oclif/core (dist/lnx.mjs) instead of a few hundred small modules, with
// oclif's "explicit" command discovery. Heavy libraries stay lazy, loaded on
// first use: yaml, js-yaml, ajv, cli-table3, execa, etcd3 and the gRPC configurator's libraries are loaded from node_modules
// when needed.
// Measured in `npm run bench`.
import {build} from 'esbuild'

// `import process from 'node:process'` in an ES module (chalk's supports-color, wsl-utils, which oclif imports at
// every start) makes Node build the module's facade from every property of `process`, stdin included: a stream for
// stdin is created at start-up, even for `lnx --version`. The global is the same object, without that.
const processGlobal = {
  name: 'process-global',
  setup(b) {
    b.onResolve({filter: /^(node:)?process$/}, (a) => (a.kind === 'import-statement' ? {path: 'process', namespace: 'process-global'} : undefined))
    b.onLoad({filter: /.*/, namespace: 'process-global'}, () => ({contents: 'export default globalThis.process', loader: 'js'}))
  },
}

await build({
  // early: what bin/run.js starts before lnx is loaded (cli-early.ts); its modules are chunks shared with lnx.
  // tiering: set by bin/run.js before anything else runs (tiering.ts); one module instance, shared with lnx's.
  entryPoints: {lnx: 'dist/index.js', early: 'dist/cli-early.js', tiering: 'dist/tiering.js'},
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outExtension: {'.js': '.mjs'},
  // Dev-mode TypeScript loaders that @oclif/core references but never needs here. semver: only oclif's Node-version
  // check needs it, which bin/run.js turns off (and which catches a failed require): 45 KB less to compile at start.
  external: ['typescript', 'ts-node', 'tsx', 'ajv', 'ajv-formats', 'cli-table3', 'yaml', 'js-yaml', 'etcd3', '@grpc/grpc-js', '@grpc/proto-loader', 'protobufjs', 'execa', 'semver'],
  banner: {js: "import {createRequire as __lnxRequire} from 'node:module'; const require = __lnxRequire(import.meta.url);"},
  minifySyntax: true,
  minifyWhitespace: true,
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [processGlobal],
})
