import { execFileSync, spawn } from 'node:child_process'
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from './free-port.ts'

/** Debian's server binaries (postgresql-NN), newest first. */
function binDir (): string | undefined {
  const root = '/usr/lib/postgresql'
  if (!existsSync(root)) return undefined
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a))
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin')
}

/** Whether PostgreSQL can run here; under CI=true a missing server fails the run. */
export function postgresAvailable (): boolean {
  if (binDir() !== undefined) return true
  const message = 'PostgreSQL server not found: the posture store is tested against a real PostgreSQL (apt-get install postgresql)'
  if (process.env.CI === 'true') throw new Error(message)
  console.warn(`\n*** SKIPPING: ${message} ***\n`)
  return false
}

export interface RunningPostgres {
  readonly url: string
  stop: () => Promise<void>
}

/**
 * A throwaway PostgreSQL in a temporary data directory on a free loopback port, trusting local
 * connections. As root it runs as the `postgres` user, which PostgreSQL requires.
 */
export async function startPostgres (): Promise<RunningPostgres> {
  const bin = binDir() as string
  const dir = mkdtempSync(join(tmpdir(), 'cpxd-pg-'))
  const data = join(dir, 'data')
  const sockets = join(dir, 'sockets')
  mkdirSync(sockets)
  const asRoot = process.getuid?.() === 0
  const run = (command: string, args: string[]): [string, string[]] => asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args]
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }))
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }))
    chownSync(dir, uid, gid)
    chownSync(sockets, uid, gid)
  }
  const [initdb, initArgs] = run(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'])
  execFileSync(initdb, initArgs, { stdio: 'ignore' })
  const port = await freePort()
  const [postgres, args] = run(join(bin, 'postgres'), ['-D', data, '-p', String(port), '-k', sockets, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=50'])
  const child = spawn(postgres, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`PostgreSQL did not start:\n${output}`)), 20_000)
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk
      if (output.includes('database system is ready to accept connections')) { clearTimeout(timer); resolve() }
    })
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`PostgreSQL exited with ${code}:\n${output}`)) })
  })
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()))
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      // The postmaster itself, not runuser, which does not pass SIGINT on: a fast shutdown.
      const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0])
      process.kill(pid, 'SIGINT')
      await exited
    }
  }
}
