import { existsSync, readFileSync } from 'node:fs'

/** The non-empty lines of a file, without newlines; none when it does not exist yet. */
export function fileLines (file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l !== '') : []
}

/** A JSON-lines file (an audit log), one parsed object per line. */
export function jsonLines (file: string): Array<Record<string, unknown>> {
  return fileLines(file).map((l) => JSON.parse(l) as Record<string, unknown>)
}
