import { execFileSync, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { cpSync, linkSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { checkEvidence } from '../../src/cli/evidence.ts'
import { HashCache } from '../../src/evidence/hash-cache.ts'
import { LocalEvidenceStore } from '../../src/evidence/local-store.ts'
import { build, EXAMPLE_EVIDENCE_DIR, EXAMPLE_POSTURE_DIR, KEYS, testConfig, type TestApp } from '../helpers/build.ts'
import { scratchDir } from '../helpers/tmp.ts'

const DPA = 'acme/dpa-acme-v3.txt'
const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex')

async function withEvidence (overrides: Record<string, unknown> = {}): Promise<{ t: TestApp, dir: string, cacheDir: string }> {
  const dir = join(scratchDir(), 'evidence')
  cpSync(EXAMPLE_EVIDENCE_DIR, dir, { recursive: true })
  const cacheDir = join(scratchDir(), 'cache')
  const t = await build({ evidence: { local_root: dir, cache_dir: cacheDir }, ...overrides })
  return { t, dir, cacheDir }
}

async function dpaLink (t: TestApp): Promise<string> {
  const body = (await t.app.inject({ url: '/cpx/acme?profile=full', headers: { 'x-api-key': KEYS.auditorAll } })).json()
  const url = new URL(body.evidence_refs.find((r: { id: string }) => r.id === 'acme-dpa-v3').url as string)
  return `${url.pathname}${url.search}`
}

let apps: TestApp[] = []
afterEach(async () => {
  vi.restoreAllMocks()
  for (const t of apps) await t.app.close()
  apps = []
})

describe('evidence attacks', () => {
  it('never serves a file from outside the folder, whatever is swapped in between check and open', async () => {
    const { t, dir } = await withEvidence({ rate_limit: { max: 100_000, window: '1m' } })
    apps.push(t)
    const link = await dpaLink(t)
    const outside = join(scratchDir({ 'secret.txt': 'OUTSIDE-SECRET '.repeat(6) }), 'secret.txt')
    const file = join(dir, DPA)
    const original = readFileSync(file)
    // The same inode comes back each round (a hard link renamed over the path), so only a check of
    // the very file that is opened tells it apart from the symlink that alternates with it.
    linkSync(file, join(dir, 'acme', '.keep'))
    const swapper = spawn('sh', ['-c', `cd ${join(dir, 'acme')} && while :; do ln -sfn ${outside} .evil && mv -Tf .evil dpa-acme-v3.txt; ln -f .keep .good && mv -Tf .good dpa-acme-v3.txt; done`], { stdio: 'ignore' })
    const seen = { ok: 0, refused: 0, foreign: 0 }
    try {
      for (let i = 0; i < 1500; i++) {
        const res = await t.app.inject({ url: link })
        if (res.rawPayload.includes('OUTSIDE-SECRET')) seen.foreign++
        else if (res.statusCode === 200) {
          expect(res.rawPayload).toEqual(original)
          seen.ok++
        } else {
          expect(res.statusCode).toBe(503)
          seen.refused++
        }
      }
    } finally {
      swapper.kill('SIGKILL')
    }
    expect(seen.foreign).toBe(0)
    expect(seen.ok + seen.refused).toBe(1500)
  })

  it('notices a same-size edit whose mtime was put back (ctime cannot be) at the next start', async () => {
    const { t, dir, cacheDir } = await withEvidence()
    await t.app.close()
    const file = join(dir, DPA)
    const before = statSync(file)
    // touch -r keeps the times to the nanosecond, as an attacker restoring them would.
    const times = join(scratchDir(), 'times')
    writeFileSync(times, '')
    execFileSync('touch', ['-r', file, times])
    const text = readFileSync(file, 'utf8')
    const edited = `${text[0] === 'X' ? 'Y' : 'X'}${text.slice(1)}`
    writeFileSync(file, edited)
    execFileSync('touch', ['-r', times, file])
    expect(statSync(file)).toMatchObject({ size: before.size, mtimeMs: before.mtimeMs, ino: before.ino })

    const restarted = await build({ evidence: { local_root: dir, cache_dir: cacheDir } })
    apps.push(restarted)
    // The file declares its sha256, so the edited bytes are withheld, naming the hash they have now.
    expect(restarted.auditLines()).toContainEqual(expect.objectContaining({
      event: 'evidence_integrity_failure',
      tenant: 'acme',
      evidence: { id: 'acme-dpa-v3' },
      reason: 'hash_mismatch',
      detail: `declared sha256:${sha256(text)}, computed sha256:${sha256(edited)}`
    }))
    const body = (await restarted.app.inject({ url: '/cpx/acme?profile=full', headers: { 'x-api-key': KEYS.auditorAll } })).json()
    expect(JSON.stringify(body)).not.toContain('acme-dpa-v3')
  })

  it('cpxd evidence verify hashes the bytes, never the cache', async () => {
    const { t, dir, cacheDir } = await withEvidence()
    apps.push(t)
    const get = vi.spyOn(HashCache.prototype, 'get')
    const report = await checkEvidence(testConfig({ posture_dir: EXAMPLE_POSTURE_DIR, evidence: { local_root: dir, cache_dir: cacheDir } }), undefined, { fresh: true })
    expect(report).toEqual({ text: '5 evidence items verified\n', exitCode: 0 })
    expect(get).not.toHaveBeenCalled()
  })

  it('answers HEAD on an evidence link from what was indexed, opening nothing', async () => {
    const { t, dir } = await withEvidence()
    apps.push(t)
    const open = vi.spyOn(LocalEvidenceStore.prototype, 'open')
    const res = await t.app.inject({ method: 'HEAD', url: await dpaLink(t) })
    const bytes = readFileSync(join(dir, DPA))
    expect(res.statusCode).toBe(200)
    expect(res.body).toBe('')
    expect(res.headers['content-length']).toBe(String(bytes.length))
    expect(res.headers['repr-digest']).toBe(`sha-256=:${createHash('sha256').update(bytes).digest('base64')}:`)
    expect(open).not.toHaveBeenCalled()
    const line = t.auditLines().find((l) => l.request_id === res.headers['x-request-id'])
    expect(line).toMatchObject({ event: 'evidence_access', method: 'HEAD', status: 200 })
  })
})
