// Runs the agent until `stop` aborts: sources, transactions, HTTP. The command (commands/agent.ts) only parses flags.
import {Agent} from './agent.js'
import {serve} from './http.js'
import {makeLog, type LogFormat} from './log.js'

export interface RunAgentOptions {
  etcd: string[]
  label: string
  http: string
  logFormat: LogFormat
  allowEmpty: boolean
}

export async function runAgent(o: RunAgentOptions, stop: AbortSignal): Promise<void> {
  const log = makeLog(o.logFormat)
  const agent = new Agent({etcd: o.etcd, label: o.label, http: o.http, allowEmpty: o.allowEmpty, log})
  const stopped = new Promise<void>((resolve) => (stop.aborted ? resolve() : stop.addEventListener('abort', () => resolve(), {once: true})))
  const {server, address} = await serve(agent, o.http)
  log.log('info', 'agent started', {label: o.label, pid: process.pid, http: `http://${address}/`, etcd: o.etcd.join(',')})
  try {
    await Promise.race([agent.start(), stopped])
    await stopped
  } finally {
    await agent.stop()
    server.closeAllConnections?.()
    await new Promise((r) => server.close(() => r(undefined)))
    log.log('info', 'agent stopped', {label: o.label})
  }
}
