// node bench/profile-summary.ts FILE.cpuprofile [N] [--total]: the N functions (default 30) with the
// most self time in a V8 CPU profile (from BENCH_CPU_PROF), as percentages of all samples. With
// --total, time inside a function and everything it calls (each function counted once per sample).
import { readFileSync } from 'node:fs'

interface ProfileNode {
  id: number
  callFrame: { functionName: string, url: string, lineNumber: number }
  children?: number[]
}

const args = process.argv.slice(2)
const total = args.includes('--total')
const [file, limit = '30'] = args.filter((arg) => arg !== '--total')
if (file === undefined) throw new Error('usage: node bench/profile-summary.ts FILE.cpuprofile [N] [--total]')
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[], samples: number[] }
const nodes = new Map(profile.nodes.map((node) => [node.id, node]))
const parents = new Map<number, number>()
for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id)

function nameOf (id: number): string {
  const frame = nodes.get(id)?.callFrame
  if (frame === undefined) return '(unknown)'
  return `${frame.functionName === '' ? '(anonymous)' : frame.functionName} ${frame.url.replace(/.*\/(node_modules\/)?/, '')}:${frame.lineNumber + 1}`
}

const time = new Map<string, number>()
for (const id of profile.samples) {
  const names = new Set<string>()
  for (let at: number | undefined = id; at !== undefined; at = total ? parents.get(at) : undefined) names.add(nameOf(at))
  for (const name of names) time.set(name, (time.get(name) ?? 0) + 1)
}
for (const [name, samples] of [...time].sort((a, b) => b[1] - a[1]).slice(0, Number(limit))) {
  console.log(`${(100 * samples / profile.samples.length).toFixed(1).padStart(5)}%  ${name}`)
}
