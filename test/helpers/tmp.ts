import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

/** A scratch folder with the given files (path relative to it -> text). */
export function scratchDir (files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'cpxd-'))
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true })
    writeFileSync(join(dir, name), text)
  }
  return dir
}
