import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateApiKey, hashApiKey } from '../../src/auth/api-keys.ts'
import { copyExample } from '../helpers/build.ts'
import { runEntry, startServer, type RunningServer } from '../helpers/process.ts'
import { scratchDir } from '../helpers/tmp.ts'

const first = generateApiKey()
const second = generateApiKey()
const auditor = generateApiKey()
const ORIGIN = 'https://trust.example.com'

interface Settings { key: string, origins: string[], extra?: string[] }

function writeConfig (dir: string, settings: Settings): string {
  const file = join(dir, 'cpxd.yaml')
  writeFileSync(file, [
    'server: { host: 127.0.0.1, port: 0, pid_file: cpxd.pid }',
    'posture_dir: posture',
    'evidence: { local_root: evidence, cache_dir: hash-cache }',
    'audit: { file: audit.log }',
    `cors: { origins: ${JSON.stringify(settings.origins)} }`,
    'auth:',
    '  api_keys:',
    `    - { id: customer, hash: "${hashApiKey(settings.key)}", tier: customer, tenants: [acme] }`,
    `    - { id: auditor, hash: "${hashApiKey(auditor)}", tier: auditor, tenants: [acme] }`,
    ...(settings.extra ?? [])
  ].join('\n'))
  return file
}

async function statusWith (server: RunningServer, key: string): Promise<number> {
  return (await fetch(`${server.baseUrl}/cpx/acme`, { headers: { 'x-api-key': key } })).status
}

async function readyz (server: RunningServer): Promise<Record<string, unknown>> {
  return await (await fetch(`${server.baseUrl}/readyz`)).json() as Record<string, unknown>
}

describe('reloading the whole config on the real process', () => {
  let dir: string
  let config: string
  let server: RunningServer
  beforeAll(async () => {
    dir = scratchDir()
    copyExample(dir)
    config = writeConfig(dir, { key: first, origins: [] })
    server = await startServer(config)
  })
  afterAll(() => { server.child.kill('SIGKILL') })

  it('writes its pid to server.pid_file', () => {
    expect(readFileSync(join(dir, 'cpxd.pid'), 'utf8')).toBe(`${server.child.pid}\n`)
  })

  it('`cpxd reload` swaps API keys and CORS origins in; the old key stops working', async () => {
    expect(await statusWith(server, first)).toBe(200)
    writeConfig(dir, { key: second, origins: [ORIGIN] })
    const reloaded = server.nextLog('"msg":"config reloaded"')
    const result = runEntry('cli/index.js', ['reload', '--config', config])
    expect(result.stdout).toContain(`sent SIGHUP to cpxd (pid ${server.child.pid})`)
    expect(result.status).toBe(0)
    await reloaded
    expect(await statusWith(server, second)).toBe(200)
    expect(await statusWith(server, first)).toBe(401)
    const cors = await fetch(`${server.baseUrl}/cpx`, { headers: { origin: ORIGIN } })
    expect(cors.headers.get('access-control-allow-origin')).toBe(ORIGIN)
    expect(await readyz(server)).toMatchObject({ state: 'ready', last_reload: { ok: true } })
  })

  it('refuses to signal when the new config is invalid, and the server keeps the whole old one on SIGHUP', async () => {
    writeFileSync(config, readFileSync(config, 'utf8') + '\nrate_limit: { max: -1 }\n')
    const refused = runEntry('cli/index.js', ['reload', '--config', config])
    expect(refused.status).toBe(2)
    expect(refused.stderr).toContain(`cpxd: ${config}: rate_limit.max:`)

    const failed = server.nextLog('config reload failed')
    server.child.kill('SIGHUP')
    await failed
    expect(await statusWith(server, second)).toBe(200)
    const ready = await readyz(server)
    expect(ready).toMatchObject({ state: 'ready', last_reload: { ok: false } })
    const reason = (ready.last_reload as { reason: string }).reason
    expect(reason).toMatch(/^cpxd\.yaml: rate_limit\.max: /)
    expect(reason).not.toContain(dir)
  })

  it('names settings that wait for a restart, and applies the rest', async () => {
    writeConfig(dir, { key: first, origins: [], extra: ['rate_limit: { clients: 5000 }'] })
    const reloaded = server.nextLog('"msg":"config reloaded"')
    server.child.kill('SIGHUP')
    await reloaded
    expect(server.stderr()).toContain('these settings take effect only at the next restart')
    expect(await readyz(server)).toMatchObject({ last_reload: { ok: true, needs_restart: ['rate_limit.clients'] } })
    expect(await statusWith(server, first)).toBe(200)
  })

  it('takes a rotated signing key at a reload, and keeps the old key when the new file is not a key', async () => {
    const kidOf = async (): Promise<string> => /keyid="([^"]+)"/.exec((await fetch(`${server.baseUrl}/cpx`)).headers.get('signature-input') ?? '')?.[1] ?? ''
    const before = await kidOf()
    expect(before).toMatch(/^[\w-]{43}$/)
    const rotated = runEntry('cli/index.js', ['signing', 'keys', 'rotate', '--config', config])
    expect(rotated.status).toBe(0)
    const reloaded = server.nextLog('"msg":"config reloaded"')
    server.child.kill('SIGHUP')
    await reloaded
    const after = await kidOf()
    expect(after).not.toBe(before)
    const published = await (await fetch(`${server.baseUrl}/.well-known/jwks.json`)).json() as { keys: Array<{ kid: string }> }
    expect(published.keys.map((key) => key.kid)).toEqual([after])

    const keyFile = join(dir, '.cpxd', 'signing-key.jwk')
    const goodKey = readFileSync(keyFile, 'utf8')
    writeFileSync(keyFile, '{"kty":"oct","k":"c2VjcmV0"}\n')
    const failed = server.nextLog('config reload failed')
    server.child.kill('SIGHUP')
    await failed
    expect(await kidOf()).toBe(after)
    expect(await readyz(server)).toMatchObject({ last_reload: { ok: false, reason: 'cpxd.yaml: signing.key_file: the key is not a readable key (a JWK, or a PKCS#8 PEM)' } })
    writeFileSync(keyFile, goodKey)
  })

  it('a second server refuses a pid file that a running one owns', () => {
    const result = runEntry('server.js', ['--config', config])
    expect(result.status).toBe(2)
    expect(result.stderr).toContain(`server.pid_file: ${join(dir, 'cpxd.pid')} belongs to a running process (pid ${server.child.pid})`)
  })

  it('answers a gateway link from before a restart with 410, not 403, when no gateway key is set', async () => {
    const doc = await (await fetch(`${server.baseUrl}/cpx/acme`, { headers: { 'x-api-key': auditor } })).json() as { evidence_refs: Array<{ url: string }> }
    const link = doc.evidence_refs.map((ref) => ref.url).find((url) => url.includes('/evidence/')) as string
    expect((await fetch(link)).status).toBe(200)
    // Links expire on whole seconds, so one minted within a second of a start cannot be placed
    // before or after it (and counts as after): restart a little later, as a real one would be.
    await sleep(1100)
    server.child.kill('SIGTERM')
    expect(await server.exited).toBe(0)
    expect(existsSync(join(dir, 'cpxd.pid'))).toBe(false)

    server = await startServer(config)
    const port = new URL(server.baseUrl).port
    const after = await fetch(link.replace(/:\d+\//, `:${port}/`))
    expect(after.status).toBe(410)
    expect(await after.json()).toMatchObject({ error: { code: 'CPXD_ERR_LINK_EXPIRED', message: 'this evidence link is no longer valid (the server has restarted); fetch the posture again for a fresh one' } })
    const forged = new URL(link.replace(/:\d+\//, `:${port}/`))
    forged.searchParams.set('e', String(Math.floor(Date.now() / 1000) + 7200))
    expect((await fetch(forged)).status).toBe(403)
  })
})
