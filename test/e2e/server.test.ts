import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateApiKey, hashApiKey } from '../../src/auth/api-keys.ts'
import { copyExample, EXAMPLE_POSTURE_DIR } from '../helpers/build.ts'
import { runEntry, startServer, type RunningServer } from '../helpers/process.ts'
import { scratchDir } from '../helpers/tmp.ts'

const key = generateApiKey()

function writeConfig (dir: string, extra = '', example: string[] = ['posture_dir: posture']): string {
  const file = join(dir, 'cpxd.yaml')
  writeFileSync(file, [
    'server: { host: 127.0.0.1, port: 0 }',
    ...example,
    'audit: { file: audit.log }',
    'auth:',
    '  api_keys:',
    `    - { id: e2e, hash: "${hashApiKey(key)}", tier: customer, tenants: [acme] }`,
    extra
  ].join('\n'))
  return file
}

describe('the real server process', () => {
  let dir: string
  let server: RunningServer
  beforeAll(async () => {
    dir = scratchDir()
    server = await startServer(writeConfig(dir, '', copyExample(dir)))
  })
  afterAll(() => { server.child.kill('SIGKILL') })

  it('serves /cpx and /cpx/<tenant> over HTTP with the security headers', async () => {
    const pub = await fetch(`${server.baseUrl}/cpx`)
    expect(pub.status).toBe(200)
    expect(pub.headers.get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none'")
    expect((await pub.json() as { frameworks: unknown[] }).frameworks).toHaveLength(2)

    const tenant = await fetch(`${server.baseUrl}/cpx/acme`, { headers: { 'x-api-key': key } })
    expect(tenant.status).toBe(200)
    expect(tenant.headers.get('cache-control')).toBe('no-store')
    expect((await fetch(`${server.baseUrl}/cpx/acme`)).status).toBe(401)
  })

  it('says at start that, without a gateway key, evidence links will not survive a restart', () => {
    expect(server.stderr()).toContain('links handed out now stop working at the next restart')
  })

  it('writes the audit line to the configured file before answering', async () => {
    const res = await fetch(`${server.baseUrl}/cpx/globex`, { headers: { 'x-api-key': key } })
    expect(res.status).toBe(403)
    const lines = readFileSync(join(dir, 'audit.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(lines.find((l) => l.request_id === res.headers.get('x-request-id'))).toMatchObject({ status: 403, tenant: 'globex' })
    expect(readFileSync(join(dir, 'audit.log'), 'utf8')).not.toContain(key)
  })

  it('reloads posture on SIGHUP and keeps the last good one when a file breaks', async () => {
    const file = join(dir, 'posture', 'globex.yaml')
    writeFileSync(file, 'frameworks:\n  - { name: SOC2, status: compliant, score: 1 }\n  - { name: PCI-DSS, status: compliant, score: 1 }\n')
    writeFileSync(join(dir, 'posture', '_default.yaml'), readFileSync(join(EXAMPLE_POSTURE_DIR, '_default.yaml'), 'utf8').replace('score: 0.93', 'score: 0.95'))
    const reloaded = server.nextLog('posture reloaded')
    server.child.kill('SIGHUP')
    await reloaded
    const fresh = await (await fetch(`${server.baseUrl}/cpx?framework=iso27001`)).json() as { frameworks: Array<{ score: number }> }
    expect(fresh.frameworks[0]?.score).toBe(0.95)

    writeFileSync(join(dir, 'posture', '_default.yaml'), 'frameworks:\n  - { name: SOC2, status: great, score: 1 }\n')
    const failed = server.nextLog('config reload failed')
    server.child.kill('SIGHUP')
    await failed
    expect(server.stderr()).toMatch(/_default\.yaml: frameworks\[0\]\.status/)
    const still = await (await fetch(`${server.baseUrl}/cpx?framework=iso27001`)).json() as { frameworks: Array<{ score: number }> }
    expect(still.frameworks[0]?.score).toBe(0.95)
  })

  it('shuts down cleanly on SIGTERM', async () => {
    server.child.kill('SIGTERM')
    expect(await server.exited).toBe(0)
  })
})

describe('start-up errors', () => {
  it('a bad config value exits 2 with file, path and reason on one line, no stack', () => {
    const dir = scratchDir({ 'posture/_default.yaml': 'frameworks: []\n' })
    const file = writeConfig(dir, 'rate_limit: { max: -1 }')
    const result = runEntry('server.js', ['--config', file])
    expect(result.status).toBe(2)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toContain(`cpxd: ${file}: rate_limit.max:`)
    expect(result.stderr).not.toMatch(/\n\s+at /)
  })

  it('a bad posture file exits 2 naming the file and the path', () => {
    const dir = scratchDir({ 'posture/acme.yaml': 'frameworks:\n  - { name: SOC2, status: compliant, score: 7 }\n' })
    const result = runEntry('server.js', ['--config', writeConfig(dir)])
    expect(result.status).toBe(2)
    expect(result.stderr).toContain(`${join(dir, 'posture', 'acme.yaml')}: frameworks[0].score:`)
  })
})
