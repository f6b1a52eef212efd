/**
 * A problem found while loading the config or a posture file: it names the file, the path inside
 * it and the reason, so the person who edits the file can fix it without reading code.
 * The CLI prints it as one line and exits with status 2, never with a stack trace.
 */
export class StartupError extends Error {
  readonly file: string
  readonly path: string
  readonly reason: string

  constructor (file: string, path: string, reason: string) {
    super(`${file}: ${path === '' ? '' : `${path}: `}${reason}`)
    this.name = 'StartupError'
    this.file = file
    this.path = path
    this.reason = reason
  }
}

/** Exit status for a configuration or posture error, distinct from a crash (1). */
export const EXIT_CONFIG_ERROR = 2
