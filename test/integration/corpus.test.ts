// The corpus of real vpp-agent configs (test/fixtures/vpp-agent, sources in its README.md): each one applied in its
// own playground, as a vpp-agent user would bring it, with what VPP or an operator would have made beforehand; the
// kernel read back with raw `ip -json`, and a second plan must be empty.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {ROOT, withPg, link, addrs, ipj, KEY} from './engine-helpers.ts'
import type {Playground} from '../helpers/playground.ts'

const FX = (f: string) => join(ROOT, 'test', 'fixtures', 'vpp-agent', f)

interface Case {
  file: string
  /** Shell set-up: what VPP or an operator made before the config is applied. */
  setup?: string
  /** Exit code of apply: 0 all applied, 3 some pending. */
  exit: 0 | 3
  /** Keys expected pending (exactly). */
  pending: string[]
  check?: (pg: Playground, json: any) => Promise<void>
}

const hasKernelModule = (m: string) => existsSync(`/sys/module/${m}`)

const CASES: Case[] = [
  {
    file: 'localclient-linux-veth.yaml', exit: 0, pending: [],
    check: async (pg) => {
      assert.equal((await link(pg, '', 'veth11'))?.mtu, 1000)
      assert.deepEqual(await addrs(pg, 'ns1', 'veth12'), ['10.0.0.1/24'])
      assert.equal((await link(pg, 'ns2', 'veth22'))?.address, '92:c7:42:67:ab:cd')
    },
  },
  {
    // VPP's TAPs have host_if_name linux-tap1/linux-tap2: the taps carry the interfaces' own names.
    file: 'localclient-linux-tap.yaml', setup: 'ip tuntap add dev linux-tap1 mode tap && ip tuntap add dev linux-tap2 mode tap', exit: 0, pending: [],
    check: async (pg) => {
      assert.equal((await link(pg, 'ns1', 'linux-tap1'))?.ifalias, '/vnf-agent/vpp1/linux-tap1/tap1/linux-tap1')
      assert.deepEqual(await addrs(pg, 'ns2', 'linux-tap2'), ['10.0.0.22/24'])
    },
  },
  {
    // VPP names its taps tap-<fnv32a>: tap1 → tap-3058328937. VRFs wait for a kernel with the vrf module.
    file: 'localclient-linux-vrf.yaml', setup: 'ip tuntap add dev tap-3058328937 mode tap && ip tuntap add dev tap-3007996080 mode tap',
    exit: 3,
    pending: [KEY.iface('vrf1'), KEY.iface('vrf2')],
    check: async (pg, json) => {
      assert.equal((await link(pg, '', 'tap_to_vpp1'))?.ifalias, '/vnf-agent/vpp1/linux-tap1/tap1/tap-3058328937')
      assert.equal((await link(pg, '', 'tap_to_vpp2'))?.ifalias, '/vnf-agent/vpp1/linux-tap2/tap2/tap-3007996080')
      assert.deepEqual(await addrs(pg, '', 'tap_to_vpp1'), ['10.0.0.2/24'])
      assert.ok(JSON.stringify(json).includes('vrf_master_interface vrf1 is not applied'), 'says the VRF membership is not applied')
    },
  },
  {
    // MICROSERVICE namespaces: everything waits for the containers.
    file: 'kvscheduler-interconnect.yaml', exit: 3,
    pending: [KEY.iface('myLinuxTAP'), KEY.iface('myVETH1'), KEY.iface('myVETH2'),
      KEY.route('10.11.1.2/32', 'myLinuxTAP'), KEY.route('10.11.2.2/32', 'myVETH1'), KEY.route('10.11.1.0/30', 'myLinuxTAP'), KEY.route('10.11.2.0/30', 'myVETH1'),
      KEY.arp('myLinuxTAP', '10.11.1.2'), KEY.arp('myVETH1', '10.11.2.2')],
  },
  {
    file: 'e2e-012-existing.yaml', setup: 'ip link add name loop1 type veth peer name loop1p && ip link set dev loop1 up', exit: 0, pending: [],
    check: async (pg) => {
      const l = await link(pg, '', 'loop1')
      assert.equal(l?.ifalias, '/lnx-existing/vpp1/existing-loop1')
      assert.deepEqual(await addrs(pg, '', 'loop1'), ['10.7.7.7/24', '192.168.7.7/24'])
    },
  },
  {
    // The VRF does not exist (and this kernel may have no vrf/dummy modules): all three wait.
    file: 'e2e-080-existing-vrf.yaml', exit: 3,
    pending: [KEY.iface('existing-vrf'), KEY.iface('existing-dummy1'), ...(hasKernelModule('dummy') ? [] : [KEY.iface('dummy2')])],
  },
  {
    file: 'robot-linux-ip-route-crud.yaml', exit: 0, pending: [],
    check: async (pg) => {
      const r1 = await ipj(pg, 'ns1', 'route', 'show', 'proto', '76')
      assert.ok(r1.some((x: any) => x.dst === '8.8.8.8' && x.gateway === '192.168.22.1' && x.metric === 55), JSON.stringify(r1))
      assert.ok(r1.some((x: any) => x.dst === '192.168.22.2' && x.gateway === '192.168.22.1'), JSON.stringify(r1))
      const r2 = await ipj(pg, 'ns2', 'route', 'show', 'proto', '76')
      assert.ok(r2.some((x: any) => x.dst === '9.9.9.9' && x.gateway === '192.168.22.2'), JSON.stringify(r2))
    },
  },
  {
    file: 'ipv6-default-route.yaml', exit: 0, pending: [],
    check: async (pg) => {
      const r = await ipj(pg, 'ns1', '-6', 'route', 'show', 'proto', '76')
      assert.ok(r.some((x: any) => x.dst === 'default' && x.gateway === 'fe80::1' && x.dev === 'ns1_veth1'), JSON.stringify(r))
    },
  },
  {
    file: 'agentctl-config-get.yaml', exit: 3, pending: [KEY.iface('tap1')],
    check: async (pg, json) => {
      assert.match(json.pending[0].reason, /tap-host/)
      assert.deepEqual(await addrs(pg, 'ns1', 'veth1'), ['10.0.2.2/24', '192.168.22.1/24'])
    },
  },
  {
    file: 'init-file.yaml', exit: 0, pending: [],
    check: async (pg) => {
      assert.equal((await link(pg, 'ns1', 'lo'))?.mtu, 65536)
      assert.deepEqual(await addrs(pg, 'ns1', 'lo'), ['10.10.1.1/24', '127.0.0.1/8', '::1/128'])
    },
  },
  {
    file: 'protojson-input.json', exit: 0, pending: [],
    check: async (pg) => {
      assert.equal((await link(pg, 'ns1', 'veth1'))?.mtu, 9000)
      const n = (await ipj(pg, 'ns1', 'neigh', 'show')).filter((x: any) => x.dst === '192.168.30.9')
      assert.equal(n[0]?.lladdr, '02:00:00:00:00:09')
      const r = await ipj(pg, 'ns1', 'route', 'show', 'proto', '76')
      assert.ok(r.some((x: any) => x.dst === '10.30.0.0/16' && x.metric === 20), JSON.stringify(r))
    },
  },
]

for (const c of CASES) {
  test(`corpus: ${c.file} applies as expected${c.pending.length ? ` (${c.pending.length} pending)` : ''}, and again is a no-op`, async () => {
    await withPg(async (pg) => {
      if (c.setup) await pg.sh(c.setup)
      const r = await pg.lnxJson(['apply', '-f', FX(c.file)])
      assert.equal(r.code, c.exit, r.stderr + r.stdout)
      assert.deepEqual(r.json.pending.map((p: any) => p.key).sort(), [...c.pending].sort(), JSON.stringify(r.json.pending, null, 1))
      await c.check?.(pg, r.json)
      const again = await pg.lnxJson(['plan', '-f', FX(c.file)])
      assert.deepEqual(again.json.changes.map((x: any) => `${x.action} ${x.key}: ${x.detail}`), [])
    })
  })
}

test('corpus: init-file-verbatim.yaml (its vppConfig has content) is refused, exit 2, nothing touched', async () => {
  await withPg(async (pg) => {
    const before = await pg.snapshot()
    const r = await pg.lnxJson(['apply', '-f', FX('init-file-verbatim.yaml')])
    assert.equal(r.code, 2)
    assert.equal(r.json.error.code, 'INVALID')
    assert.match(JSON.stringify(r.json.error), /"vppConfig\\" is not supported by lnx/)
    assert.equal(await pg.snapshot(), before)
  })
})
