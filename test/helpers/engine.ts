// A real container engine for MICROSERVICE tests: podman + runc with every piece of state in a temp dir (storage,
// runtime dir, events log), an image imported from busybox-static (no registry), its Docker-compatible API on a unix
// socket in that dir. Containers always run with --network none: the host network is never touched. Runs outside
// the playgrounds (they share the PID namespace, so /proc/<pid>/ns/net works from inside them).
import {spawn, type ChildProcess} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, copyFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {exec, type Out} from './playground.ts'

const BUSYBOX = '/bin/busybox'
const IMAGE = 'localhost/lnx-test/busybox'

export class Engine {
  private service?: ChildProcess
  readonly sock: string
  readonly env: Record<string, string>

  private constructor(readonly dir: string) {
    this.sock = join(dir, 'podman.sock')
    this.env = {CONTAINERS_CONF: join(dir, 'containers.conf'), CONTAINERS_STORAGE_CONF: join(dir, 'storage.conf')}
  }

  /** DOCKER_HOST for lnx. */
  get dockerHost(): string {
    return `unix://${this.sock}`
  }

  static async start(): Promise<Engine> {
    if (!existsSync(BUSYBOX)) throw new Error(`${BUSYBOX} missing: apt-get install busybox-static`)
    const e = new Engine(mkdtempSync(join(tmpdir(), 'lnx-podman-')))
    const d = e.dir
    // crun fails on this host's cgroup layout and root lacks CAP_SYS_RESOURCE for podman's default ulimits.
    writeFileSync(e.env.CONTAINERS_CONF, `[containers]
netns="none"
default_ulimits=["nofile=20000:20000","nproc=32768:32768"]
[engine]
runtime="runc"
cgroup_manager="cgroupfs"
events_logger="file"
events_logfile_path="${d}/events.log"
tmp_dir="${d}/tmp"
volume_path="${d}/volumes"
`)
    writeFileSync(e.env.CONTAINERS_STORAGE_CONF, `[storage]
driver="overlay"
graphroot="${d}/graph"
runroot="${d}/run"
`)
    const root = join(d, 'rootfs')
    mkdirSync(join(root, 'bin'), {recursive: true})
    copyFileSync(BUSYBOX, join(root, 'bin', 'busybox'))
    for (const x of ['sh', 'sleep', 'ip', 'ping', 'cat']) symlinkSync('busybox', join(root, 'bin', x))
    await must(exec('tar', ['-C', root, '-cf', join(d, 'rootfs.tar'), '.']))
    await e.podman('import', '--change', 'CMD ["/bin/sh"]', join(d, 'rootfs.tar'), IMAGE)
    await e.startService()
    return e
  }

  async podman(...args: string[]): Promise<string> {
    return (await must(exec('podman', args, {env: this.env}))).stdout.trim()
  }

  /** Serves the Docker Engine API on the socket until stopService(). */
  async startService() {
    rmSync(this.sock, {force: true})
    this.service = spawn('podman', ['system', 'service', '--time=0', `unix://${this.sock}`], {env: {...process.env, ...this.env}, stdio: 'ignore'})
    const end = Date.now() + 10_000
    while (!(await pingNode(this.sock))) {
      if (Date.now() > end) throw new Error('podman system service does not answer on its socket')
      await new Promise((r) => setTimeout(r, 20))
    }
  }

  /** Whether the API service runs. */
  async running(): Promise<boolean> {
    return !!this.service && this.service.exitCode === null && (await pingNode(this.sock))
  }

  async stopService() {
    const s = this.service
    this.service = undefined
    if (!s || s.exitCode !== null) return
    const gone = new Promise((r) => s.once('exit', r))
    s.kill('SIGTERM')
    await gone
    rmSync(this.sock, {force: true})
  }

  /** A container (detached, --network none) whose environment carries MICROSERVICE_LABEL=label; its id and PID. */
  async run(name: string, label: string): Promise<{id: string; pid: number}> {
    const id = await this.podman('run', '-d', '--network', 'none', '--name', name, '-e', `MICROSERVICE_LABEL=${label}`, IMAGE, 'sleep', '100000')
    return {id, pid: await this.pid(name)}
  }

  async pid(name: string): Promise<number> {
    return Number(await this.podman('inspect', '--format', '{{.State.Pid}}', name))
  }

  async rmAll() {
    await this.podman('rm', '-a', '-f', '-t', '0')
  }

  async stop() {
    try {
      await this.rmAll()
    } finally {
      await this.stopService()
      // Layers are mounted while containers exist; with none left the tree is plain files.
      await exec('umount', ['-R', join(this.dir, 'graph', 'overlay')]).catch(() => undefined)
      rmSync(this.dir, {recursive: true, force: true})
    }
  }
}

async function must(p: Promise<Out>): Promise<Out> {
  const r = await p
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`)
  return r
}

async function pingNode(sock: string): Promise<boolean> {
  const {request} = await import('node:http')
  return new Promise((resolve) => {
    const req = request({socketPath: sock, path: '/_ping'}, (res) => {
      res.resume()
      resolve(res.statusCode === 200)
    })
    req.on('error', () => resolve(false))
    req.end()
  })
}
