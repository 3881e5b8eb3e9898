// MICROSERVICE namespaces: which running container holds each label (the newest; duplicates are warned about), and
// the namespaces of all labelled containers for dump and graph. The engine is asked once per observation.
import {byLabel, DockerEngine, EngineUnreachable, LABEL_VAR} from '../adapters/docker.js'
import {LnxError} from '../errors.js'
import {containerHandle, type MicroserviceLookup} from '../kernel/namespaces.js'
import type {NsHandle} from '../kernel/run.js'

export interface MicroserviceView {
  lookup: MicroserviceLookup
  /** Why the engine could not be asked; undefined when it answered. */
  unreachable?: string
}

/** Asks the engine for its running containers; an unreachable engine is an answer too (never an exception). */
export async function lookupMicroservices(engine = new DockerEngine()): Promise<MicroserviceView> {
  try {
    return {lookup: {byLabel: byLabel(await engine.running())}}
  } catch (e) {
    if (!(e instanceof EngineUnreachable)) throw e
    return {lookup: {error: e.message}, unreachable: e.message}
  }
}

/** Warnings about the labels a config uses: the engine is down, or two running containers carry one label. */
export function microserviceWarnings(view: MicroserviceView, labels: string[]): string[] {
  if (!labels.length) return []
  if (view.unreachable) return [`${view.unreachable}: MICROSERVICE items are pending (start the engine, or point DOCKER_HOST at it)`]
  const out: string[] = []
  const lookup = view.lookup as {byLabel: Map<string, {name: string; id: string}[]>}
  for (const l of [...new Set(labels)].sort()) {
    const cs = lookup.byLabel.get(l) ?? []
    if (cs.length < 2) continue
    const names = cs.map((c) => `${c.name} (${c.id.slice(0, 12)})`)
    out.push(`${cs.length} running containers have ${LABEL_VAR}=${l}: ${names.join(', ')}; using ${names[0]}, the newest`)
  }
  return out
}

/**
 * What dump, graph and imperative verbs observe besides the host's own namespaces: the namespace of each labelled
 * running container (the newest per label). No DOCKER_HOST and no /var/run/docker.sock means no engine: nothing to
 * say. An engine that is named or present but does not answer, duplicate labels, or lnx outside the host PID
 * namespace are warnings here — these commands show what they can.
 */
export async function containerNamespaces(): Promise<{handles: NsHandle[]; warnings: string[]}> {
  const view = await lookupMicroservices()
  if ('error' in view.lookup) {
    const quiet = !DockerEngine.explicit() && /\(no socket\)$/.test(view.lookup.error)
    return {handles: [], warnings: quiet ? [] : [`${view.lookup.error}: container namespaces are not shown`]}
  }
  const warnings = microserviceWarnings(view, [...view.lookup.byLabel.keys()])
  const handles: NsHandle[] = []
  for (const [label, cs] of [...view.lookup.byLabel].sort(([a], [b]) => a.localeCompare(b))) {
    try {
      const r = await containerHandle(label, cs[0])
      if ('handle' in r) handles.push(r.handle)
    } catch (e) {
      if (!(e instanceof LnxError)) throw e
      warnings.push(e.message)
    }
  }
  return {handles, warnings}
}
