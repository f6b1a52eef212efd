import type { LoadedConfig } from '../config/loader.ts'
import { pidFileOwner } from '../fs/pid-file.ts'
import { StartupError } from '../startup-error.ts'

/**
 * Signals the running server to reload (SIGHUP), found through `server.pid_file`. The caller has
 * already validated the config the server will read, so a broken one is refused here, before the
 * server is disturbed; the server checks it again and keeps its last good config either way.
 */
export function signalReload ({ file, config }: LoadedConfig): string {
  const pidFile = config.server.pid_file
  if (pidFile === undefined) {
    throw new StartupError(file, 'server.pid_file', 'is not set, so the server cannot be found; set it (and restart), or send SIGHUP to the server process yourself')
  }
  const pid = pidFileOwner(pidFile)
  if (pid === undefined) throw new StartupError(file, 'server.pid_file', `${pidFile} names no running server`)
  process.kill(pid, 'SIGHUP')
  return `sent SIGHUP to cpxd (pid ${pid}); its log says "config reloaded" or why not, and /readyz shows last_reload\n`
}
