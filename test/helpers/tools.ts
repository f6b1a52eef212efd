import { spawnSync } from 'node:child_process'

/**
 * Whether a program from Debian is here. .ci/run installs every one the tests use, so under
 * CI=true a missing one fails the run; elsewhere the tests that need it skip, saying what to install.
 */
export function toolAvailable (command: string, versionArgs: readonly string[], debianPackage: string, usedFor: string): boolean {
  if (spawnSync(command, versionArgs).status === 0) return true
  const message = `${command} not found: ${usedFor} (apt-get install ${debianPackage})`
  if (process.env.CI === 'true') throw new Error(message)
  console.warn(`\n*** SKIPPING: ${message} ***\n`)
  return false
}
