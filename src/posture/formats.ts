import { stringify } from 'yaml'

/**
 * YAML every reader takes as the JSON answer: a string that YAML 1.1 would read as something else
 * (a timestamp, a date, `yes`, `0755`) is quoted, so PyYAML and js-yaml keep it a string, as
 * YAML 1.2 readers do anyway. No anchors, no folded lines.
 */
export function stringifyYaml (value: unknown): string {
  return stringify(value, { version: '1.1', aliasDuplicateObjects: false, lineWidth: 0 })
}

export const FORMATS = ['json', 'yaml'] as const
export type Format = typeof FORMATS[number]

/** `standard` (the default) decodes in the upstream SDKs; `full` keeps the file's own shape; `strict` is cpx-schema.json. */
export const PROFILES = ['standard', 'full', 'strict'] as const
export type Profile = typeof PROFILES[number]

export const CONTENT_TYPES: Record<Format, string> = {
  json: 'application/json; charset=utf-8',
  yaml: 'application/yaml; charset=utf-8'
}

export function serialize (value: unknown, format: Format): Buffer {
  const text = format === 'json' ? JSON.stringify(value) : stringifyYaml(value)
  return Buffer.from(text, 'utf8')
}

/** What `?format=` may ask for: a serialization, or `jws`, the JSON answer signed as a compact JWS. */
export const ANSWER_FORMATS = [...FORMATS, 'jws'] as const
export type AnswerFormat = typeof ANSWER_FORMATS[number]

/**
 * `?format=` wins over `Accept`; with neither, JSON. Only an Accept that names YAML or
 * `application/jose` (and not JSON first) selects it, so browsers and generic clients that send
 * `*\/*` get JSON.
 */
export function negotiateFormat (query: AnswerFormat | undefined, accept: string | undefined): AnswerFormat {
  if (query !== undefined) return query
  if (accept === undefined || !(accept.includes('yaml') || accept.includes('jose'))) return 'json'
  const json = accept.search(/application\/json|\*\/\*/)
  const other = accept.search(/application\/(x-)?yaml|text\/yaml|application\/jose/)
  if (other === -1 || (json !== -1 && json < other)) return 'json'
  return accept.startsWith('application/jose', other) ? 'jws' : 'yaml'
}
