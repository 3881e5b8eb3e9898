// The agent's log on stderr: one line per event, text for people or JSON (one object a line) for log shippers.
export type LogFormat = 'text' | 'json'
export type Level = 'info' | 'warn' | 'error'

export interface AgentLog {
  log(level: Level, msg: string, fields?: Record<string, unknown>): void
}

const textValue = (v: unknown) => {
  const s = typeof v === 'string' ? v : Array.isArray(v) ? v.join(',') : JSON.stringify(v)
  return /[\s"=]/.test(s) ? JSON.stringify(s) : s
}

export function makeLog(format: LogFormat, write: (line: string) => void = (l) => process.stderr.write(l)): AgentLog {
  return {
    log(level, msg, fields = {}) {
      const time = new Date().toISOString()
      if (format === 'json') write(`${JSON.stringify({time, level, msg, ...fields})}\n`)
      else {
        const kv = Object.entries(fields).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${textValue(v)}`).join(' ')
        write(`${time} ${level.toUpperCase().padEnd(5)} ${msg}${kv ? ` ${kv}` : ''}\n`)
      }
    },
  }
}
