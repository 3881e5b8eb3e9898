// What a plan, apply or delete reports (`--json`, the agent's transactions, apply --try): a contract with users and
// other tools (docs/contract.md). Shared by the engine as a library (reconcile.ts) and the CLI (cli-run.ts).
import type {Change, Pending} from '../engine/contract.js'

export interface ChangeJson {
  action: Change['action']
  kind: Change['kind']
  key: string
  namespace: string
  detail: string
  commands: string[]
  drift?: boolean
}

export interface PlanResult {
  changes: ChangeJson[]
  pending: Pending[]
  summary: {create: number; update: number; delete: number; pending: number; unchanged: number}
  warnings?: string[]
  /** Without --prune: owned items not in the config, left in place. */
  kept?: number
  result?: 'applied' | 'pending' | 'reverted' | 'failed'
  error?: {code: string; message: string; key?: string}
  reverted?: string[]
}
