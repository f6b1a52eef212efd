import { expect } from 'vitest'
import { StartupError } from '../../src/startup-error.ts'

/** Runs `load`, which must refuse with a StartupError, and returns that error to inspect. */
export function startupErrorFrom (load: () => unknown): StartupError {
  try {
    load()
  } catch (err) {
    expect(err).toBeInstanceOf(StartupError)
    return err as StartupError
  }
  throw new Error('expected a StartupError')
}
