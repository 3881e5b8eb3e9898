// Scratch directories of a test file (etcd data, browser profiles, config files): made under the system's tmpdir and
// removed when the test process exits, pass or fail — a suite run hundreds of times must not fill the disk (etcd's
// data directory alone is about 60 MB). Each test file runs in its own process, so this is per file.
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

const made: string[] = []
process.on('exit', () => {
  for (const d of made) {
    try {
      rmSync(d, {recursive: true, force: true})
    } catch {
      // A child still writing (etcd stopped by the kernel at exit): what is left is small and named lnx-*.
    }
  }
})

export function tempDir(name: string): string {
  const d = mkdtempSync(join(tmpdir(), `lnx-${name}-`))
  made.push(d)
  return d
}
