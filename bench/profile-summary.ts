// node bench/profile-summary.ts FILE.cpuprofile [N]: the N functions (default 30) with the most
// self time in a V8 CPU profile (from BENCH_CPU_PROF), as percentages of all samples.
import { readFileSync } from 'node:fs'

interface ProfileNode {
  id: number
  callFrame: { functionName: string, url: string, lineNumber: number }
}

const [file, limit = '30'] = process.argv.slice(2)
if (file === undefined) throw new Error('usage: node bench/profile-summary.ts FILE.cpuprofile [N]')
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[], samples: number[] }
const nodes = new Map(profile.nodes.map((node) => [node.id, node]))
const selfTime = new Map<string, number>()
for (const id of profile.samples) {
  const frame = nodes.get(id)?.callFrame
  const name = frame === undefined ? '(unknown)' : `${frame.functionName === '' ? '(anonymous)' : frame.functionName} ${frame.url.replace(/.*\/(node_modules\/)?/, '')}:${frame.lineNumber + 1}`
  selfTime.set(name, (selfTime.get(name) ?? 0) + 1)
}
const total = profile.samples.length
for (const [name, samples] of [...selfTime].sort((a, b) => b[1] - a[1]).slice(0, Number(limit))) {
  console.log(`${(100 * samples / total).toFixed(1).padStart(5)}%  ${name}`)
}
