import { readFileSync } from 'node:fs'
import { extname } from 'node:path'
import { isMap, isNode, isScalar, LineCounter, parseDocument, type Document } from 'yaml'
import type { ZodError, ZodType } from 'zod'
import { StartupError } from '../startup-error.ts'

/** A parsed YAML or JSON file that can say where a path in it sits, for error messages. */
export interface SourceFile {
  readonly file: string
  readonly data: unknown
  /** `line L` of the node at `path`, or '' when the path is not in the file (a missing key). */
  locate (path: ReadonlyArray<PropertyKey>): string
}

/** Largest config or posture file cpxd reads; a bigger one is a mistake, not a posture. */
export const MAX_SOURCE_BYTES = 8 * 1024 * 1024

export function readSourceFile (file: string): SourceFile {
  return parseSource(file, readSourceText(file))
}

/** A config or posture file's text, refused (StartupError) when unreadable or too large. */
function readSourceText (file: string): string {
  try {
    const buffer = readFileSync(file)
    if (buffer.byteLength > MAX_SOURCE_BYTES) {
      throw new StartupError(file, '', `file is larger than ${MAX_SOURCE_BYTES} bytes`)
    }
    return buffer.toString('utf8')
  } catch (err) {
    if (err instanceof StartupError) throw err
    throw new StartupError(file, '', describeFsError(err))
  }
}

/** How every config and posture text is parsed. JSON is YAML 1.2, so one parser serves both. */
const PARSE_OPTIONS = { prettyErrors: false, uniqueKeys: true } as const
/** Aliases expand when read: a few hundred can make a small file enormous. */
const TO_JS_OPTIONS = { maxAliasCount: 100 } as const

/**
 * The data in a file, parsed exactly as readSourceFile does, or undefined for any problem (too
 * large, unreadable, not valid YAML): then readSourceFile says which, with the line.
 */
export function readSourceData (file: string): unknown {
  try {
    const doc = parseDocument(readSourceText(file), PARSE_OPTIONS)
    return doc.errors.length > 0 ? undefined : doc.toJS(TO_JS_OPTIONS)
  } catch {
    return undefined
  }
}

export function parseSource (file: string, text: string): SourceFile {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { ...PARSE_OPTIONS, lineCounter })
  const problem = doc.errors[0]
  if (problem !== undefined) {
    const where = lineCounter.linePos(problem.pos[0])
    const kind = extname(file) === '.json' ? 'JSON' : 'YAML'
    throw new StartupError(file, '', `line ${where.line}: not valid ${kind}: ${firstLine(problem.message)}`)
  }
  return {
    file,
    data: toData(file, doc),
    locate: (path) => locateIn(doc, lineCounter, path)
  }
}

/** The document's data; an alias that names no anchor, or too many aliases, is the file's fault. */
function toData (file: string, doc: Document): unknown {
  try {
    return doc.toJS(TO_JS_OPTIONS)
  } catch (err) {
    const kind = extname(file) === '.json' ? 'JSON' : 'YAML'
    throw new StartupError(file, '', `not valid ${kind}: ${firstLine(err instanceof Error ? err.message : String(err))}`)
  }
}

function locateIn (doc: Document, lineCounter: LineCounter, path: ReadonlyArray<PropertyKey>): string {
  const keys = path.map((key) => (typeof key === 'symbol' ? String(key) : key))
  // A key's own line, where the key is written: its value (a mapping) may start on the next.
  const last = keys.at(-1)
  const parent = keys.length === 1 ? doc.contents : doc.getIn(keys.slice(0, -1), true)
  if (typeof last === 'string' && isMap(parent)) {
    const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === last)
    const range = isNode(pair?.key) ? pair.key.range : undefined
    if (range !== undefined && range !== null) return `line ${lineCounter.linePos(range[0]).line}`
  }
  const node = doc.getIn(keys, true)
  if (!isNode(node) || node.range === undefined || node.range === null) return ''
  return `line ${lineCounter.linePos(node.range[0]).line}`
}

/** `frameworks[0].controls[2].status`, the way people read a path in a YAML file. */
export function formatPath (path: ReadonlyArray<PropertyKey>): string {
  let out = ''
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`
    else out += out === '' ? String(key) : `.${String(key)}`
  }
  return out
}

/** Validates with zod and turns the first issue into a StartupError naming file, path, line. */
export function parseWith<T> (source: SourceFile, schema: ZodType<T>): T {
  const result = schema.safeParse(source.data)
  if (result.success) return result.data
  throw toStartupError(source, result.error)
}

export function toStartupError (source: SourceFile, error: ZodError): StartupError {
  const issue = error.issues[0]
  if (issue === undefined) return new StartupError(source.file, '', 'invalid')
  // An unknown key is named, and pointed at, itself: not the mapping it sits in.
  const path = issue.code === 'unrecognized_keys' && issue.keys.length === 1 ? [...issue.path, issue.keys[0] as string] : issue.path
  const message = sentenceFor(issue, valueAt(source.data, path))
  // A missing key has no line of its own; the mapping that lacks it does.
  const line = source.locate(path) || (issue.code === 'invalid_type' ? source.locate(path.slice(0, -1)) : '')
  const reason = line === '' ? message : `${message} (${line})`
  const formatted = formatPath(path)
  return new StartupError(source.file, formatted === '' ? '(root)' : formatted, reason)
}

/** Zod's wording for the cases people meet most, said as a sentence about the file. */
function sentenceFor (issue: ZodError['issues'][number], value: unknown): string {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.length === 1 ? 'is not a key cpxd knows here (a typo?)' : `${issue.keys.map((k) => `"${k}"`).join(', ')} are not keys cpxd knows here (typos?)`
  }
  if (issue.code === 'invalid_type') {
    if (value === undefined) return `is required (${describeExpected(issue.expected)})`
    return `must be ${describeExpected(issue.expected)}, not ${describeValue(value)}`
  }
  return issue.message
}

function describeExpected (expected: string): string {
  if (expected === 'array') return 'a list'
  if (expected === 'object') return 'a mapping of keys to values'
  return `a ${expected}`
}

/**
 * What kind of value was found, never the value itself: a key pasted under the wrong setting must
 * not reach the log, `/readyz` (`last_reload`) or a CI transcript.
 */
function describeValue (value: unknown): string {
  if (value === null) return 'empty (null)'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a mapping'
  return `a ${typeof value}`
}

function valueAt (data: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let node = data
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined
    node = (node as Record<PropertyKey, unknown>)[key]
  }
  return node
}

function firstLine (message: string): string {
  return message.split('\n')[0] ?? message
}

function describeFsError (err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  if (code === 'ENOENT') return 'file not found'
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied'
  if (code === 'EISDIR') return 'is a directory, not a file'
  return `cannot be read (${code ?? 'unknown error'})`
}
