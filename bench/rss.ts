// npm run bench:rss: the resident memory of the built server serving the example posture, once
// ready (three starts; the median). Needs `npm run build` first (npm install runs it).
import { spawn } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SERVER_NODE_FLAGS } from './server-flags.ts'

const ROOT = join(import.meta.dirname, '..')

async function rssOnce (): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'cpxd-rss-'))
  cpSync(join(ROOT, 'config'), dir, { recursive: true })
  const config = join(dir, 'cpxd.yaml')
  writeFileSync(config, readFileSync(config, 'utf8').replace(/port: \d+/, 'port: 0'))
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, join(ROOT, 'dist', 'server.js'), '--config', config], { stdio: ['ignore', 'ignore', 'pipe'] })
  let log = ''
  await new Promise<void>((resolve, reject) => {
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { log += chunk; if (log.includes('posture loaded')) resolve() })
    child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${log}`)))
  })
  // Let start-up garbage be collected as it would be in a running server.
  await new Promise((resolve) => setTimeout(resolve, 1000))
  const rss = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1]) / 1024
  child.kill('SIGKILL')
  return rss
}

const samples = [await rssOnce(), await rssOnce(), await rssOnce()].sort((a, b) => a - b)
console.log(`RSS once ready, example posture (3 tenants, local evidence), flags ${SERVER_NODE_FLAGS.join(' ') || 'none'}: median ${samples[1]?.toFixed(0)} MB (${samples.map((s) => s.toFixed(0)).join(', ')})`)
