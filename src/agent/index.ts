// Runs the agent until `stop` aborts: sources, transactions, HTTP. The command (commands/agent.ts) only parses flags.
import {Agent} from './agent.js'
import {LnxError} from '../errors.js'
import {parseListen, serve} from './http.js'
import {makeLog, type LogFormat} from './log.js'

export interface RunAgentOptions {
  etcd: string[]
  label: string
  http: string
  logFormat: LogFormat
  allowEmpty: boolean
}

export async function runAgent(o: RunAgentOptions, stop: AbortSignal): Promise<void> {
  for (const e of o.etcd) {
    if (!/^https?:\/\/[^/\s]+$/.test(e)) throw new LnxError('INVALID', `--etcd ${JSON.stringify(e)} is not an endpoint URL`, {hint: 'http://HOST:PORT (or https://), several comma-separated'})
  }
  parseListen(o.http)
  const log = makeLog(o.logFormat)
  const agent = new Agent({etcd: o.etcd, label: o.label, http: o.http, allowEmpty: o.allowEmpty, log})
  const stopped = new Promise<void>((resolve) => (stop.aborted ? resolve() : stop.addEventListener('abort', () => resolve(), {once: true})))
  await agent.claimLabel()
  let http: Awaited<ReturnType<typeof serve>>
  try {
    http = await serve(agent, o.http)
  } catch (e) {
    await agent.stop()
    throw e
  }
  const {server, address} = http
  log.log('info', 'agent started', {label: o.label, pid: process.pid, http: `http://${address}/`, etcd: o.etcd.join(',')})
  try {
    const starting = agent.start()
    starting.catch(() => {})
    await Promise.race([starting, stopped])
    await stopped
  } finally {
    await agent.stop()
    server.closeAllConnections?.()
    await new Promise((r) => server.close(() => r(undefined)))
    log.log('info', 'agent stopped', {label: o.label})
    // Everything is closed; a handle some library still holds must not keep a stopped agent alive.
    setTimeout(() => process.exit(), 2000).unref()
  }
}
