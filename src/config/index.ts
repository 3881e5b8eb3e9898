// Config → validated desired model: the one entry point commands use.
import {invalid, itemErrorJson, type ItemError} from '../errors.js'
import {loadConfig, loadObjects, locateProblems, readAllStdin, type LoadedConfig} from './load.js'
import {validateConfig} from '../model/validate.js'
import {normalizeArp, normalizeInterface, normalizeRoute} from '../model/normalize.js'
import type {Desired} from '../model/types.js'

export interface ValidateOutput {
  valid: boolean
  errors: ItemError[]
  warnings: ItemError[]
}

const plain = (e: ItemError): ItemError => itemErrorJson(e)

export async function validateFiles(files: string[], readStdin = readAllStdin): Promise<ValidateOutput & {loaded: LoadedConfig; raw: {errors: ItemError[]; warnings: ItemError[]}}> {
  const loaded = await loadConfig(files, readStdin)
  const {errors, warnings} = validateConfig(loaded)
  if (errors.length || warnings.length) await locateProblems(loaded, [...errors, ...warnings])
  return {valid: errors.length === 0, errors: errors.map(plain), warnings: warnings.map(plain), loaded, raw: {errors, warnings}}
}

export function toDesired(loaded: LoadedConfig): Desired {
  const src = (l: {file: string; where: string}) => ({file: l.file, where: l.where})
  // The loader's key is the item's key whenever it could build one (keys.ts, same fields); else normalize builds it.
  const key = (l: {key: string}) => (l.key.startsWith('config/') ? l.key : undefined)
  return {
    interfaces: loaded.interfaces.map((l) => normalizeInterface(l.item, src(l), key(l))),
    routes: loaded.routes.map((l) => normalizeRoute(l.item, src(l), key(l))),
    arps: loaded.arps.map((l) => normalizeArp(l.item, src(l), key(l))),
  }
}

/** Loads and validates; throws INVALID (exit 2) with every error when the config is not valid. */
export async function loadDesired(files: string[], readStdin = readAllStdin): Promise<{desired: Desired; warnings: ItemError[]}> {
  const v = await validateFiles(files, readStdin)
  if (!v.valid) throw invalid(v.raw.errors)
  return {desired: toDesired(v.loaded), warnings: v.raw.warnings}
}

/** Validates documents built in memory; throws INVALID with every error. */
export async function desiredFromObjects(docs: {file: string; doc: unknown}[]): Promise<{desired: Desired; warnings: ItemError[]}> {
  const loaded = await loadObjects(docs)
  const {errors, warnings} = validateConfig(loaded)
  if (errors.length) throw invalid(errors)
  return {desired: toDesired(loaded), warnings}
}
