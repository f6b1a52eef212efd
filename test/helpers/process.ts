import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'

export const DIST = join(import.meta.dirname, '..', '..', 'dist')

/** e2e tests run what ships: the compiled entry points (`npm test` builds them first). */
export function distEntry (name: string): string {
  const file = join(DIST, name)
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` (npm test does it for you)`)
  return file
}

export interface RunningServer {
  child: ChildProcess
  baseUrl: string
  stderr: () => string
  stdout: () => string
  /** Resolves with the exit code once the process is gone. */
  exited: Promise<number | null>
  /**
   * Resolves when stderr next shows `text`, counting only what is written after the call: call
   * it before the signal whose answer it waits for. Rejects after 10 s, or if the process exits.
   */
  nextLog: (text: string) => Promise<void>
}

export interface StartOptions {
  /** Wait for the first posture version to be live (its log line), not only for the listener. */
  readonly ready?: boolean
}

/**
 * Starts `node dist/server.js --config FILE` (with `env` added) and waits for its "listening" log
 * line, then (unless `ready: false`) for its first posture version.
 */
export async function startServer (configFile: string, env: Record<string, string> = {}, options: StartOptions = {}): Promise<RunningServer> {
  const child = spawn(process.execPath, [distEntry('server.js'), '--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } })
  let stdout = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
  let stderr = ''
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${stderr}`)), 15_000)
    child.stderr?.setEncoding('utf8')
    child.stderr?.on('data', (chunk: string) => {
      stderr += chunk
      const match = /Server listening at (https?:\/\/127\.0\.0\.1:\d+)/.exec(stderr)
      if (match?.[1] !== undefined) {
        clearTimeout(timer)
        resolve(match[1])
      }
    })
    void exited.then((code) => { clearTimeout(timer); reject(new Error(`server exited with ${code}:\n${stderr}`)) })
  })
  const nextLog = (text: string): Promise<void> => {
    const from = stderr.length
    return new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!stderr.includes(text, from)) return
        done()
        resolve()
      }
      const timer = setTimeout(() => { done(); reject(new Error(`no "${text}" on stderr within 10 s:\n${stderr.slice(from)}`)) }, 10_000)
      const done = () => { clearTimeout(timer); child.stderr?.off('data', check) }
      child.stderr?.on('data', check)
      void exited.then((code) => { done(); reject(new Error(`server exited with ${code} before "${text}":\n${stderr.slice(from)}`)) })
    })
  }
  if (options.ready !== false && !stderr.includes('"msg":"posture loaded"')) {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`posture was not loaded within 15 s:\n${stderr}`)), 15_000)
      const check = () => {
        if (!stderr.includes('"msg":"posture loaded"')) return
        clearTimeout(timer)
        child.stderr?.off('data', check)
        resolve()
      }
      child.stderr?.on('data', check)
      void exited.then((code) => { clearTimeout(timer); reject(new Error(`server exited with ${code}:\n${stderr}`)) })
    })
  }
  return { child, baseUrl, stderr: () => stderr, stdout: () => stdout, exited, nextLog }
}

/** Runs a compiled entry point to completion. */
export function runEntry (name: string, args: string[], env: Record<string, string> = {}): { status: number | null, stdout: string, stderr: string } {
  const result = spawnSync(process.execPath, [distEntry(name), ...args], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, ...env } })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

/**
 * `runEntry` without blocking this process: for commands that talk to a server this process
 * started, whose log pipe would otherwise fill while nobody reads it.
 */
export async function runEntryAsync (name: string, args: string[], env: Record<string, string> = {}): Promise<{ status: number | null, stdout: string, stderr: string }> {
  const child = spawn(process.execPath, [distEntry(name), ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } })
  let stdout = ''
  let stderr = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
  const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
  clearTimeout(timer)
  return { status, stdout, stderr }
}
