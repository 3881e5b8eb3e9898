// How the children of a grouped batch ended (run.ts groupOutcomes), from what iproute2 prints: a child names its own
// failing line ("Command failed FILE:N"), the parent the child it stopped at ("Command failed -:K"). Whatever is not
// proven applied or not run is unknown, so that a revert undoes it.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {checkBatchLine, groupOutcomes} from '../../src/kernel/run.ts'

const files = ['/tmp/lnx-batch-x/b1.batch', '/tmp/lnx-batch-x/b2.batch', '/tmp/lnx-batch-x/b3.batch']

test('all children ran: every one ok', () => {
  assert.deepEqual(groupOutcomes(files, {exitCode: 0, stderr: ''}).map((o) => o.state), ['ok', 'ok', 'ok'])
})

test('the second child fails at its third line: the first ok, the second failed there with the kernel message, the third never ran', () => {
  const stderr = 'RTNETLINK answers: File exists\nCommand failed /tmp/lnx-batch-x/b2.batch:3\nCommand failed -:2\n'
  const out = groupOutcomes(files, {exitCode: 1, stderr})
  assert.deepEqual(out.map((o) => o.state), ['ok', 'failed', 'not-run'])
  assert.deepEqual(out[1], {state: 'failed', failure: {line: 2, message: 'RTNETLINK answers: File exists'}})
})

test('a child that could not enter its namespace (no line of its own named): it and every later child unknown', () => {
  // iproute2's forked child goes on with its parent's remaining lines when the namespace switch fails.
  const stderr = 'setting the network namespace "ns2" failed: Invalid argument\nCommand failed -:2\nCommand failed -:2\n'
  assert.deepEqual(groupOutcomes(files, {exitCode: 1, stderr}).map((o) => o.state), ['ok', 'unknown', 'unknown'])
})

test('killed, or failed without naming a line: all unknown', () => {
  assert.deepEqual(groupOutcomes(files, {exitCode: 128, signal: 'SIGTERM', stderr: ''}).map((o) => o.state), ['unknown', 'unknown', 'unknown'])
  assert.deepEqual(groupOutcomes(files, {exitCode: 1, stderr: 'something odd\n'}).map((o) => o.state), ['unknown', 'unknown', 'unknown'])
})

test('a failure line naming another child than the one the parent stopped at: that child and later ones unknown', () => {
  const stderr = 'x\nCommand failed /tmp/lnx-batch-x/b3.batch:1\nCommand failed -:2\n'
  assert.deepEqual(groupOutcomes(files, {exitCode: 1, stderr}).map((o) => o.state), ['ok', 'unknown', 'unknown'])
})

test('with -force (reads) any failure leaves every child in doubt', () => {
  const stderr = 'Error: x\nCommand failed /tmp/lnx-batch-x/b2.batch:3\nCommand failed -:2\n'
  assert.deepEqual(groupOutcomes(files, {exitCode: 1, stderr}, true).map((o) => o.state), ['unknown', 'unknown', 'unknown'])
})

test('the batch guard: one regex per line, same verdicts as token by token', () => {
  for (const ok of ['link set dev v1 up', 'link set dev v1 alias ""', 'netns exec ns1 ip -d -j -batch /tmp/lnx-batch-a1/b2.batch']) assert.doesNotThrow(() => checkBatchLine(ok))
  for (const bad of ['', ' link', 'link  set', 'link set ', 'link set dev v$1 up', 'a\nb', 'alias "x"', 'dev é']) assert.throws(() => checkBatchLine(bad), /unsafe ip -batch line/)
})

test('a parent running lines of its own first (the default namespace read): its line numbers count them', () => {
  // Four own lines, then the children: the parent stopped at its 6th line = the second child.
  const stderr = 'RTNETLINK answers: File exists\nCommand failed /tmp/lnx-batch-x/b2.batch:1\nCommand failed -:6\n'
  const out = groupOutcomes(files, {exitCode: 1, stderr}, false, 4)
  assert.deepEqual(out.map((o) => o.state), ['ok', 'failed', 'not-run'])
  // A failure in the parent's own lines: no child is proven run or not.
  assert.deepEqual(groupOutcomes(files, {exitCode: 1, stderr: 'Error: x\nCommand failed -:2\n'}, false, 4).map((o) => o.state), ['unknown', 'unknown', 'unknown'])
})
