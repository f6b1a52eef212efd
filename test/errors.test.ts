import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ERROR_CODES } from '../src/errors.ts'

describe('error codes', () => {
  const doc = readFileSync(join(import.meta.dirname, '..', 'docs', 'errors.md'), 'utf8')

  it.each(Object.entries(ERROR_CODES))('%s (%i) is documented in docs/errors.md', (code, status) => {
    expect(doc).toMatch(new RegExp(`\\| \`${code}\` \\| ${status} \\|`))
  })
})
