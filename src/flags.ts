// Flags shared by several commands.
import {Flags} from '@oclif/core'
import {DEFAULT_LABEL} from './model/keys.js'
import {logicalNameProblem} from './model/names.js'

export const fileFlag = Flags.string({char: 'f', description: 'config file (YAML or JSON); "-" for standard input; repeatable', multiple: true, required: true})

export const labelFlag = Flags.string({
  description: 'microservice label in lnx\'s ownership marks (/vnf-agent/<label>/…); default $MICROSERVICE_LABEL, else vpp1',
  env: 'MICROSERVICE_LABEL',
  default: DEFAULT_LABEL,
  parse: async (v) => {
    const p = logicalNameProblem(v)
    if (p) throw new Error(`--label ${JSON.stringify(v)} ${p}`)
    return v
  },
})
