#!/usr/bin/env node
// A ConfiguratorService client for the tests, independent of lnx's server code: it loads the repository's .proto
// files with @grpc/proto-loader, as any gRPC user would, and runs inside the playground (where the agent listens).
// Protocol: one JSON request per stdin line, one JSON answer per stdout line, matched by id:
//   {"id":1,"method":"Update","request":{...},"deadlineMs":5000}   → {"id":1,"ok":true,"response":{...},"header":{...}}
//                                                                  or {"id":1,"ok":false,"code":"INVALID_ARGUMENT","details":"..."}
//   {"id":2,"method":"Notify","request":{"idx":0}}                 → {"id":2,"event":{...}} per message, then {"id":2,"end":true}
//   {"id":2,"cancel":true}                                          cancels a stream
//   {"id":3,"raw":"Update","hex":"0a..."}                          sends bytes made elsewhere (a real vpp-agent message)
// argv: address [ca.pem] (TLS with that CA when given)
import {readFileSync} from 'node:fs'
import {createInterface} from 'node:readline'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import grpc from '@grpc/grpc-js'
import loader from '@grpc/proto-loader'
const quit = process.exit

const [address, ca] = process.argv.slice(2)
const protoDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'proto')
const creds = () => (ca ? grpc.credentials.createSsl(readFileSync(ca)) : grpc.credentials.createInsecure())
// protojson-like names (lowerCamelCase), enums by name, 64-bit as strings: what a user of the protos sees.
const def = loader.loadSync('ligato/configurator/configurator.proto', {includeDirs: [protoDir], enums: String, longs: String, defaults: false, oneofs: true})
const pkg = grpc.loadPackageDefinition(def)
const Client = pkg.ligato.configurator.ConfiguratorService
const client = new Client(address, creds())
const raw = new grpc.Client(address, creds())
const streams = new Map()
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n')
const fail = (id, e) => out({id, ok: false, code: grpc.status[e.code] ?? String(e.code), details: e.details ?? e.message})

createInterface({input: process.stdin}).on('line', (line) => {
  if (!line.trim()) return
  const m = JSON.parse(line)
  const deadline = Date.now() + (m.deadlineMs ?? 30000)
  if (m.cancel) {
    streams.get(m.id)?.cancel()
    return
  }
  if (m.raw) {
    const path = `/ligato.configurator.ConfiguratorService/${m.raw}`
    raw.makeUnaryRequest(path, (b) => b, (b) => b, Buffer.from(m.hex, 'hex'), {deadline}, (err, res) =>
      err ? fail(m.id, err) : out({id: m.id, ok: true, response: {bytes: res.length}}))
    return
  }
  if (m.method === 'Notify') {
    const s = client.Notify(m.request ?? {})
    streams.set(m.id, s)
    s.on('data', (event) => out({id: m.id, event}))
    s.on('error', (e) => (e.code === grpc.status.CANCELLED ? out({id: m.id, end: true, cancelled: true}) : fail(m.id, e)))
    s.on('end', () => out({id: m.id, end: true}))
    return
  }
  let header
  const call = client[m.method](m.request ?? {}, {deadline}, (err, response) => (err ? fail(m.id, err) : out({id: m.id, ok: true, response, header})))
  call.on('metadata', (md) => (header = md.getMap()))
}).on('close', () => {
  // stdin closed: the test is done with this client.
  for (const s of streams.values()) s.cancel()
  client.close()
  raw.close()
  setTimeout(() => quit(0), 100) // handles grpc-js keeps must not hold the client open
})
