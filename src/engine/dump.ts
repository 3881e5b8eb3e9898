// `lnx dump`: observe, then present as config documents or table rows.
import {observe, type Observation} from '../kernel/observe.js'
import {ownedConfig, type OwnedConfig} from './owned-config.js'
import {ownership, routeOwned, neighOwned} from '../kernel/owned.js'
import {LnxError} from '../errors.js'
import {containerNamespaces} from './microservices.js'

export type DumpWhat = 'interfaces' | 'arps' | 'routes' | 'namespaces' | 'all'

export interface DumpOptions {
  what: DumpWhat
  namespaces?: string[]
  managed: boolean
  label: string
}

export interface NamespaceRow {
  name: string
  id: string
  links: number
  owned: number
  foreign: number
}

export interface DumpResult {
  obs: Observation
  state: OwnedConfig
  /** The config document (ConfigData, snake_case) `-o yaml|json` prints. */
  doc: Record<string, unknown>
  namespaces: NamespaceRow[]
  /** About what could not be shown (the container engine did not answer, …). */
  warnings: string[]
}

/** "default" and "" both name the namespace lnx runs in, unless a named namespace is called "default". */
export function nsFilter(names: string[] | undefined, named: string[]): string[] | undefined {
  if (!names?.length) return undefined
  return names.map((n) => (n === 'default' && !named.includes('default') ? '' : n))
}

export async function dump(opts: DumpOptions): Promise<DumpResult> {
  const containers = await containerNamespaces()
  const obs = await observe({extra: containers.handles})
  const labels = obs.namespaces.map((n) => n.handle.label)
  const only = nsFilter(opts.namespaces, labels)
  if (only) {
    // An empty table for a misspelt name would read as "nothing there".
    const unknown = only.filter((n) => !labels.includes(n))
    if (unknown.length) {
      throw new LnxError('INVALID', `no namespace ${unknown.map((n) => JSON.stringify(n || 'default')).join(', ')} (known: ${labels.map((n) => n || 'default').join(', ')})`, {hint: 'lnx namespace list shows them'})
    }
    obs.namespaces = obs.namespaces.filter((n) => only.includes(n.handle.label))
  }
  const state = ownedConfig(obs, opts.label)
  const pick = (w: DumpWhat) => opts.what === 'all' || opts.what === w
  const doc: Record<string, unknown> = {}
  if (pick('interfaces') && state.interfaces.length) doc.interfaces = state.interfaces
  if (pick('arps') && state.arp_entries.length) doc.arp_entries = state.arp_entries
  if (pick('routes') && state.routes.length) doc.routes = state.routes
  if (!opts.managed) {
    const f: Record<string, unknown> = {}
    if (pick('interfaces') && state.foreign.interfaces.length) f.interfaces = state.foreign.interfaces
    if (pick('arps') && state.foreign.arp_entries.length) f.arp_entries = state.foreign.arp_entries
    if (pick('routes') && state.foreign.routes.length) f.routes = state.foreign.routes
    if (Object.keys(f).length) doc.foreign = f
  }
  const namespaces = obs.namespaces.map((n) => {
    const owned = n.links.filter((l) => ownership(l, opts.label) === 'owned').length
    return {name: n.handle.label, id: n.id, links: n.links.length, owned, foreign: n.links.length - owned,
      routes: n.routes.filter(routeOwned).length, arps: n.neighs.filter(neighOwned).length}
  })
  return {obs, state, doc, namespaces, warnings: containers.warnings}
}
