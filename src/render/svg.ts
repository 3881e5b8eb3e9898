// SVG is drawn by Graphviz's `dot` from the DOT text of render/graph.ts; without Graphviz, -o dot and -o mermaid still work.
import {LnxError} from '../errors.js'
import {runTool} from '../kernel/run.js'

/** DOT → SVG through Graphviz's `dot`. */
export async function renderSvg(dotText: string): Promise<string> {
  let r
  try {
    r = await runTool('dot', ['-Tsvg'], {input: dotText})
  } catch (e) {
    if (e instanceof LnxError && e.code === 'MISSING_TOOL') {
      throw new LnxError('MISSING_TOOL', 'Graphviz (dot) is not installed: -o svg renders through it', {hint: 'apt-get install graphviz (or use -o dot / -o mermaid)'})
    }
    throw e
  }
  if (r.exitCode !== 0) throw new LnxError('INTERNAL', `dot failed: ${r.stderr.trim() || `exit ${r.exitCode}`}`, {hint: 'run with -o dot to see the input; this is a bug in lnx'})
  return r.stdout
}
