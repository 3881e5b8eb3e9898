import {Flags} from '@oclif/core'
import {LnxCommand} from '../base.js'
import {EXIT} from '../errors.js'
import {doctor, OPTIONAL_CHECKS, type DoctorResult} from '../engine/doctor.js'
import {doctorText} from '../render/doctor.js'

export default class Doctor extends LnxCommand {
  static summary = 'Check what lnx needs from this host, and say how to fix what is missing'
  static description = `Checks iproute2 (version, JSON output, neighbour protocol), nsenter, ethtool, sysctl, the kernel's link types (each created once in a throwaway namespace: nothing on the host changes), privileges (CAP_NET_ADMIN and CAP_SYS_ADMIN), /run/netns, the Docker Engine API (DOCKER_HOST or /var/run/docker.sock), etcd (with --etcd), lnx's apply lock and a pending "apply --try".\n\nExit 0 when every required check passes, 4 otherwise. dummy, vrf, bridge, docker, the lock and the try are optional unless --require names them; etcd is required when --etcd is given.`
  static examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --etcd http://127.0.0.1:2379 --require docker',
    '<%= config.bin %> <%= command.id %> --json | jq \'.checks[] | select(.ok | not)\'',
  ]
  static flags = {
    etcd: Flags.string({description: 'also check this etcd (client URL; comma-separated endpoints) with GET /health'}),
    require: Flags.string({description: 'make an optional check required; repeatable', options: [...OPTIONAL_CHECKS], multiple: true}),
  }

  async run(): Promise<DoctorResult> {
    const {flags} = await this.parse(Doctor)
    const r = await doctor({etcd: flags.etcd, require: flags.require})
    if (!this.jsonEnabled()) this.log(doctorText(r))
    if (!r.ok) this.exitWith(EXIT.ENVIRONMENT)
    return r
  }
}
