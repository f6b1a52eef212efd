import { spawn } from 'node:child_process'
import { toolAvailable } from './tools.ts'
import { freePort } from './free-port.ts'

export function redisAvailable (): boolean {
  return toolAvailable('redis-server', ['--version'], 'redis-server', 'shared rate limits are tested against a real Redis')
}

export interface RunningRedis {
  readonly url: string
  stop: () => Promise<void>
}

/** A throwaway redis-server on a free loopback port, keeping nothing on disk. */
export async function startRedis (): Promise<RunningRedis> {
  const port = await freePort()
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 10_000)
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk
      if (output.includes('Ready to accept connections')) { clearTimeout(timer); resolve() }
    })
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`redis-server exited with ${code}:\n${output}`)) })
  })
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()))
  return {
    url: `redis://127.0.0.1:${port}/0`,
    stop: async () => {
      child.kill('SIGTERM')
      await exited
    }
  }
}
