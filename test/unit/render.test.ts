import {test} from 'node:test'
import assert from 'node:assert/strict'
import {fitWidths, table} from '../../src/render/table.ts'
import {toYaml} from '../../src/render/doc.ts'

test('tables shrink only name/address columns to fit the terminal, never MACs', () => {
  const head = ['NAMESPACE', 'NAME', 'MAC', 'ADDRESSES']
  const row = ['a-very-long-namespace', 'veth1', 'd2:74:8c:12:67:d2', '192.168.22.1/24,10.0.2.2/24']
  const out = table(head, [row], {width: 60})
  for (const line of out.split('\n')) assert.ok(line.length <= 60, `too wide: ${line}`)
  assert.ok(out.includes('d2:74:8c:12:67:d2'), 'the MAC is whole')
  assert.ok(out.includes('…'), 'something was cut')
  assert.ok(table(head, [row], {width: 60, wide: true}).includes('192.168.22.1/24,10.0.2.2/24'), '--wide shows all')
  assert.deepEqual(fitWidths([10, 10], 100, [true, true]), [10, 10])
  assert.deepEqual(fitWidths([30, 10], 30, [true, false]), [18, 10])
})

test('YAML output quotes MACs, addresses and anything a YAML 1.1 reader would mistype', async () => {
  const y = await toYaml({interfaces: [{name: 'veth1', phys_address: '12:34:56:12:34:56', ip_addresses: ['10.0.0.1/24'], mtu: 1500}]})
  assert.match(y, /phys_address: "12:34:56:12:34:56"/)
  assert.match(y, /- "10\.0\.0\.1\/24"/)
  assert.match(y, /name: veth1/)
  assert.match(y, /mtu: 1500/)
})
