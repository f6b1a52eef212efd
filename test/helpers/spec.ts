import { readdirSync } from 'node:fs'
import { join } from 'node:path'

/** The upstream OpenCPX data files, kept unchanged in the repository (spec/opencpx/PROVENANCE.md). */
export const SPEC_DIR = join(import.meta.dirname, '..', '..', 'spec', 'opencpx')

/** Every example document the spec ships, so a new upstream example is checked without a test edit. */
export const EXAMPLE_FILES = readdirSync(join(SPEC_DIR, 'examples')).filter((name) => name.endsWith('.json')).sort()

export function specPath (...parts: string[]): string {
  return join(SPEC_DIR, ...parts)
}
