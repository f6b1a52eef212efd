import { appendFileSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateApiKey, hashApiKey } from '../../src/auth/api-keys.ts'
import { copyExample } from '../helpers/build.ts'
import { runEntry, runEntryAsync, startServer, type RunningServer } from '../helpers/process.ts'
import { scratchDir } from '../helpers/tmp.ts'
import { freePort } from '../helpers/free-port.ts'

async function stop (server: RunningServer): Promise<void> {
  server.child.kill('SIGTERM')
  await server.exited
}

describe('cpxd verify, end to end: a saved JWS verifies after the key is rotated and the server restarted', () => {
  const auditorKey = generateApiKey()
  let dir: string
  let config: string
  let origin: string
  let server: RunningServer
  let savedFile: string
  let firstKid: string

  beforeAll(async () => {
    dir = scratchDir()
    const port = await freePort()
    origin = `http://127.0.0.1:${port}`
    config = join(dir, 'cpxd.yaml')
    writeFileSync(config, [
      `server: { host: 127.0.0.1, port: ${port}, public_url: "${origin}" }`,
      'audit: { file: audit.log }',
      ...copyExample(dir),
      'auth:',
      `  api_keys: [{ id: auditor, hash: "${hashApiKey(auditorKey)}", tier: auditor, tenants: ["*"] }]`,
      ''
    ].join('\n'))
    server = await startServer(config)
    const response = await fetch(`${origin}/cpx/acme?format=jws`, { headers: { 'x-api-key': auditorKey } })
    expect(response.status).toBe(200)
    savedFile = join(dir, 'acme-posture.jws')
    writeFileSync(savedFile, await response.text())
    firstKid = JSON.parse(Buffer.from(readFileSync(savedFile, 'utf8').split('.')[0] as string, 'base64url').toString()).kid as string
  })
  afterAll(() => { server.child.kill('SIGKILL') })

  it('verifies a saved JWS through the issuer\'s published keys, and says what it holds', async () => {
    const result = await runEntryAsync('cli/index.js', ['verify', savedFile])
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
    const lines = result.stdout.trim().split('\n')
    expect(lines.slice(0, 3)).toEqual([`issuer:     ${origin}`, 'tenant:     acme', 'tier:       auditor'])
    expect(lines[3]).toMatch(new RegExp(`^signed at:  \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ with key ${firstKid}, valid until \\d{4}-`))
    expect(lines).toContain('organization: Northwind Cloud')
    expect(lines.slice(5, 8)).toEqual(['frameworks: 2', '  SOC2: compliant, score 1', '  GDPR: compliant, score 0.97'])
    expect(lines.at(-1)).toBe('verified')
  })

  it('fails, naming why, for a changed byte, an unknown key, an expired window and a plain JSON file', async () => {
    const [header, payload, signature] = readFileSync(savedFile, 'utf8').split('.') as [string, string, string]
    const edited = join(dir, 'edited.jws')
    writeFileSync(edited, `${header}.${Buffer.from(Buffer.from(payload, 'base64url').toString().replace('"auditor"', '"customer"')).toString('base64url')}.${signature}`)
    const otherKeys = join(dir, 'other-jwks.json')
    writeFileSync(otherKeys, JSON.stringify({ keys: [] }))
    const json = join(dir, 'answer.json')
    writeFileSync(json, Buffer.from(payload, 'base64url'))

    const cases = await Promise.all([
      runEntryAsync('cli/index.js', ['verify', edited]),
      runEntryAsync('cli/index.js', ['verify', savedFile, '--jwks', otherKeys]),
      runEntryAsync('cli/index.js', ['verify', savedFile, '--at', '2099-01-01T00:00:00Z']),
      runEntryAsync('cli/index.js', ['verify', json])
    ])
    expect(cases.map((c) => c.status)).toEqual([1, 1, 1, 1])
    expect(cases.map((c) => c.stdout.trim().split('\n').slice(-2))).toEqual([
      ['FAIL: the JWS signature does not verify: the document or its header was changed, or another key signed it', 'NOT VERIFIED: 1 failure'],
      [`FAIL: no published key has kid ${firstKid}`, 'NOT VERIFIED: 1 failure'],
      [expect.stringMatching(/^FAIL: the signature expired at \d{4}-/), 'NOT VERIFIED: 1 failure'],
      [`FAIL: ${json} is not a signed document: save one with ?format=jws (a JSON or YAML answer is signed only in its HTTP headers, which a file does not keep)`, 'NOT VERIFIED: 1 failure']
    ])
  })

  it('verifies a live answer (HTTP signature and JWS) and, with --evidence, every evidence file it links to', async () => {
    const result = await runEntryAsync('cli/index.js', ['verify', `${origin}/cpx/acme`, '--evidence', '--api-key-env', 'CPX_TEST_KEY'], { CPX_TEST_KEY: auditorKey })
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
    const evidence = result.stdout.split('\n').filter((line) => line.startsWith('  ok /evidence/acme/'))
    expect(evidence.length).toBeGreaterThan(0)
    expect(result.stdout).toMatch(/^evidence: {3}(\d+) links? to check$/m)
    expect(Number(/^evidence: {3}(\d+)/m.exec(result.stdout)?.[1])).toBe(evidence.length)
    expect(result.stdout.trim().split('\n').at(-1)).toBe('verified')

    const yaml = await runEntryAsync('cli/index.js', ['verify', `${origin}/cpx?format=yaml`])
    expect(yaml.status).toBe(0)
    expect(yaml.stdout).toContain('tier:       (not stated in a JSON or YAML answer; a JWS states it)')
  })

  it('after `cpxd signing keys rotate` and a restart, the saved JWS still verifies with the retired key', async () => {
    await stop(server)
    const rotated = runEntry('cli/index.js', ['signing', 'keys', 'rotate', '--config', config])
    expect(rotated.stderr).toBe('')
    expect(rotated.status).toBe(0)
    const retiredLine = rotated.stdout.split('\n').find((line) => line.startsWith('      - '))
    expect(retiredLine).toBe(`      - .cpxd/signing-key.${firstKid}.pub.jwk`)
    appendFileSync(config, `signing: { retired_keys: [".cpxd/signing-key.${firstKid}.pub.jwk"] }\n`)
    server = await startServer(config)

    const jwks = await (await fetch(`${origin}/.well-known/jwks.json`)).json() as { keys: Array<{ kid: string }> }
    expect(jwks.keys).toHaveLength(2)
    expect(jwks.keys[1]?.kid).toBe(firstKid)
    const newKid = jwks.keys[0]?.kid as string
    expect(newKid).not.toBe(firstKid)
    expect((await fetch(`${origin}/cpx`)).headers.get('signature-input')).toContain(`keyid="${newKid}"`)

    const result = await runEntryAsync('cli/index.js', ['verify', savedFile])
    expect(result.status).toBe(0)
    expect(result.stdout).toContain(`with key ${firstKid}`)
  })
})
