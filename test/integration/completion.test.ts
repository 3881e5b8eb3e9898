// Shell completion: commands, flags, option values, and names read from the kernel (namespaces, managed interfaces).
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {join} from 'node:path'
import {ROOT, withPlayground, type Playground} from '../helpers/playground.ts'
import {KINDS} from '../../src/kinds/index.ts'

const SEED = join(ROOT, 'examples', 'seed.yaml')

async function complete(pg: Playground, shell: 'bash' | 'zsh', words: string[]): Promise<string[]> {
  const script = (await pg.lnx(['completion', shell])).stdout
  const prog = `source /dev/stdin <<'LNXEOF'\n${script}\nLNXEOF\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _lnx; echo "\${COMPREPLY[*]}"`
  const r = await pg.run(shell, ['-c', prog])
  assert.equal(r.code, 0, r.stderr)
  return r.stdout.trim().split(/\s+/).filter(Boolean).sort()
}

for (const shell of ['bash', 'zsh'] as const) {
  test(`${shell} completion: commands, flags, options, namespace and interface names`, async () => {
    await withPlayground(async (pg) => {
      const has = await pg.run('sh', ['-c', `command -v ${shell}`])
      if (has.code !== 0) {
        // zsh is optional on developer machines; CI installs it. bash must always be there.
        assert.equal(shell, 'zsh', 'bash is missing')
        return
      }
      const ap = await pg.lnx(['apply', '-f', SEED])
      assert.equal(ap.code, 3, ap.stderr)
      assert.deepEqual(await complete(pg, shell, ['lnx', 'interface', '']), ['add', 'delete', 'set', 'show'])
      assert.ok((await complete(pg, shell, ['lnx', ''])).includes('apply'))
      assert.deepEqual(await complete(pg, shell, ['lnx', 'interface', 'add', 'x', '--type', '']), KINDS.map((k) => k.flag).sort())
      assert.deepEqual(await complete(pg, shell, ['lnx', 'interface', 'set', '']), ['veth1', 'veth2'])
      assert.deepEqual(await complete(pg, shell, ['lnx', 'route', 'add', '10.0.0.0/8', '--dev', '']), ['veth1', 'veth2'])
      assert.deepEqual(await complete(pg, shell, ['lnx', 'dump', '-n', '']), ['ns1', 'ns2'])
      assert.deepEqual(await complete(pg, shell, ['lnx', 'apply', '--dr']), ['--dry-run'])
    })
  })
}
