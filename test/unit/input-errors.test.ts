// Errors point at the line (issue 12 point 6) and hostile input files (issue 10 point 12, and the 50 MB config of
// its campaign): positions of syntax, schema and semantic errors in YAML and JSON, the text renderer (once, with
// the line and a caret; control characters escaped), alias bombs, duplicate JSON keys, oversized input.
import {test, describe} from 'node:test'
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {createReadStream, createWriteStream, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {validateFiles} from '../../src/config/index.ts'
import {LnxError} from '../../src/errors.ts'
import {errorText, itemErrorLine} from '../../src/render/errors.ts'
import {LNX} from '../helpers/playground.ts'
import {tempDir} from '../helpers/tmp.ts'

const IF = (name: string) => `config/linux/interfaces/v2/interface/${name}`
const fromStdin = (s: string) => validateFiles(['-'], async () => s)
const tmp = tempDir('input')
let n = 0
const file = (content: string, ext = 'yaml') => {
  const p = join(tmp, `f${++n}.${ext}`)
  writeFileSync(p, content)
  return p
}

async function rejection(p: Promise<unknown>): Promise<LnxError> {
  try {
    await p
  } catch (e) {
    assert.ok(e instanceof LnxError, `expected an LnxError, got ${(e as Error)?.stack ?? e}`)
    return e
  }
  assert.fail('expected a rejection')
}

/** Runs the built CLI (no privileges: validate never touches the host) and records its peak RSS. */
function lnx(args: string[], opts: {input?: string | (() => NodeJS.ReadableStream); env?: Record<string, string>; nodeArgs?: string[]} = {}) {
  return new Promise<{code: number; stdout: string; stderr: string; peakKB: number}>((resolve) => {
    const p = spawn(process.execPath, [...(opts.nodeArgs ?? []), LNX, ...args], {env: {...process.env, NO_COLOR: '1', ...opts.env}, stdio: ['pipe', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    let peakKB = 0
    const poll = setInterval(() => {
      try {
        peakKB = Math.max(peakKB, Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${p.pid}/status`, 'utf8'))?.[1] ?? 0))
      } catch {}
    }, 5)
    p.stdout.on('data', (d) => (stdout += d))
    p.stderr.on('data', (d) => (stderr += d))
    p.stdin.on('error', () => {})
    if (typeof opts.input === 'function') opts.input().pipe(p.stdin)
    else p.stdin.end(opts.input ?? '')
    p.on('close', (code) => {
      clearInterval(poll)
      resolve({code: code ?? -1, stdout, stderr, peakKB})
    })
  })
}

const CONFIG_YAML = `# a comment
interfaces:
  - name: v1
    type: VETH
    enabled: true
    veth:
      peerIfName: v3
    mtu: 1500
  - name: v2
    type: VETH
    ip_addresses: [10.0.0.1/24, 10.0.0.300/24]
    veth: {peer_if_name: v1}
routes:
  - outgoing_interface: v1
    dst_network: 10.1.0.0/24
    metrc: 5
`

describe('errors carry file:line:column of the item and field', () => {
  test('YAML: schema and semantic errors, camelCase keys, inline lists', async () => {
    const f = file(CONFIG_YAML)
    const r = await validateFiles([f])
    const at = (key: string, path: string) => {
      const e = r.errors.find((x) => x.key === key && x.path === path)
      assert.ok(e, `no error ${key} ${path}: ${JSON.stringify(r.errors)}`)
      return [e.line, e.column]
    }
    // Semantic (validate.ts): the peer names another; a field written in lowerCamelCase is found.
    assert.deepEqual(at(IF('v2'), 'veth.peer_if_name'), [12, 12])
    // Semantic, inside an inline list: the second element.
    assert.deepEqual(at(IF('v2'), 'ip_addresses[1]'), [11, 33])
    // Schema (ajv): an unknown field, at its key.
    const unknown = r.errors.find((e) => /metrc/.test(e.message))
    assert.ok(unknown)
    assert.deepEqual([unknown.file, unknown.line, unknown.column], [f, 16, 5])
  })

  test('a missing field is located at its item; warnings carry positions too', async () => {
    const r = await fromStdin('interfaces:\n  - name: a\n    enabled: true\n  - name: b\n    type: VETH\n    veth: {peer_if_name: nosuch}\n')
    const e = r.errors.find((x) => x.key === IF('a') && x.path === 'type')
    assert.deepEqual([e?.line, e?.column], [2, 5])
    const w = r.warnings.find((x) => x.key === IF('b'))
    assert.deepEqual([w?.line, w?.column], [6, 12])
  })

  test('JSON: the same positions from JSON text (one line or many)', async () => {
    const doc = {interfaces: [{name: 'v1', type: 'VETH', veth: {peer_if_name: 'v1'}}, {name: 'x', type: 'BOGUS'}]}
    const pretty = await validateFiles([file(JSON.stringify(doc, null, 2), 'json')])
    const peer = pretty.errors.find((e) => e.path === 'veth.peer_if_name')
    assert.deepEqual([peer?.line, peer?.column], [7, 9])
    const type = pretty.errors.find((e) => e.path === 'type' && e.key === IF('x'))
    assert.deepEqual([type?.line, type?.column], [12, 7])
    const flat = await fromStdin(JSON.stringify(doc))
    const t2 = flat.errors.find((e) => e.path === 'type' && e.key === IF('x'))
    assert.equal(t2?.line, 1)
    assert.equal(JSON.stringify(doc).slice(t2!.column! - 1).startsWith('"type":"BOGUS"'), true)
  })

  test('a byte order mark is not a column; CRLF line ends are line ends', async () => {
    const bom = await fromStdin('\ufeff{"interfaces": [{"name": "a", "type": "DUMMY", "mtu": 5}]}')
    assert.deepEqual([bom.errors[0]?.line, bom.errors[0]?.column], [1, 48])
    const crlf = await fromStdin('interfaces:\r\n  - name: a\r\n    type: DUMMY\r\n    mtu: 5\r\n')
    assert.deepEqual([crlf.errors[0]?.line, crlf.errors[0]?.column], [4, 5])
  })

  test('several documents in one file: the line in the right document', async () => {
    const r = await fromStdin('interfaces:\n  - {name: a, type: DUMMY}\n---\ninterfaces:\n  - {name: b, type: DUMMY, mtu: 5}\n')
    const e = r.errors.find((x) => x.key === IF('b'))
    assert.deepEqual([e?.line, e?.path], [5, 'mtu'])
  })

  test('a duplicate item is located at its second definition', async () => {
    const r = await fromStdin('interfaces:\n  - {name: a, type: DUMMY}\n  - {name: a, type: DUMMY}\n')
    const e = r.errors.find((x) => /duplicate item/.test(x.message))
    assert.deepEqual([e?.line, e?.column], [3, 5])
  })

  test('text: file:line:column first; a syntax error once, with its line and a caret', async () => {
    const line = itemErrorLine({file: 'c.yaml', key: IF('a'), path: 'mtu', message: 'MTU 5 is out of range', line: 7, column: 5})
    assert.equal(line, `error: c.yaml:7:5: ${IF('a')}:mtu: MTU 5 is out of range`)
    const e = await rejection(fromStdin('interfaces:\n  - name: a\n    type: VETH\n- b\n'))
    const text = errorText(e)
    assert.equal(text, 'error: <stdin>:4:1: not valid YAML or JSON: end of the stream or a document separator is expected\n  4 | - b\n    | ^')
    const tabbed = await rejection(fromStdin('a:\n\t- "x\n'))
    assert.match(errorText(tabbed), /^error: <stdin>:2:\d+: /)
  })

  test('validate --json: line and column in each error object, for YAML and JSON', async () => {
    const y = await lnx(['validate', '-f', file(CONFIG_YAML), '--json'])
    assert.equal(y.code, 2, y.stderr)
    const errs = JSON.parse(y.stdout).errors
    assert.ok(errs.length >= 3)
    for (const e of errs) assert.deepEqual(Object.keys(e), ['file', 'key', 'path', 'message', 'line', 'column'])
    const j = await lnx(['validate', '-f', '-', '--json'], {input: '{\n  "interfaces": [\n    {"name": "a", "type": "DUMMY", "mtu": 5}\n  ]\n}\n'})
    assert.deepEqual(JSON.parse(j.stdout).errors.map((e: any) => [e.path, e.line, e.column]), [['mtu', 3, 36]])
    const t = await lnx(['validate', '-f', '-'], {input: 'interfaces:\n  - {name: a, type: DUMMY, mtu: 5}\n'})
    assert.match(t.stderr, /^error: <stdin>:2:28: config\/linux\/interfaces\/v2\/interface\/a:mtu: MTU 5 is out of range/m)
  })
})

describe('hostile input files', () => {
  const BOMB = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
    ...'bcdefghi'.split('').map((c, k) => `${c}: &${c} [${Array(9).fill(`*${'abcdefghi'[k]}`).join(',')}]`)].join('\n') + '\n'

  test('a YAML alias bomb is refused as invalid input (exit 2), not as a bug', async () => {
    const e = await rejection(fromStdin(BOMB))
    assert.equal(e.code, 'INVALID')
    assert.match(e.message, /alias/)
    const r = await lnx(['validate', '-f', file(BOMB)])
    assert.equal(r.code, 2, r.stderr)
    assert.match(r.stderr, /aliases expand the document/)
    assert.doesNotMatch(r.stderr, /bug in lnx/)
    const rec = await rejection(fromStdin('interfaces: &x\n  - *x\n'))
    assert.equal(rec.code, 'INVALID')
  })

  test('aliases used with measure are fine', async () => {
    const r = await fromStdin('interfaces:\n  - {name: a, type: DUMMY, namespace: &ns {type: NSID, reference: ns1}}\n  - {name: b, type: DUMMY, namespace: *ns}\n')
    assert.deepEqual(r.errors, [])
    assert.equal(r.loaded.interfaces[1].item.namespace?.reference, 'ns1')
  })

  test('JSON with a duplicate key is refused like YAML\'s (exit 2, file and line)', async () => {
    const e = await rejection(fromStdin('{\n  "interfaces": [\n    {"name": "a",\n     "name": "b", "type": "DUMMY"}\n  ]\n}\n'))
    assert.equal(e.code, 'INVALID')
    assert.match(e.message, /^<stdin>:4:6: not valid JSON: a key is given twice/)
    const f = file('{"interfaces": [], "interfaces": []}', 'json')
    const r = await lnx(['apply', '-f', f, '--dry-run'])
    assert.equal(r.code, 2, r.stderr)
    assert.ok(r.stderr.includes(`${f}:1:20:`), r.stderr)
    // Quotes and colons inside strings are not keys.
    const ok = await fromStdin('{"interfaces": [{"name": "a", "type": "DUMMY"}], "foreign": {"x\\"": "y\\":", "z": "\\\\", "q\\\\" :{"r"\n:\t"\\\\\\""}}}')
    assert.deepEqual(ok.errors, [])
    const dup = '{"interfaces": [], "foreign": {"q\\\\" :{"r" : 1, "s": "\\"r\\":", "r"\n: 2}}}'
    const nested = await rejection(fromStdin(dup))
    assert.match(nested.message, /^<stdin>:1:\d+: not valid JSON: a key is given twice/)
    assert.equal(dup.slice(nested.errors![0].column! - 1), '"r"\n: 2}}}')
  })

  test('a name holding a newline or control characters cannot forge output lines', async () => {
    const f = file(JSON.stringify({interfaces: [{name: 'a\nerror: forged', type: 'DUMMY'}, {name: 'b\u001b[2Jc', type: 'DUMMY'}]}), 'json')
    const r = await lnx(['validate', '-f', f])
    assert.equal(r.code, 2)
    const lines = r.stderr.trimEnd().split('\n')
    assert.ok(lines.every((l) => l.startsWith('error: ') && !l.startsWith('error: forged')), r.stderr)
    assert.ok(!r.stderr.includes('\u001b'), 'no raw escape character')
    assert.match(r.stderr, /a\\nerror: forged/)
    const flag = await lnx(['interface', 'show', '--label', 'x\nerror: forged'])
    assert.equal(flag.code, 2)
    assert.ok(!flag.stderr.split('\n').some((l) => l.startsWith('error: forged')), flag.stderr)
    // oclif's own parse errors quote what was typed.
    const arg = await lnx(['dump', 'y\nerror: forged'])
    assert.equal(arg.code, 2)
    assert.match(arg.stderr, /y\\nerror: forged/)
    assert.ok(!arg.stderr.split('\n').some((l) => /^\s*error: forged/.test(l)), arg.stderr)
  })

  test('a 50 MB config is refused at once, naming the limit, without reading it (file and stdin)', async () => {
    const big = join(tmp, 'big.json')
    const chunk = `${JSON.stringify({name: 'v'.repeat(40), type: 'DUMMY', ip_addresses: ['10.0.0.1/24']})},\n`
    const out = createWriteStream(big)
    out.write('{"interfaces": [\n')
    for (let written = 0; written < 50 * 1024 * 1024; written += chunk.length * 1000) out.write(chunk.repeat(1000))
    out.write('{"name": "last", "type": "DUMMY"}]}\n')
    await new Promise((r) => out.end(r))
    // A V8 heap too small to hold the text parsed: reading it all would crash, not exit 2.
    const nodeArgs = ['--max-old-space-size=48']
    const r = await lnx(['validate', '-f', big], {nodeArgs})
    assert.equal(r.code, 2, r.stderr)
    assert.match(r.stderr, /is 50\.\d MiB: lnx reads at most 16 MiB of config in one run/)
    assert.match(r.stderr, /LNX_MAX_CONFIG_MB/)
    assert.ok(r.peakKB < 150_000, `peak RSS ${r.peakKB} KB`)
    const s = await lnx(['validate', '-f', '-', '--json'], {nodeArgs, input: () => createReadStream(big)})
    assert.equal(s.code, 2, s.stderr)
    assert.match(JSON.parse(s.stdout).errors[0].message, /lnx reads at most 16 MiB/)
    assert.ok(s.peakKB < 200_000, `peak RSS ${s.peakKB} KB`)
    // The limit is for all files together, and can be changed.
    const small = file(JSON.stringify({interfaces: [{name: 'a', type: 'DUMMY', description: 'x'.repeat(700_000)}]}), 'json')
    const two = await rejection(withEnv({LNX_MAX_CONFIG_MB: '1'}, () => validateFiles([small, small])))
    assert.match(two.message, /at most 1 MiB/)
  })
})

async function withEnv<T>(env: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const old = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]))
  Object.assign(process.env, env)
  try {
    return await fn()
  } finally {
    for (const [k, v] of Object.entries(old)) if (v === undefined) delete process.env[k]
    else process.env[k] = v
  }
}
