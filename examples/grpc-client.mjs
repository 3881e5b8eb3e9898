#!/usr/bin/env node
// A small client of `lnx agent --grpc`: the vpp-agent's ligato.configurator.ConfiguratorService, loaded from the
// repository's .proto files (the same package, service and field numbers as the vpp-agent's, so a Go client built
// with the vpp-agent's own `client/remoteclient` works the same way).
//
//   node examples/grpc-client.mjs update examples/seed.yaml [--resync] [--wait]   # put items (YAML or JSON)
//   node examples/grpc-client.mjs get                                             # what gRPC configured
//   node examples/grpc-client.mjs dump                                            # what the kernel has
//   node examples/grpc-client.mjs delete examples/items/veth1.json                # remove items (by key)
//   node examples/grpc-client.mjs notify [idx]                                    # UPDOWN events, from idx on
//
// The agent's address: LNX_GRPC (default 127.0.0.1:9111).
import {readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import grpc from '@grpc/grpc-js'
import loader from '@grpc/proto-loader'
import {parse} from 'yaml'

const protoDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'proto')
const def = loader.loadSync('ligato/configurator/configurator.proto', {includeDirs: [protoDir], keepCase: true, enums: String, longs: String, defaults: false})
const {ConfiguratorService} = grpc.loadPackageDefinition(def).ligato.configurator
const client = new ConfiguratorService(process.env.LNX_GRPC ?? '127.0.0.1:9111', grpc.credentials.createInsecure())

const [cmd, arg, ...flags] = process.argv.slice(2)
const snake = (v) =>
  Array.isArray(v) ? v.map(snake)
  : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), snake(x)]))
  : v
/** A config file as lnx reads it (ConfigData, agentctl's linuxConfig, or one item) → ligato.linux.ConfigData. */
function linuxConfig(file) {
  const doc = snake(parse(readFileSync(file, 'utf8')))
  const data = doc.linux_config ?? doc
  if (data.interfaces || data.arp_entries || data.routes) return data
  if (data.outgoing_interface) return {routes: [data]}
  if (data.hw_address) return {arp_entries: [data]}
  return {interfaces: [data]}
}
const done = (err, res) => {
  if (err) {
    console.error(`${grpc.status[err.code]}: ${err.details}`)
    process.exit(1)
  }
  console.log(JSON.stringify(res, null, 2))
}
const deadline = Date.now() + 60_000

switch (cmd) {
  case 'get':
    client.Get({}, {deadline}, done)
    break
  case 'dump':
    client.Dump({}, {deadline}, done)
    break
  case 'update':
    client.Update({update: {linux_config: linuxConfig(arg)}, full_resync: flags.includes('--resync'), wait_done: flags.includes('--wait')}, {deadline}, done)
    break
  case 'delete':
    client.Delete({delete: {linux_config: linuxConfig(arg)}}, {deadline}, done)
    break
  case 'notify':
    client.Notify({idx: Number(arg ?? 0)}).on('data', (n) => console.log(JSON.stringify(n))).on('error', (e) => done(e))
    break
  default:
    console.error('usage: grpc-client.mjs get | dump | update FILE [--resync] [--wait] | delete FILE | notify [idx]')
    process.exit(2)
}
