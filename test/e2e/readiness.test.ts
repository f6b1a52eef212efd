import { createHash } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { gatedProxy, type GatedProxy } from '../helpers/gated-proxy.ts'
import { startServer, type RunningServer } from '../helpers/process.ts'
import { S3_ACCESS_KEY, S3_BUCKET, S3_SECRET_KEY, startS3, type S3Peer } from '../helpers/s3.ts'
import { scratchDir } from '../helpers/tmp.ts'

const REPORT = 'SOC 2 Type II report\n'

describe('readiness of the real process while evidence is hashed', () => {
  let s3: S3Peer
  let proxy: GatedProxy
  let server: RunningServer
  beforeAll(async () => {
    s3 = await startS3()
    await s3.put('soc2/report.pdf', REPORT)
    // Storage answers only once the test lets it: until then cpxd is listening but not ready.
    proxy = await gatedProxy(Number(new URL(s3.endpoint).port))
    const dir = scratchDir({
      'posture/_default.yaml': [
        'frameworks: [{ name: SOC2, status: compliant, score: 1 }]',
        'evidence:',
        '  - { id: soc2-report, description: SOC 2 report, backend: s3, location: soc2/report.pdf, public: true,',
        `      sha256: ${createHash('sha256').update(REPORT).digest('hex')} }`
      ].join('\n')
    })
    const config = join(dir, 'cpxd.yaml')
    writeFileSync(config, [
      'server: { host: 127.0.0.1, port: 0 }',
      'posture_dir: posture',
      'audit: { file: audit.log }',
      `evidence: { cache_dir: cache, s3: { bucket: ${S3_BUCKET}, endpoint: "${proxy.url}", force_path_style: true } }`
    ].join('\n'))
    server = await startServer(config, { AWS_ACCESS_KEY_ID: S3_ACCESS_KEY, AWS_SECRET_ACCESS_KEY: S3_SECRET_KEY }, { ready: false })
  })
  afterAll(async () => {
    server.child.kill('SIGKILL')
    await proxy.close()
    await s3.close()
  })

  it('listens at once: /healthz is 200, /readyz and /cpx are 503 until the first version is live', async () => {
    const health = await fetch(`${server.baseUrl}/healthz`)
    expect(health.status).toBe(200)

    const loading = await fetch(`${server.baseUrl}/readyz`)
    expect(loading.status).toBe(503)
    expect(loading.headers.get('retry-after')).toBe('5')
    expect(await loading.json()).toEqual({ state: 'loading', hashed: 0, total: 1 })

    const posture = await fetch(`${server.baseUrl}/cpx`)
    expect(posture.status).toBe(503)
    expect(await posture.json()).toMatchObject({ error: { code: 'CPXD_ERR_UNAVAILABLE', message: 'posture is not loaded yet, retry later' } })

    const loaded = server.nextLog('"msg":"posture loaded"')
    const from = server.stderr().length
    proxy.open()
    await loaded
    // The load's garbage goes back before the version is served, so no answer waits for that pause.
    const log = server.stderr().slice(from)
    const compacted = log.indexOf('"msg":"heap compacted after loading"')
    expect(compacted).toBeGreaterThan(-1)
    expect(compacted).toBeLessThan(log.indexOf('"msg":"posture loaded"'))
    const ready = await fetch(`${server.baseUrl}/readyz`)
    expect(ready.status).toBe(200)
    expect(await ready.json()).toEqual({ state: 'ready', posture_version: 1, stale_tenants: [], last_reload: null })
    expect((await fetch(`${server.baseUrl}/cpx`)).status).toBe(200)
  })
})
