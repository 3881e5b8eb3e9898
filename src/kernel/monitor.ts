// Kernel change notifications as a wake-up signal: one `ip monitor` per namespace. iproute2 6.1 prints text even
// with -json, so a line only says "something changed here"; the caller re-reads the kernel (observe.ts).
import {handleKey} from './observe.js'
import {start, type NsHandle, type Started} from './run.js'

export type MonitorObject = 'link' | 'address' | 'route' | 'neigh'

export interface KernelWatch {
  /** The namespaces to watch from now on (monitors of others stop, new ones start); true when one started. */
  watch(handles: NsHandle[]): boolean
  close(): void
}

export function watchKernel(objects: MonitorObject[], onChange: (ns: NsHandle, line: string) => void): KernelWatch {
  const running = new Map<string, {h: NsHandle; p: Started}>()
  let closed = false
  return {
    watch(handles) {
      if (closed) return false
      let started = false
      const want = new Map(handles.map((h) => [handleKey(h), h]))
      for (const [k, m] of running) {
        if (!want.has(k)) {
          m.p.stop()
          running.delete(k)
        }
      }
      for (const [k, h] of want) {
        if (running.has(k)) continue
        const p = start('ip', ['monitor', ...objects], {ns: h})
        p.onLine((line) => line.trim() && onChange(h, line))
        // A namespace that goes away ends its monitor; the next watch() call starts it again if still wanted.
        void p.exited.then(() => running.get(k)?.p === p && running.delete(k))
        running.set(k, {h, p})
        started = true
      }
      return started
    },
    close() {
      closed = true
      for (const m of running.values()) m.p.stop()
      running.clear()
    },
  }
}
