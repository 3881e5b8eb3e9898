// start() (kernel/run.ts), the long-running children of the agent and of --wait: a child that exits while a process
// it started still holds its stdout (what a command under `timeout` can leave behind) must count as exited — the
// agent once hung at stop because of that.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {start} from '../../src/kernel/run.ts'

test('start(): exited resolves when the child exits, even if a grandchild keeps its stdout open', async () => {
  // The shell backgrounds a sleep that inherits stdout and exits at once.
  const p = start('sh', ['-c', 'sleep 20 & echo started'])
  const lines: string[] = []
  p.onLine((l) => lines.push(l))
  const code = await Promise.race([p.exited, new Promise((r) => setTimeout(() => r('still waiting'), 8_000).unref())])
  assert.equal(code, 0, 'the child is gone: exited must not wait for the grandchild (20 s)')
  assert.deepEqual(lines, ['started'])
})
