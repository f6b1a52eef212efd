import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'

/**
 * The OpenCPX spec files live beside the clone (../shared/opencpx-spec), not in it. Outside CI a
 * missing copy skips the conformance tests with a loud message; under CI=true it fails the run.
 */
export const SPEC_DIR = resolve(import.meta.dirname, '..', '..', '..', 'shared', 'opencpx-spec')
export const specAvailable = existsSync(join(SPEC_DIR, 'cpx-schema.json'))

if (!specAvailable) {
  const message = `OpenCPX spec not found at ${SPEC_DIR}: conformance tests need ../shared/opencpx-spec beside the clone`
  if (process.env.CI === 'true') throw new Error(message)
  console.warn(`\n*** SKIPPING conformance tests: ${message} ***\n`)
}

export const EXAMPLE_FILES = [
  'healthcare-saas-example.json',
  'integration-platform-example.json',
  'payment-saas-example.json',
  'vendor-extension-example.json'
]

export function specPath (...parts: string[]): string {
  return join(SPEC_DIR, ...parts)
}
