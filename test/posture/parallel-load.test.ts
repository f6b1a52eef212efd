import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadPostureDocuments } from '../../src/posture/loader.ts'
import { loadPostureDocumentsInParallel } from '../../src/posture/parallel-load.ts'
import { StartupError } from '../../src/startup-error.ts'
import { EXAMPLE_POSTURE_DIR } from '../helpers/build.ts'
import { scratchDir } from '../helpers/tmp.ts'

/** Forty tenants, copies of the example's acme, so that two workers share them. */
function manyTenants (extra: Record<string, string> = {}): string {
  const acme = readFileSync(join(EXAMPLE_POSTURE_DIR, 'acme.yaml'), 'utf8')
  return scratchDir({ ...Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`tenant-${i}.yaml`, acme])), ...extra })
}

const inWorkers = { minFiles: 2, maxWorkers: 2 }

async function refusalOf (load: () => unknown): Promise<StartupError> {
  try {
    await load()
  } catch (err) {
    if (err instanceof StartupError) return err
    throw err
  }
  throw new Error('the load did not fail')
}

describe('loadPostureDocumentsInParallel', () => {
  it('reads in worker threads exactly what one thread reads', async () => {
    const dir = manyTenants({ '_default.json': JSON.stringify({ frameworks: [{ name: 'SOC2', status: 'compliant', score: 1 }] }) })
    const parallel = await loadPostureDocumentsInParallel(dir, inWorkers)
    expect(parallel.size).toBe(41)
    expect(parallel).toEqual(loadPostureDocuments(dir))
  })

  it('names file, line, path and reason of a bad file exactly as one thread does', async () => {
    for (const bad of ['frameworks:\n  - { name: SOC2, status: maybe, score: 1 }\n', 'frameworks: [\n  unclosed\n', 'frameworks:\n  - &a { name: SOC2 }\n  - *b\n']) {
      const dir = manyTenants({ 'tenant-7.yaml': bad })
      const single = await refusalOf(() => loadPostureDocuments(dir))
      const parallel = await refusalOf(async () => loadPostureDocumentsInParallel(dir, inWorkers))
      expect(single.message).toContain('tenant-7.yaml')
      expect(parallel.message).toBe(single.message)
    }
  })

  it('loads a small folder on this thread, with the same result', async () => {
    expect(await loadPostureDocumentsInParallel(EXAMPLE_POSTURE_DIR)).toEqual(loadPostureDocuments(EXAMPLE_POSTURE_DIR))
  })
})
