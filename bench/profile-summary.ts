// node bench/profile-summary.ts FILE.cpuprofile [N] [--total] [--busy] [--from=SECONDS] [--packages]:
// the N functions (default 30) with the most self time in a V8 CPU profile (from BENCH_CPU_PROF), as
// percentages of all samples.
//   --total       time inside a function and everything it calls (each function counted once per sample)
//   --busy        percentages of the samples in which the server was not idle
//   --from=S      only samples taken S seconds or more after the profile began, so start-up and the
//                 warm-up stay out of it
//   --packages    self time by who owns the code: a package under node_modules, Node itself, cpxd's
//                 own folders under src/, native code (system calls, crypto) and the garbage collector
import { readFileSync } from 'node:fs'

interface ProfileNode {
  id: number
  callFrame: { functionName: string, url: string, lineNumber: number }
  children?: number[]
}

interface CpuProfile {
  nodes: ProfileNode[]
  samples: number[]
  /** Microseconds since the previous sample; the first one since `startTime`. */
  timeDeltas: number[]
}

const USAGE = 'usage: node bench/profile-summary.ts FILE.cpuprofile [N] [--total] [--busy] [--from=SECONDS] [--packages]'
const flags = new Set<string>()
let fromSeconds = 0
const positional: string[] = []
for (const arg of process.argv.slice(2)) {
  if (arg.startsWith('--from=')) fromSeconds = Number(arg.slice('--from='.length))
  else if (arg.startsWith('--')) flags.add(arg)
  else positional.push(arg)
}
for (const flag of flags) if (!['--total', '--busy', '--packages'].includes(flag)) throw new Error(`unknown option ${flag}; ${USAGE}`)
const [file, limit = '30'] = positional
if (file === undefined || !Number.isFinite(fromSeconds)) throw new Error(USAGE)
const total = flags.has('--total')
const byPackage = flags.has('--packages')

const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
const nodes = new Map(profile.nodes.map((node) => [node.id, node]))
const parents = new Map<number, number>()
for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id)

function nameOf (id: number): string {
  const frame = nodes.get(id)?.callFrame
  if (frame === undefined) return '(unknown)'
  return `${frame.functionName === '' ? '(anonymous)' : frame.functionName} ${frame.url.replace(/.*\/(node_modules\/)?/, '')}:${frame.lineNumber + 1}`
}

/** Who owns a frame's code: `fastify`, `node`, `cpxd src/audit`, `native`, `(garbage collector)`. */
function ownerOf (id: number): string {
  const frame = nodes.get(id)?.callFrame
  if (frame === undefined) return '(unknown)'
  const { url, functionName } = frame
  if (url === '') return functionName.startsWith('(') ? functionName : 'native'
  if (url.startsWith('node:')) return 'node'
  const inPackage = /.*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)
  if (inPackage !== null) return inPackage[1] as string
  const inSource = /\/src\/(?:([^/]+)\/)?/.exec(url)
  if (inSource !== null) return `cpxd src/${inSource[1] ?? ''}`
  return url.replace(/^.*\//, '')
}

const label = byPackage ? ownerOf : nameOf
const time = new Map<string, number>()
let counted = 0
let elapsed = 0
for (let i = 0; i < profile.samples.length; i++) {
  elapsed += profile.timeDeltas[i] ?? 0
  if (elapsed < fromSeconds * 1e6) continue
  const id = profile.samples[i] as number
  if (flags.has('--busy') && nodes.get(id)?.callFrame.functionName === '(idle)') continue
  counted++
  const names = new Set<string>([label(id)])
  // Callers up to the root, which holds every sample and so is left out.
  if (total) for (let at = parents.get(id); at !== undefined && parents.has(at); at = parents.get(at)) names.add(label(at))
  for (const name of names) time.set(name, (time.get(name) ?? 0) + 1)
}
if (counted === 0) throw new Error(`no samples in ${file} from ${fromSeconds} s on`)
for (const [name, samples] of [...time].sort((a, b) => b[1] - a[1]).slice(0, Number(limit))) {
  console.log(`${(100 * samples / counted).toFixed(1).padStart(5)}%  ${name}`)
}
