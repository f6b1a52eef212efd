import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { generateApiKey, hashApiKey } from '../../src/auth/api-keys.ts'
import { writeProject } from '../helpers/build.ts'
import { runEntry, startServer } from '../helpers/process.ts'

describe('secrets never reach a log', () => {
  it('scans the audit file and the application log for every credential, token, cookie and signature used', async () => {
    const auditor = generateApiKey()
    const wrongKey = generateApiKey()
    const { dir, config } = writeProject([
      'log: { level: trace }',
      'auth:',
      `  api_keys: [{ id: auditor, hash: "${hashApiKey(auditor)}", tier: auditor, tenants: ["*"] }]`,
      '  jwt: { issuer: "https://id.example/", audience: cpxd, jwks_file: dev-jwt/jwks.json, max_tier: auditor }'
    ])
    expect(runEntry('cli/index.js', ['token', 'dev-keys', '--config', config]).status).toBe(0)
    const jwt = runEntry('cli/index.js', ['token', 'mint', '--config', config, '--tenant', 'acme', '--tier', 'auditor']).stdout.trim()
    const server = await startServer(config)
    const secrets = [auditor, wrongKey, jwt, ...jwt.split('.').slice(1), 'c00kie-s3cret', 'qu3ry-t0ken', 'hunter2-password', 'amz-s1gnature-value', 'goog-s1gnature-value']
    try {
      const get = (path: string, headers: Record<string, string> = {}) => fetch(`${server.baseUrl}${path}`, { headers, redirect: 'manual' })
      await get('/cpx/acme', { 'x-api-key': auditor, cookie: 'session=c00kie-s3cret' })
      await get('/cpx/acme?token=qu3ry-t0ken&password=hunter2-password', { authorization: `Bearer ${jwt}` })
      await get('/cpx/acme', { 'x-api-key': wrongKey })
      await get('/cpx?X-Amz-Signature=amz-s1gnature-value&X-Goog-Signature=goog-s1gnature-value')
      await get('/cpx/acme', { authorization: `Bearer ${jwt.slice(0, -3)}xyz` })
      const doc = await (await get('/cpx/acme', { 'x-api-key': auditor })).json() as { evidence_refs: Array<{ url: string }> }
      const link = new URL(doc.evidence_refs[0]?.url as string)
      const signature = link.searchParams.get('s') as string
      secrets.push(signature)
      await get(`${link.pathname}${link.search}`)
      link.searchParams.set('s', `${signature.slice(0, -2)}zz`)
      secrets.push(link.searchParams.get('s') as string)
      await get(`${link.pathname}${link.search}`)
    } finally {
      server.child.kill('SIGTERM')
      await server.exited
    }
    const audit = readFileSync(join(dir, 'audit.log'), 'utf8')
    const application = server.stderr()
    // One line per request, after the audit_log_opened line that starts the file.
    expect(audit.split('\n').filter((l) => l !== '')).toHaveLength(9)
    // The key that seals the chain is a secret too.
    secrets.push(readFileSync(join(dir, 'audit.key'), 'utf8').trim())
    for (const secret of secrets) {
      expect(audit, 'audit log').not.toContain(secret)
      expect(application, 'application log').not.toContain(secret)
    }
  })
})
