import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, realpathSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { basename, dirname, join } from 'node:path'
import { writeFileAtomic } from '../fs/atomic-write.ts'
import { StartupError } from '../startup-error.ts'

/** Held for the life of the process; `release` is for tests and orderly shutdown. */
export interface AuditLock {
  release: () => void
}

const NO_LOCK: AuditLock = { release: () => {} }

/**
 * Makes sure no other process on this host writes `file`: two writers would each continue the
 * chain from the same head, and every later verification would report tampering that never
 * happened. The lock is a Unix socket in Linux's abstract namespace named after the file's real
 * path: the kernel lets one process bind a name, and frees it when that process ends however it
 * ends, so there is no stale lock after a crash. A `.<file>.pid` beside the log names the holder,
 * so the second process can say who has it. Elsewhere than Linux (development machines) there is
 * no such namespace and no lock. Replicas on several hosts must each write their own file.
 */
export async function lockAuditFile (file: string, configFile: string): Promise<AuditLock> {
  if (file === '-' || process.platform !== 'linux') return NO_LOCK
  let dir: string
  try {
    mkdirSync(dirname(file), { recursive: true })
    dir = realpathSync(dirname(file))
  } catch {
    // No folder, no file to share: opening the log says what is wrong with the path.
    return NO_LOCK
  }
  const name = `\0cpxd-audit:${createHash('sha256').update(join(dir, basename(file))).digest('hex')}`
  const pidFile = join(dir, `.${basename(file)}.pid`)
  let server: Server
  try {
    server = await bind(name)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err
    throw new StartupError(configFile, 'audit.file', `${file} is being written by another cpxd (${holderOf(pidFile)}); two processes must never write one audit file`)
  }
  writeFileAtomic(pidFile, `${process.pid}\n`, 0o644)
  const release = () => {
    if (readPid(pidFile) === process.pid) rmSync(pidFile, { force: true })
    server.close()
  }
  process.once('exit', release)
  return { release }
}

function bind (name: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen({ path: name, exclusive: true }, () => {
      // The socket only holds the name: it must not keep the process alive.
      server.unref()
      resolve(server)
    })
  })
}

function readPid (pidFile: string): number | undefined {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').trim())
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined
  } catch {
    return undefined
  }
}

function holderOf (pidFile: string): string {
  const pid = readPid(pidFile)
  return pid === undefined ? 'its pid is not recorded' : `pid ${pid}`
}
