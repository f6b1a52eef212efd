import { stringify } from 'yaml'

export const FORMATS = ['json', 'yaml'] as const
export type Format = typeof FORMATS[number]

export const PROFILES = ['full', 'strict'] as const
export type Profile = typeof PROFILES[number]

export const CONTENT_TYPES: Record<Format, string> = {
  json: 'application/json; charset=utf-8',
  yaml: 'application/yaml; charset=utf-8'
}

export function serialize (value: unknown, format: Format): Buffer {
  const text = format === 'json' ? JSON.stringify(value) : stringify(value, { aliasDuplicateObjects: false })
  return Buffer.from(text, 'utf8')
}

/**
 * `?format=` wins over `Accept`; with neither, JSON. Only an Accept that names YAML (and not JSON
 * first) selects YAML, so browsers and generic clients that send `*\/*` get JSON.
 */
export function negotiateFormat (query: Format | undefined, accept: string | undefined): Format {
  if (query !== undefined) return query
  if (accept === undefined || !accept.includes('yaml')) return 'json'
  const json = accept.search(/application\/json|\*\/\*/)
  const yaml = accept.search(/application\/(x-)?yaml|text\/yaml/)
  return yaml !== -1 && (json === -1 || yaml < json) ? 'yaml' : 'json'
}
