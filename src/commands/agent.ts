import {Flags} from '@oclif/core'
import {LnxCommand} from '../base.js'
import {labelFlag} from '../flags.js'
import {LnxError} from '../errors.js'

export default class Agent extends LnxCommand {
  static summary = 'Run as an agent: apply the etcd keys of a label (and the vpp-agent\'s gRPC configurator with --grpc), serve the vpp-agent REST dumps and a web page'
  static description = `Reads every key under /vnf-agent/<label>/config/linux/ (interfaces/v2/interface/…, l3/v2/arp/…, l3/v2/route/…; values are the vpp-agent's JSON) and applies them as one transaction that also prunes owned items that are absent; then watches the prefix, one transaction per change batch, reverted on failure. A key whose value is invalid or disagrees with its key is rejected (logged, shown on /status); the other keys go on. Pending items are applied when the kernel shows what they wait for; failures are retried (1 s doubling to 60 s); out-of-band changes to owned objects are repaired. An empty store at start-up does not prune anything unless --allow-empty.\n\nHTTP (loopback by default): the vpp-agent's GET /dump/linux/v2/interfaces|arps|routes and /stats/linux/interfaces, GET /configuration (agentctl's YAML), /healthz, /status, and a web page at /. While the agent runs, "lnx apply --prune" and "lnx delete" for its label are refused (exit 4). One log line per transaction on stderr. SIGTERM/SIGINT stop it; a transaction in flight is reverted.\n\ngRPC (--grpc HOST:PORT, a port alone = loopback): the vpp-agent's ligato.configurator.ConfiguratorService (proto/ligato/configurator). Update (full_resync replaces what came through gRPC, never etcd's keys; wait_done answers once no item of the request is pending, or at the call's deadline), Delete, Get (the config received through gRPC), Dump (the kernel's state, as the REST dumps read it), Notify (UPDOWN of the interfaces this label owns; resume with next_idx). vpp_config and netalloc_config are refused (INVALID_ARGUMENT: lnx configures Linux only); invalid values → INVALID_ARGUMENT; a failed transaction → FAILED_PRECONDITION, reverted. --grpc-tls-cert/--grpc-tls-key serve it over TLS.`
  static examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --etcd http://127.0.0.1:2379 --label vpp1 --http 127.0.0.1:9191',
    'MICROSERVICE_LABEL=host2 <%= config.bin %> <%= command.id %> --etcd http://10.0.0.1:2379,http://10.0.0.2:2379 --log-format json',
    '<%= config.bin %> <%= command.id %> --grpc 127.0.0.1:9111',
    '<%= config.bin %> <%= command.id %> --grpc 0.0.0.0:9111 --grpc-tls-cert /etc/lnx/tls.crt --grpc-tls-key /etc/lnx/tls.key',
  ]
  static flags = {
    etcd: Flags.string({description: 'etcd endpoint(s), comma-separated or repeated', default: ['http://127.0.0.1:2379'], multiple: true}),
    label: labelFlag,
    http: Flags.string({description: 'HOST:PORT of the REST API and web page', default: '127.0.0.1:9191'}),
    'log-format': Flags.string({description: 'log lines on stderr', options: ['text', 'json'], default: 'text'}),
    'allow-empty': Flags.boolean({description: 'let an empty key set at start-up prune every item this label owns'}),
    grpc: Flags.string({description: 'HOST:PORT of the vpp-agent\'s gRPC configurator (a port alone: loopback); off unless given'}),
    'grpc-tls-cert': Flags.string({description: 'PEM certificate (chain) for gRPC over TLS', dependsOn: ['grpc-tls-key']}),
    'grpc-tls-key': Flags.string({description: 'PEM private key for gRPC over TLS', dependsOn: ['grpc-tls-cert']}),
  }

  /** --json: the log lines are JSON, and the summary printed at the end is too. */
  async run(): Promise<{label: string; stopped: true}> {
    const {flags} = await this.parse(Agent)
    if (flags['grpc-tls-cert'] && !flags.grpc) throw new LnxError('INVALID', '--grpc-tls-cert/--grpc-tls-key need --grpc (the address to serve gRPC on)')
    const stop = new AbortController()
    // The first signal stops the agent (a transaction in flight is reverted); later ones must not cut that short.
    const onSignal = (s: NodeJS.Signals) => {
      if (stop.signal.aborted) process.stderr.write(`${s}: already stopping (reverting the transaction in flight)\n`)
      else stop.abort(s)
    }
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
    const {runAgent} = await import('../agent/index.js')
    await runAgent({
      etcd: flags.etcd.flatMap((e) => e.split(',')).map((e) => e.trim()).filter(Boolean),
      label: flags.label,
      http: flags.http,
      logFormat: this.jsonEnabled() ? 'json' : (flags['log-format'] as 'text' | 'json'),
      allowEmpty: flags['allow-empty'],
      ...(flags.grpc
        ? {grpc: {listen: flags.grpc, ...(flags['grpc-tls-cert'] && flags['grpc-tls-key'] ? {tls: {cert: flags['grpc-tls-cert'], key: flags['grpc-tls-key']}} : {})}}
        : {}),
    }, stop.signal)
    return {label: flags.label, stopped: true}
  }
}
