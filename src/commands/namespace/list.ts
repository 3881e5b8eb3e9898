import {LnxCommand} from '../../base.js'
import {labelFlag} from '../../flags.js'
import {namespaceList, type NamespaceInfo} from '../../engine/imperative.js'
import {table} from '../../render/table.js'

export default class NamespaceList extends LnxCommand {
  static summary = 'List network namespaces with their links, managed and foreign'
  static description = 'The namespace lnx runs in ("default", "" in JSON), every named namespace in /run/netns, and each running container with a MICROSERVICE_LABEL (microservice:LABEL).'
  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']
  static flags = {label: labelFlag}

  async run(): Promise<{namespaces: NamespaceInfo[]}> {
    const {flags} = await this.parse(NamespaceList)
    const namespaces = await namespaceList(flags.label)
    if (!this.jsonEnabled()) {
      this.log(table(['NAMESPACE', 'LINKS', 'MANAGED', 'FOREIGN', 'ROUTES', 'ARPS'], namespaces.map((n) => [n.name || 'default', n.links, n.managed, n.foreign, n.routes, n.arps].map(String))))
    }
    return {namespaces}
  }
}
