// The plan shows exactly the command line that runs: renderCmd and the executor share kernel/run.ts's wrap.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {renderCmd, type Cmd} from '../../src/engine/contract.ts'
import {wrap, type NsHandle} from '../../src/kernel/run.ts'

const cmd = (ns: NsHandle, c: Partial<Cmd>): Cmd => ({ns, phase: 'configure', undo: [], key: 'k', ...c}) as Cmd
const handles: NsHandle[] = [
  {label: '', path: '/proc/self/ns/net', isDefault: true},
  {label: 'ns1', name: 'ns1', path: '/run/netns/ns1', isDefault: false},
  {label: 'pid:42', path: '/proc/42/ns/net', isDefault: false},
  {label: '/var/run/x', path: '/var/run/x', isDefault: false},
]

test('an ip line is shown as the process that runs it, in every kind of namespace', () => {
  for (const ns of handles) {
    const shown = renderCmd(cmd(ns, {line: 'link set dev v1 up'}))
    const [file, argv] = wrap(ns, 'ip', ['link', 'set', 'dev', 'v1', 'up'])
    assert.equal(shown, [file, ...argv].join(' '))
  }
  assert.equal(renderCmd(cmd(handles[2], {line: 'link set dev v1 up'})), 'nsenter --net=/proc/42/ns/net -- ip link set dev v1 up')
  assert.equal(renderCmd(cmd(handles[1], {line: 'link set dev v1 up'})), 'ip -n ns1 link set dev v1 up')
})

test('a tool run (sysctl, ethtool) is shown with the nsenter separator it runs with', () => {
  assert.equal(renderCmd(cmd(handles[3], {tool: {cmd: 'ethtool', args: ['-K', 'v1', 'rx', 'off']}})), 'nsenter --net=/var/run/x -- ethtool -K v1 rx off')
  assert.equal(renderCmd(cmd(handles[1], {tool: {cmd: 'sysctl', args: ['-w', 'x=1']}})), 'nsenter --net=/run/netns/ns1 -- sysctl -w x=1')
  assert.equal(renderCmd(cmd(handles[0], {tool: {cmd: 'sysctl', args: ['-w', 'x=1']}})), 'sysctl -w x=1')
})
