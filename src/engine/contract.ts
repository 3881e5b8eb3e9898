// The planner ↔ executor contract. The planner (engine/plan/) produces a Plan: ordered Changes, each carrying the
// Cmds that make it and, per Cmd, the Cmds that undo it. The executor (engine/execute.ts) runs the Cmds phase by
// phase, namespace by namespace, and on failure runs the undo of what it ran, newest first. The reconcile service
// (services/reconcile.ts), the CLI's renderers and the agent read Changes and Pending items; `renderCmd` is the one
// way to print a Cmd, built by the executor's own `wrap`, so a plan shows the command line that runs.
//
// Nothing here plans or runs anything: changing a type here changes both sides (and the --json shape of a
// Change: `kind` stays the field name there).
import type {ItemError} from '../errors.js'
import {wrap, type NsHandle} from '../kernel/run.js'

/**
 * The order commands run in, across every namespace. teardown: routes, neighbours, addresses going away, taps
 * moved out; unlink: link deletions — after every namespace's teardown, since deleting a veth end also removes its
 * peer in another namespace; namespaces: `netns add`; links: link creations and moves; configure: names, aliases,
 * MTU, MAC, state; tools: sysctl/ethtool; l3: addresses, routes, neighbours; cleanup: `netns del`.
 */
export type Phase = 'teardown' | 'unlink' | 'namespaces' | 'links' | 'configure' | 'tools' | 'l3' | 'cleanup'
export const PHASES: Phase[] = ['teardown', 'unlink', 'namespaces', 'links', 'configure', 'tools', 'l3', 'cleanup']

/** One command: an `ip -batch` line, or a tool run as its own process, in one namespace. */
export interface Cmd {
  ns: NsHandle
  phase: Phase
  /** An `ip -batch` line, or a tool run as its own process. */
  line?: string
  tool?: {cmd: 'sysctl' | 'ethtool'; args: string[]}
  /** What puts things back as they were, should the run fail after this command. */
  undo: readonly Cmd[]
  /** The config key of the item the command is for. */
  key: string
  /** Runs after the other commands of its phase and namespace (a group delete after the group marks). */
  late?: boolean
}

export type Action = 'create' | 'update' | 'delete'
/** What a change is about: a config item's kind (not a link kind such as veth or tap). */
export type ItemKind = 'namespace' | 'interface' | 'address' | 'route' | 'arp'

/** One planned change of one item, as the plan shows it and the executor runs it. */
export interface Change {
  action: Action
  /** The item kind. Named `kind` in --json output (a user contract). */
  kind: ItemKind
  key: string
  /** Label of the namespace it happens in ("" = the default one). */
  namespace: string
  detail: string
  /** The kernel differed from what lnx had made: someone changed an owned object out of band. */
  drift?: boolean
  cmds: Cmd[]
}

/** An item that cannot be applied yet, and why (waits for a namespace, a peer, VPP's tap, an address, …). */
export interface Pending {
  key: string
  reason: string
}

export interface Plan {
  changes: Change[]
  pending: Pending[]
  unchanged: number
  warnings: string[]
  /** Without --prune: owned items the config does not name, left in place (the plan says so). */
  kept: number
  /** Addresses an adopted EXISTING link had that its item does not list: removed, and said loudly (not lnx's). */
  foreignStrips: ItemError[]
}

/** The command line shown for a planned command: built by the executor's own `wrap`, so it is the one that runs. */
export function renderCmd(c: Cmd): string {
  const [file, argv] = c.tool ? wrap(c.ns, c.tool.cmd, c.tool.args) : wrap(c.ns, 'ip', c.line!.split(' '))
  return [file, ...argv].join(' ')
}
