// Imports nothing on purpose: an entry point runs this before it loads anything else, so that
// an older Node fails here with one clear line instead of deep inside a dependency.

/** The oldest Node major cpxd runs on (package.json `engines`, the `node` dev dependency). */
export const REQUIRED_NODE_MAJOR = 24

/** Exit status for a configuration or environment error, as for a bad config (startup-error.ts). */
const EXIT_UNSUPPORTED = 2

/** The line to print when `version` (as in `process.versions.node`) is too old; undefined when it will do. */
export function unsupportedNodeMessage (version: string): string | undefined {
  const major = Number(version.split('.')[0])
  if (Number.isInteger(major) && major >= REQUIRED_NODE_MAJOR) return undefined
  return `cpxd: needs Node.js ${REQUIRED_NODE_MAJOR} or newer, but this is Node.js ${version}`
}

/** Exits 2 with one line on stderr when this Node is too old. */
export function exitUnlessSupportedNode (): void {
  const message = unsupportedNodeMessage(process.versions.node)
  if (message === undefined) return
  process.stderr.write(`${message}\n`)
  process.exit(EXIT_UNSUPPORTED)
}
