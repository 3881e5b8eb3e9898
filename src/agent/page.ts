// The page an operator opens first (GET /): the host's picture (the `lnx graph` drawing: SVG through Graphviz when
// `dot` is installed, else its Mermaid text), pending items with reasons, rejected keys, the last transactions.
// Rendered on the server (readable without JavaScript, testable with a headless browser's DOM dump); a small
// script replaces the live part every 2 s.
import {observe} from '../kernel/observe.js'
import {buildGraph} from '../engine/graph.js'
import {renderSvg} from '../render/svg.js'
import {toDot, toMermaid} from '../render/graph.js'
import type {Agent} from './agent.js'

const esc = (s: unknown) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

let cache: {at: number; txns: number; out: {svg?: string; mermaid: string}} | undefined

/** The drawing, redrawn at most once a second. */
export async function pictureSvg(agent: Agent): Promise<{svg?: string; mermaid: string}> {
  const txns = agent.txns.at(-1)?.id ?? 0
  if (cache && cache.txns === txns && Date.now() - cache.at < 1000) return cache.out
  const model = buildGraph(await observe(), {label: agent.label, desired: agent.built?.desired, plan: {pending: agent.pending, changes: []}})
  const out: {svg?: string; mermaid: string} = {mermaid: toMermaid(model)}
  try {
    out.svg = (await renderSvg(toDot(model))).replace(/^[\s\S]*?(<svg)/, '$1')
  } catch {
    // No Graphviz: the Mermaid text is the picture.
  }
  cache = {at: Date.now(), txns, out}
  return out
}

export async function liveFragment(agent: Agent): Promise<string> {
  const pic = await pictureSvg(agent)
  const etcd = (agent.sourceState().etcd ?? {}) as Record<string, unknown>
  const rows = (xs: string[][]) => xs.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')
  const txns = [...agent.txns].reverse().slice(0, 20)
  return [
    `<p class="meta">label <b>${esc(agent.label)}</b> · etcd ${esc((etcd.endpoints as string[] | undefined)?.join(','))} <span class="${etcd.connected ? 'ok' : 'bad'}">${etcd.connected ? 'connected' : 'disconnected'}</span> · revision ${esc(etcd.revision)} · ${esc(etcd.keys)} keys · updated <time>${esc(new Date().toISOString())}</time></p>`,
    `<section id="picture"><h2>Host</h2>${pic.svg ?? `<pre class="mermaid">${esc(pic.mermaid)}</pre>`}</section>`,
    `<section id="pending"><h2>Pending (${agent.pending.length})</h2>${agent.pending.length ? `<table><tr><th>key</th><th>reason</th></tr>${rows(agent.pending.map((p) => [p.key, p.reason]))}</table>` : '<p>none</p>'}</section>`,
    `<section id="rejected"><h2>Rejected keys (${agent.rejected.length})</h2>${agent.rejected.length ? `<table><tr><th>key</th><th>reason</th></tr>${rows(agent.rejected.map((r) => [r.origin, r.reason]))}</table>` : '<p>none</p>'}</section>`,
    `<section id="transactions"><h2>Last transactions</h2><table><tr><th>id</th><th>started</th><th>source</th><th>revision</th><th>create</th><th>update</th><th>delete</th><th>pending</th><th>result</th><th>ms</th><th>error</th></tr>${rows(
      txns.map((t) => [String(t.id), t.started, t.source, String(t.revision ?? ''), String(t.counts.create), String(t.counts.update), String(t.counts.delete), String(t.counts.pending), t.result, String(t.duration_ms), t.error ?? (t.drift ? `drift repaired: ${t.drift.join(', ')}` : '')]),
    )}</table></section>`,
  ].join('\n')
}

export async function pageHtml(agent: Agent): Promise<string> {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>lnx agent ${esc(agent.label)}</title>
<style>
body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}h1{font-size:1.3em}h2{font-size:1.1em;margin-top:1.5em}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}
.ok{color:#070}.bad{color:#b00;font-weight:bold}#picture svg{max-width:100%;height:auto}pre{background:#f6f6f6;padding:.5em}
</style></head>
<body><h1>lnx agent — ${esc(agent.label)}</h1>
<div id="live">${await liveFragment(agent)}</div>
<p><a href="/status">/status</a> · <a href="/configuration">/configuration</a> · <a href="/dump/linux/v2/interfaces">interfaces</a> · <a href="/dump/linux/v2/routes">routes</a> · <a href="/dump/linux/v2/arps">arps</a> · <a href="/stats/linux/interfaces">stats</a></p>
<script>
setInterval(async () => {
  try {
    const r = await fetch('/ui/live', {cache: 'no-store'})
    if (r.ok) document.getElementById('live').innerHTML = await r.text()
  } catch {}
}, 2000)
</script>
</body></html>
`
}
