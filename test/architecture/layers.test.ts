import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const SRC = resolve(import.meta.dirname, '..', '..', 'src')

/**
 * cpxd's layers, bottom first (DESIGN.md). A module may import its own unit (a folder, or a file
 * at the top of src/) and the units of lower layers, never a unit of its own layer or above, so
 * imports run one way and no two folders import each other.
 */
const LAYERS: ReadonlyArray<readonly string[]> = [
  ['audit-reasons.ts', 'etag.ts', 'heap-compaction.ts', 'startup-error.ts', 'supported-node.ts', 'fs'],
  ['errors.ts'],
  ['domain'],
  ['signing'],
  ['config'],
  ['auth'],
  ['evidence'],
  ['posture'],
  ['audit'],
  ['http'],
  ['plugins'],
  ['routes'],
  ['app.ts'],
  ['start-server.ts'],
  ['server.ts', 'cli']
]

type ImportGraph = ReadonlyMap<string, readonly string[]>

/** `posture/store.ts` -> `posture`; `app.ts` -> `app.ts`. */
function unitOf (file: string): string {
  return file.split('/')[0] as string
}

function layerOf (unit: string): number {
  const index = LAYERS.findIndex((layer) => layer.includes(unit))
  if (index === -1) throw new Error(`src/${unit} is in no layer: add it to LAYERS in this test`)
  return index
}

/** Every import that goes sideways or up, as `from -> to`. */
function layerViolations (graph: ImportGraph): string[] {
  const violations: string[] = []
  for (const [from, targets] of graph) {
    const unit = unitOf(from)
    for (const to of targets) {
      const target = unitOf(to)
      if (target !== unit && layerOf(target) >= layerOf(unit)) violations.push(`${from} -> ${to}`)
    }
  }
  return violations
}

function sourceFiles (dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return entry.name.endsWith('.ts') ? [path] : []
  })
}

/** Relative imports of every module under src/, static and dynamic, as paths relative to src/. */
function importGraph (): ImportGraph {
  const graph = new Map<string, string[]>()
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8')
    const specifiers = [...text.matchAll(/(?:from\s+|import\s*\(\s*|^import\s+)'(\.{1,2}\/[^']+)'/gm)].map((match) => match[1] as string)
    graph.set(relative(SRC, file), specifiers.map((specifier) => relative(SRC, resolve(dirname(file), specifier))))
  }
  return graph
}

describe('imports run one way', () => {
  it('no module imports a unit of its own layer or one above it', () => {
    const graph = importGraph()
    expect(graph.size).toBeGreaterThan(50)
    expect(layerViolations(graph)).toEqual([])
  })

  it('catches an import that goes up, and one between folders of a layer', () => {
    const graph = new Map([
      ['evidence/gateway-links.ts', ['posture/posture-version.ts', 'domain/principal.ts']],
      ['fs/write-all.ts', ['startup-error.ts']],
      ['posture/store.ts', ['posture/posture-version.ts', 'evidence/evidence-index.ts']]
    ])
    expect(layerViolations(graph)).toEqual(['evidence/gateway-links.ts -> posture/posture-version.ts', 'fs/write-all.ts -> startup-error.ts'])
  })

  it('knows every folder and top-level file under src/', () => {
    const units = new Set([...importGraph().keys()].map(unitOf))
    for (const unit of units) expect(() => layerOf(unit)).not.toThrow()
  })
})
