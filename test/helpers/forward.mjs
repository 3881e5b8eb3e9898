#!/usr/bin/env node
// Test helper: joins loopbacks of separate network namespaces through unix sockets on the shared filesystem, so an
// agent in its own "host" namespace reaches an etcd cluster on another namespace's loopback without any address
// but 127.0.0.1 (nothing leaves the machine, no interface is created). Arguments: pairs FROM=TO, each side
// tcp:PORT (127.0.0.1) or unix:PATH. Prints "ready" once every listener listens.
import {createConnection, createServer} from 'node:net'
import {rmSync} from 'node:fs'

const addr = (s) => (s.startsWith('unix:') ? {path: s.slice(5)} : {host: '127.0.0.1', port: Number(s.slice(4))})
await Promise.all(process.argv.slice(2).map((pair) => new Promise((resolve, reject) => {
  const [from, to] = pair.split('=')
  const server = createServer((c) => {
    const u = createConnection(addr(to))
    c.pipe(u).pipe(c)
    const close = () => { c.destroy(); u.destroy() }
    c.on('error', close)
    u.on('error', close)
  })
  const a = addr(from)
  if (a.path) rmSync(a.path, {force: true})
  server.once('error', reject)
  server.listen(a, resolve)
})))
process.stdout.write('ready\n')
