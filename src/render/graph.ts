// Pure renderers of the graph model (src/engine/graph.ts): Mermaid (flowchart LR, for Markdown) and DOT (Graphviz).
// Ids are already safe identifiers; every label is escaped for its language here.
import type {GCluster, GEdge, GNode, GraphModel} from '../engine/graph.js'

/** The lines of a node's label, shared by both languages. */
export function nodeLines(n: GNode): string[] {
  const lines = [n.name]
  const state = [n.kind, n.state === 'pending' ? 'pending' : n.state]
  if (n.mtu) state.push(`mtu ${n.mtu}`)
  lines.push(state.join(' · '))
  if (n.owner === 'owned' && n.logical) lines.push(`lnx: ${n.logical}`)
  else if (n.owner === 'pending') lines.push(`lnx: ${n.logical ?? n.name} (pending)`)
  else if (n.owner === 'other') lines.push(`label ${n.otherLabel ?? '?'}: ${n.logical ?? '?'}`)
  else if (n.owner === 'leftover') lines.push('lnx leftover (no alias)')
  lines.push(...n.addresses)
  if (n.note) lines.push(n.note)
  return lines
}

const header = (m: GraphModel) => `lnx graph (label ${m.label}): owned = managed by lnx, foreign = not, dashed = pending`

// ---------------------------------------------------------------------------------------------------------------
// Mermaid

/** Mermaid label text inside "…": entity codes for what the parser or the HTML would read. */
export function mermaidText(s: string): string {
  return s.replace(/[#"<>&`\\]/g, (c) => `#${c.codePointAt(0)};`).replace(/[\u0000-\u001f\u007f]/g, ' ')
}

const MERMAID_CLASSES: Record<string, string> = {
  owned: 'fill:#dbeafe,stroke:#1d4ed8,stroke-width:2px,color:#111827',
  foreign: 'fill:#f3f4f6,stroke:#6b7280,color:#374151',
  other: 'fill:#fef3c7,stroke:#b45309,color:#111827',
  leftover: 'fill:#fee2e2,stroke:#b91c1c,color:#111827',
  pending: 'fill:#ffffff,stroke:#1d4ed8,stroke-width:2px,stroke-dasharray:5 5,color:#1d4ed8',
  routes: 'fill:#ffffff,stroke:#9ca3af,color:#374151',
  note: 'fill:#ffffff,stroke:#b45309,stroke-dasharray:5 5,color:#374151',
}

export function toMermaid(m: GraphModel): string {
  const out: string[] = ['flowchart LR', `  %% ${mermaidText(header(m))}`]
  const byClass = new Map<string, string[]>()
  const klass = (c: string, id: string) => byClass.set(c, [...(byClass.get(c) ?? []), id])
  const label = (lines: string[]) => `"${lines.map(mermaidText).join('<br/>')}"`
  const node = (n: GNode) => {
    const l = label(nodeLines(n))
    klass(n.owner, n.id)
    return n.tap ? `${n.id}{{${l}}}` : `${n.id}[${l}]`
  }
  const pendingClusters: string[] = []
  for (const c of m.clusters) {
    out.push(`  subgraph ${c.id}[${label([c.pending ? `${c.title} (to be created)` : c.title])}]`)
    for (const n of c.nodes) out.push(`    ${node(n)}`)
    if (c.routes && c.routesId) {
      out.push(`    ${c.routesId}[${label(['routes', ...c.routes])}]`)
      klass('routes', c.routesId)
    }
    out.push('  end')
    if (c.pending) pendingClusters.push(c.id)
  }
  if (m.pendingItems.length) {
    out.push(`  pending_items[${label(['pending', ...m.pendingItems.map((p) => `${p.key}: ${p.reason}`)])}]`)
    klass('note', 'pending_items')
  }
  for (const e of m.edges) out.push(`  ${e.from} ${e.pending ? '-.-' : '<-->'}|${e.pending ? 'pending veth' : 'veth'}| ${e.to}`)
  for (const [name, style] of Object.entries(MERMAID_CLASSES)) if (byClass.has(name)) out.push(`  classDef ${name} ${style}`)
  for (const [name, ids] of byClass) out.push(`  class ${ids.join(',')} ${name}`)
  for (const id of pendingClusters) out.push(`  style ${id} stroke-dasharray:5 5`)
  return out.join('\n') + '\n'
}

// ---------------------------------------------------------------------------------------------------------------
// DOT

/** A DOT double-quoted string (backslash escapes are Graphviz's own: \n, \l, \N …, so backslashes are doubled). */
export function dotString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/[\u0000-\u001f\u007f]/g, ' ')}"`
}

const dotLabel = (lines: string[], align: 'center' | 'left' = 'center') => {
  const esc = lines.map((l) => dotString(l).slice(1, -1))
  return align === 'left' ? `"${esc.join('\\l')}\\l"` : `"${esc.join('\\n')}"`
}

const DOT_STYLE: Record<string, string> = {
  owned: 'style="rounded,filled,bold", fillcolor="#dbeafe", color="#1d4ed8"',
  foreign: 'style="rounded,filled", fillcolor="#f3f4f6", color="#6b7280", fontcolor="#374151"',
  other: 'style="rounded,filled", fillcolor="#fef3c7", color="#b45309"',
  leftover: 'style="rounded,filled", fillcolor="#fee2e2", color="#b91c1c"',
  pending: 'style="rounded,dashed", color="#1d4ed8", fontcolor="#1d4ed8"',
}

function dotNode(n: GNode): string {
  const shape = n.tap ? 'shape=hexagon, ' : ''
  return `${n.id} [${shape}label=${dotLabel(nodeLines(n))}, ${DOT_STYLE[n.owner]}]`
}

function dotCluster(c: GCluster): string[] {
  const out = [`  subgraph cluster_${c.id} {`, `    label=${dotString(c.pending ? `${c.title} (to be created)` : c.title)}`,
    `    style=${c.pending ? '"rounded,dashed"' : 'rounded'}`, '    color="#9ca3af"']
  for (const n of c.nodes) out.push(`    ${dotNode(n)}`)
  if (c.routes && c.routesId) out.push(`    ${c.routesId} [shape=note, label=${dotLabel(['routes', ...c.routes], 'left')}, color="#9ca3af", fontcolor="#374151"]`)
  out.push('  }')
  return out
}

function dotEdge(e: GEdge): string {
  return `  ${e.from} -- ${e.to} [label=${e.pending ? '"pending veth", style=dashed, color="#1d4ed8"' : '"veth"'}]`
}

export function toDot(m: GraphModel): string {
  const out = [
    `// ${header(m)}`,
    'graph lnx {',
    '  graph [rankdir=LR, fontname="Helvetica", fontsize=11]',
    '  node [shape=box, fontname="Helvetica", fontsize=10]',
    '  edge [fontname="Helvetica", fontsize=9]',
  ]
  for (const c of m.clusters) out.push(...dotCluster(c))
  if (m.pendingItems.length) {
    out.push(`  pending_items [shape=note, style=dashed, color="#b45309", label=${dotLabel(['pending', ...m.pendingItems.map((p) => `${p.key}: ${p.reason}`)], 'left')}]`)
  }
  for (const e of m.edges) out.push(dotEdge(e))
  out.push('}')
  return out.join('\n') + '\n'
}
