import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { SERVER_NODE_FLAGS } from './server-flags.ts'

export interface BenchServerPlace {
  /** A checkout whose `bench/server.ts` to run (another commit, to compare with); this one by default. */
  readonly tree?: string
  /** CPUs to pin the server to (`taskset -c`), so two servers compared share a core alike. */
  readonly cpus?: string
}

/** A bench server's process and the port it listens on. */
export interface BenchServer {
  readonly child: ChildProcess
  readonly port: number
}

/** Starts `bench/server.ts MODE` in its own process and resolves once it listens. */
export async function startBenchServer (mode: string, label = mode, place: BenchServerPlace = {}): Promise<BenchServer> {
  // BENCH_CPU_PROF=DIR writes a V8 CPU profile of each server there, named by its case (`label`),
  // to see where a case spends its time.
  const name = label.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '')
  // BENCH_CPU_PROF_INTERVAL: microseconds between samples (V8's default is 1000).
  const interval = process.env.BENCH_CPU_PROF_INTERVAL === undefined ? [] : [`--cpu-prof-interval=${process.env.BENCH_CPU_PROF_INTERVAL}`]
  const profile = process.env.BENCH_CPU_PROF === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`, `--cpu-prof-name=${name}.cpuprofile`, ...interval]
  const script = place.tree === undefined ? join(import.meta.dirname, 'server.ts') : join(place.tree, 'bench', 'server.ts')
  const command = [process.execPath, ...SERVER_NODE_FLAGS, ...profile, script, mode]
  // taskset execs node, so the child's pid is the server's own (bench/run.ts reads its CPU time).
  const pinned = place.cpus === undefined ? command : ['taskset', '-c', place.cpus, ...command]
  const child = spawn(pinned[0] as string, pinned.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] })
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const match = /READY (\d+)/.exec(chunk)
      if (match) resolve(Number(match[1]))
    })
    child.on('exit', (code) => reject(new Error(`${mode} server exited with ${code}`)))
  })
  return { child, port }
}
