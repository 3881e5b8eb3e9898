// YAML and JSON output of config documents. MACs, addresses and anything with ":" or "/" are always quoted,
// so that YAML 1.1 readers (PyYAML reads 12:34:56:12:34:56 as a number) get strings.
export async function toYaml(doc: unknown): Promise<string> {
  const {Document, visit, isScalar} = await import('yaml')
  const d = new Document(doc, {version: '1.2'})
  visit(d, {
    Scalar(key, node) {
      if (key !== 'key' && typeof node.value === 'string' && /[:/]|^[0-9]/.test(node.value)) node.type = 'QUOTE_DOUBLE'
    },
    Pair(_k, pair) {
      if (isScalar(pair.value) && typeof pair.value.value === 'string' && /[:/]|^[0-9]/.test(pair.value.value)) pair.value.type = 'QUOTE_DOUBLE'
    },
  })
  return d.toString({lineWidth: 0})
}

export const toJson = (doc: unknown) => JSON.stringify(doc, null, 2)
