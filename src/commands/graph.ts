import {Flags} from '@oclif/core'
import {LnxCommand} from '../base.js'
import {labelFlag} from '../flags.js'
import {graph, type GraphModel} from '../engine/graph.js'
import {renderSvg} from '../render/svg.js'
import {toDot, toMermaid} from '../render/graph.js'
import {itemErrorLine} from '../render/errors.js'

export default class Graph extends LnxCommand {
  static summary = 'Draw the host: namespaces, links, veth pairs (Mermaid, DOT or SVG)'
  static description = `Reads every namespace and draws it: namespaces as clusters, links as nodes (host name, state, addresses; taps as hexagons), veth pairs as edges across namespaces. What lnx manages (--label) is drawn apart from foreign links, another label's links and lnx's leftovers. With -f, the config is planned and what it would still add is drawn dashed, with the reason when it is pending.\n\n-o mermaid (default) pastes into Markdown; -o dot feeds Graphviz; -o svg renders through Graphviz's dot (apt-get install graphviz). --json prints {format, output, model}: the rendered text and the model it was drawn from (clusters, nodes, edges, pending items).`
  static examples = [
    '<%= config.bin %> <%= command.id %> > host.mmd',
    '<%= config.bin %> <%= command.id %> -n ns1 -n ns2 --routes -o dot | dot -Tpng > host.png',
    '<%= config.bin %> <%= command.id %> -f examples/seed.yaml --managed -o svg > seed.svg',
  ]
  static flags = {
    namespace: Flags.string({char: 'n', description: 'only this namespace ("default" for the one lnx runs in); repeatable', multiple: true}),
    managed: Flags.boolean({description: 'only what lnx manages (and, with -f, what it would add)'}),
    output: Flags.string({char: 'o', description: 'output format', options: ['mermaid', 'dot', 'svg'], default: 'mermaid'}),
    routes: Flags.boolean({description: "add each namespace's routes (a note per namespace)"}),
    file: Flags.string({char: 'f', description: 'config file(s) whose missing and pending items are drawn dashed; "-" for standard input; repeatable', multiple: true}),
    label: labelFlag,
  }

  async run(): Promise<{format: string; output: string; model: GraphModel}> {
    const {flags} = await this.parse(Graph)
    const {model, warnings} = await graph({label: flags.label, namespaces: flags.namespace, managed: flags.managed, routes: flags.routes, files: flags.file})
    for (const w of warnings) process.stderr.write(`${itemErrorLine(w, 'warning')}\n`)
    const output = flags.output === 'svg' ? await renderSvg(toDot(model)) : flags.output === 'dot' ? toDot(model) : toMermaid(model)
    if (!this.jsonEnabled()) process.stdout.write(output)
    return {format: flags.output, output, model}
  }
}
