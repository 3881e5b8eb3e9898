// The `ip` command lines lnx runs (as `ip -batch` lines, see kernel/run.ts), one builder per change of a kernel
// object. The planner composes them into commands (engine/contract.ts); the executor runs them as they are.
// Every name follows its keyword (`name`, `dev`, `peer name`): iproute2 reads a bare "a", "up" or "mtu" as a
// keyword. `netns` always gets a path: a numeric name would be read as a PID.
import {LNX_GROUP, LNX_PROTO} from '../model/keys.js'
import type {RouteScope} from '../model/types.js'

export interface LinkEnd {
  host: string
  /** nsfs path, or undefined when the end stays where ip runs. */
  netns?: string
  mtu?: number
  mac?: string
}

const endOpts = (e: LinkEnd) =>
  (e.netns ? `netns ${e.netns} ` : '') + `group ${LNX_GROUP}` + (e.mtu ? ` mtu ${e.mtu}` : '') + (e.mac ? ` address ${e.mac}` : '')

export const ipLine = {
  netnsAdd: (name: string) => `netns add ${name}`,
  netnsDel: (name: string) => `netns del ${name}`,
  vethAdd: (a: LinkEnd, b: LinkEnd) => `link add name ${a.host} ${endOpts(a)} type veth peer name ${b.host} ${endOpts(b)}`,
  dummyAdd: (e: LinkEnd) => `link add name ${e.host} ${endOpts(e)} type dummy`,
  linkDel: (host: string) => `link del dev ${host}`,
  /** Deletes every link of a group at once: one kernel unregister batch for many links. */
  linkDelGroup: (group: number) => `link del group ${group}`,
  up: (host: string) => `link set dev ${host} up`,
  down: (host: string) => `link set dev ${host} down`,
  mtu: (host: string, mtu: number) => `link set dev ${host} mtu ${mtu}`,
  mac: (host: string, mac: string) => `link set dev ${host} address ${mac}`,
  alias: (host: string, alias: string | undefined) => `link set dev ${host} alias ${alias || '""'}`,
  rename: (host: string, to: string) => `link set dev ${host} name ${to}`,
  move: (host: string, netns: string, to?: string) => `link set dev ${host} netns ${netns}${to && to !== host ? ` name ${to}` : ''}`,
  group: (host: string, group: number | string) => `link set dev ${host} group ${group}`,
  addrAdd: (host: string, cidr: string) => `addr add ${cidr} dev ${host}`,
  addrDel: (host: string, cidr: string) => `addr del ${cidr} dev ${host}`,
  /** Idempotent add, for undo lines: the address may be back already (a re-created namespace's lo). */
  addrReplace: (host: string, cidr: string) => `addr replace ${cidr} dev ${host}`,
  // Concatenated, not joined from an array: two lines per route, 10k+ in a big plan.
  route: (verb: 'add' | 'replace' | 'del', r: {dst: string; gw?: string; dev: string; metric: number; scope?: RouteScope | string; family: 4 | 6; proto?: string; table?: string}) =>
    `route ${verb} ${r.dst}` +
    (r.gw ? ` via ${r.gw}` : '') +
    ` dev ${r.dev}` +
    (r.table && r.table !== 'main' ? ` table ${r.table}` : '') +
    (r.metric || r.family === 6 ? ` metric ${r.metric}` : '') +
    (r.family === 4 && r.scope && verb !== 'del' ? ` scope ${r.scope}` : '') +
    ` proto ${r.proto ?? LNX_PROTO}`,
  neighReplace: (host: string, ip: string, mac: string, proto: string | number = LNX_PROTO) =>
    `neigh replace ${ip} lladdr ${mac} dev ${host} nud permanent${String(proto) === '0' ? '' : ` protocol ${proto}`}`,
  neighDel: (host: string, ip: string) => `neigh del ${ip} dev ${host}`,
}
