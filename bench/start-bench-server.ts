import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { SERVER_NODE_FLAGS } from './server-flags.ts'

/** Starts `bench/server.ts MODE` in its own process and resolves once it listens. */
export async function startBenchServer (mode: string, label = mode): Promise<{ child: ChildProcess, port: number }> {
  // BENCH_CPU_PROF=DIR writes a V8 CPU profile of each server there, named by its case (`label`),
  // to see where a case spends its time.
  const name = label.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '')
  // BENCH_CPU_PROF_INTERVAL: microseconds between samples (V8's default is 1000).
  const interval = process.env.BENCH_CPU_PROF_INTERVAL === undefined ? [] : [`--cpu-prof-interval=${process.env.BENCH_CPU_PROF_INTERVAL}`]
  const profile = process.env.BENCH_CPU_PROF === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`, `--cpu-prof-name=${name}.cpuprofile`, ...interval]
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, ...profile, join(import.meta.dirname, 'server.ts'), mode], { stdio: ['ignore', 'pipe', 'inherit'] })
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const match = /READY (\d+)/.exec(chunk)
      if (match) resolve(Number(match[1]))
    })
    child.on('exit', (code) => reject(new Error(`${mode} server exited with ${code}`)))
  })
  return { child, port }
}
