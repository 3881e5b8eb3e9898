// One error type with a code; the CLI maps codes to exit codes and renders them in one place (render/errors.ts).

/** One problem with one field of one item, as `validate --json` and `{"error": {"errors": [...]}}` report it. */
export interface ItemError {
  file: string
  key: string
  path: string
  message: string
  hint?: string
  /** 1-based place in the file of the item and field (of the nearest part of it the file has), when lnx read the text. */
  line?: number
  column?: number
  /** The offending line itself (syntax errors): the renderer prints it with a caret under `column`. */
  excerpt?: string
  /** Where in the file's documents the problem is; turned into line/column only when there are problems to show. */
  src?: {doc: number; at: string[]}
}

export type ErrorCode =
  | 'INVALID'
  | 'COLLISION'
  | 'KERNEL'
  | 'VERIFY'
  | 'NOT_PERMITTED'
  | 'MISSING_TOOL'
  | 'LOCKED'
  | 'INTERRUPTED'
  | 'ENVIRONMENT'
  | 'INTERNAL'
  | 'TRY_PENDING'
  | 'NOT_CONFIRMED'

export const EXIT = {
  OK: 0,
  FAILED: 1,
  INVALID: 2,
  PENDING: 3,
  ENVIRONMENT: 4,
  CHANGES: 5,
} as const

const EXIT_OF: Record<ErrorCode, number> = {
  INVALID: EXIT.INVALID,
  COLLISION: EXIT.INVALID,
  KERNEL: EXIT.FAILED,
  VERIFY: EXIT.FAILED,
  NOT_PERMITTED: EXIT.ENVIRONMENT,
  MISSING_TOOL: EXIT.ENVIRONMENT,
  LOCKED: EXIT.ENVIRONMENT,
  INTERRUPTED: EXIT.FAILED,
  ENVIRONMENT: EXIT.ENVIRONMENT,
  INTERNAL: EXIT.FAILED,
  TRY_PENDING: EXIT.ENVIRONMENT,
  NOT_CONFIRMED: EXIT.FAILED,
}

export class LnxError extends Error {
  readonly code: ErrorCode
  readonly exitCode: number
  readonly key?: string
  readonly errors?: ItemError[]
  readonly hint?: string
  /** Extra fields merged into the `--json` error object (e.g. the apply result of a failed run). */
  readonly extra?: Record<string, unknown>

  constructor(
    code: ErrorCode,
    message: string,
    opts: {key?: string; errors?: ItemError[]; hint?: string; exitCode?: number; extra?: Record<string, unknown>} = {},
  ) {
    super(message)
    this.name = 'LnxError'
    this.code = code
    this.exitCode = opts.exitCode ?? EXIT_OF[code]
    this.key = opts.key
    this.errors = opts.errors
    this.hint = opts.hint
    this.extra = opts.extra
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      ...(this.key ? {key: this.key} : {}),
      ...(this.errors ? {errors: this.errors.map(stripHint)} : {}),
      ...(this.hint ? {hint: this.hint} : {}),
      ...(this.extra ?? {}),
    }
  }
}

/** The `--json` form of a problem: {file, key, path, message} of the contract, plus line and column when known. */
export const itemErrorJson = (e: ItemError) => ({
  file: e.file,
  key: e.key,
  path: e.path,
  message: e.hint ? `${e.message} (${e.hint})` : e.message,
  ...(e.line !== undefined ? {line: e.line, column: e.column} : {}),
})
const stripHint = itemErrorJson

export function invalid(errors: ItemError[]): LnxError {
  const n = errors.length
  return new LnxError('INVALID', n === 1 ? errors[0].message : `${n} errors in the configuration`, {errors})
}
