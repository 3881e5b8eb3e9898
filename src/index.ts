// Every command, for oclif's "explicit" discovery and the single-file bundle (scripts/bundle.mjs): one module
// graph instead of oclif globbing dist/commands at start-up. test/unit/commands.test.ts checks it is complete.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {execute} from '@oclif/core'
import {useCliTiering} from './tiering.js'

export {execute}

import Agent from './commands/agent.js'
import Apply from './commands/apply.js'
import ArpAdd from './commands/arp/add.js'
import ArpDelete from './commands/arp/delete.js'
import ArpShow from './commands/arp/show.js'
import Completion from './commands/completion.js'
import Confirm from './commands/confirm.js'
import Delete from './commands/delete.js'
import Doctor from './commands/doctor.js'
import Dump from './commands/dump.js'
import Graph from './commands/graph.js'
import HelpCommand from './commands/help.js'
import InterfaceAdd from './commands/interface/add.js'
import InterfaceDelete from './commands/interface/delete.js'
import InterfaceSet from './commands/interface/set.js'
import InterfaceShow from './commands/interface/show.js'
import NamespaceAdd from './commands/namespace/add.js'
import NamespaceDelete from './commands/namespace/delete.js'
import NamespaceList from './commands/namespace/list.js'
import Plan from './commands/plan.js'
import Rollback from './commands/rollback.js'
import RouteAdd from './commands/route/add.js'
import RouteDelete from './commands/route/delete.js'
import RouteShow from './commands/route/show.js'
import Schema from './commands/schema.js'
import Validate from './commands/validate.js'

export const COMMANDS = {
  'agent': Agent,
  'apply': Apply,
  'arp:add': ArpAdd,
  'arp:delete': ArpDelete,
  'arp:show': ArpShow,
  'completion': Completion,
  'confirm': Confirm,
  'delete': Delete,
  'doctor': Doctor,
  'dump': Dump,
  'graph': Graph,
  'help': HelpCommand,
  'interface:add': InterfaceAdd,
  'interface:delete': InterfaceDelete,
  'interface:set': InterfaceSet,
  'interface:show': InterfaceShow,
  'namespace:add': NamespaceAdd,
  'namespace:delete': NamespaceDelete,
  'namespace:list': NamespaceList,
  'plan': Plan,
  'rollback': Rollback,
  'route:add': RouteAdd,
  'route:delete': RouteDelete,
  'route:show': RouteShow,
  'schema': Schema,
  'validate': Validate,
}

type ExecuteOptions = Parameters<typeof execute>[0] & {loadOptions: {root: string}}

/**
 * bin/run.js's entry: oclif's execute, except `lnx --version --json`, which oclif answers only with its plain
 * user-agent line (it looks at argv[0] alone, before any command or flag is parsed).
 */
export async function main(opts: ExecuteOptions): Promise<unknown> {
  const argv = process.argv.slice(2)
  // The agent runs for days: V8's own tiering suits it; every other command is a short run (tiering.ts).
  if (argv[0] !== 'agent') useCliTiering()
  if (argv.includes('--version') && argv.includes('--json') && argv.every((a) => a === '--version' || a === '--json')) {
    const pkg = JSON.parse(readFileSync(join(opts.loadOptions.root, 'package.json'), 'utf8'))
    process.stdout.write(`${JSON.stringify({name: pkg.name, version: pkg.version, node: process.version, platform: process.platform, arch: process.arch}, null, 2)}\n`)
    return
  }
  return execute(opts)
}
