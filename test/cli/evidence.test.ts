import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { generateApiKey, hashApiKey } from '../../src/auth/api-keys.ts'
import { writeProject } from '../helpers/build.ts'
import { runEntry, startServer } from '../helpers/process.ts'

const auditorKey = generateApiKey()

function project (): { dir: string, config: string } {
  return writeProject(['auth:', `  api_keys: [{ id: auditor, hash: "${hashApiKey(auditorKey)}", tier: auditor, tenants: ["*"] }]`])
}

describe('cpxd evidence', () => {
  it('verify passes the example and index reports progress', () => {
    const { config } = project()
    const verify = runEntry('cli/index.js', ['evidence', 'verify', '--config', config])
    expect(verify.status).toBe(0)
    expect(verify.stdout).toBe('5 evidence items verified\n')
    const index = runEntry('cli/index.js', ['evidence', 'index', '--config', config])
    expect(index.status).toBe(0)
    expect(index.stderr).toContain('[##############################] 5/5')
  })

  it('verify exits 1 naming an item whose file no longer matches its declared hash', () => {
    const { dir, config } = project()
    writeFileSync(join(dir, 'evidence', 'acme', 'dpa-acme-v3.txt'), 'a forged agreement')
    const result = runEntry('cli/index.js', ['evidence', 'verify', '--config', config])
    expect(result.status).toBe(1)
    expect(result.stdout).toContain(`FAILED acme/acme-dpa-v3: hash_mismatch: declared sha256:faf4a0a65acaf736183fb0528af9686728087b5ba09e63fb487abca5338058ff, computed sha256:${createHash('sha256').update('a forged agreement').digest('hex')}`)
  })
})

describe('the server with evidence, over real HTTP', () => {
  it('withholds a tampered item, logs the integrity failure, and serves the rest to auditors', async () => {
    const { dir, config } = project()
    writeFileSync(join(dir, 'evidence', 'acme', 'dpa-acme-v3.txt'), 'a forged agreement')
    const server = await startServer(config)
    try {
      const doc = await (await fetch(`${server.baseUrl}/cpx/acme?profile=full`, { headers: { 'x-api-key': auditorKey } })).json() as { evidence_refs?: unknown, frameworks: Array<{ controls?: Array<{ id: string, evidence_refs?: Array<{ id: string, url: string, hash: string }> }> }> }
      expect(JSON.stringify(doc)).not.toContain('acme-dpa-v3')
      const ref = doc.frameworks.flatMap((f) => f.controls ?? []).find((c) => c.id === 'CC6.1')?.evidence_refs?.[0]
      expect(ref?.url.startsWith(`${server.baseUrl}/evidence/acme/acme-tenant-isolation?`)).toBe(true)

      const download = await fetch(ref?.url as string)
      const bytes = Buffer.from(await download.arrayBuffer())
      expect(download.status).toBe(200)
      expect(`sha256:${createHash('sha256').update(bytes).digest('hex')}`).toBe(ref?.hash)

      const audit = readFileSync(join(dir, 'audit.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
      expect(audit.find((l) => l.event === 'evidence_integrity_failure')).toMatchObject({ tenant: 'acme', evidence: { id: 'acme-dpa-v3' }, reason: 'hash_mismatch' })
      expect(audit.find((l) => l.event === 'evidence_access')).toMatchObject({ status: 200, evidence: { id: 'acme-tenant-isolation', tenant: 'acme' } })
      expect(server.stderr()).toContain('evidence withheld from every document')
    } finally {
      server.child.kill('SIGKILL')
    }
  })
})
