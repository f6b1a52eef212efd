import { spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildListening, KEYS, type TestApp } from '../helpers/build.ts'
import { fencedBlocks } from '../helpers/markdown.ts'
import { scratchDir } from '../helpers/tmp.ts'
import { toolAvailable } from '../helpers/tools.ts'

const DOC = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'signing.md'), 'utf8')
const goAvailable = toolAvailable('go', ['version'], 'golang-go', 'docs/signing.md shows how to verify a JWS in Go')
const pythonAvailable = toolAvailable('python3', ['-c', 'import cryptography'], 'python3-cryptography', 'docs/signing.md shows how to verify an answer with Python\'s cryptography')

/** Runs a program without blocking this process, which serves the requests it makes. */
async function run (command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ status: number | null, stdout: string, stderr: string }> {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve))
  return { status, stdout, stderr }
}

function only (language: string): string {
  const blocks = fencedBlocks(DOC, language)
  expect(blocks).toHaveLength(1)
  return blocks[0] as string
}

/** The programs in docs/signing.md, run as a customer would run them, against a real server. */
describe('the verifiers in docs/signing.md', () => {
  let t: TestApp & { port: number }
  let dir: string
  let jws: string
  let tampered: string
  let jwksFile: string

  beforeAll(async () => {
    t = await buildListening()
    dir = scratchDir()
    const answer = await fetch(`http://127.0.0.1:${t.port}/cpx/acme?format=jws`, { headers: { 'x-api-key': KEYS.auditorAll } })
    jws = join(dir, 'acme.jws')
    const text = await answer.text()
    writeFileSync(jws, text)
    const [header, payload, signature] = text.split('.') as [string, string, string]
    tampered = join(dir, 'tampered.jws')
    writeFileSync(tampered, `${header}.${Buffer.from(Buffer.from(payload, 'base64url').toString().replace('compliant', 'compliant ')).toString('base64url')}.${signature}`)
    jwksFile = join(dir, 'jwks.json')
    writeFileSync(jwksFile, await (await fetch(`http://127.0.0.1:${t.port}/.well-known/jwks.json`)).text())
  })
  afterAll(async () => { await t.app.close() })

  it.runIf(pythonAvailable)('Python verifies a live answer\'s HTTP signature, public and tenant', async () => {
    const program = join(dir, 'verify_answer.py')
    writeFileSync(program, only('python'))
    const vendor = await run('python3', [program, `http://127.0.0.1:${t.port}/cpx?format=yaml`])
    expect(vendor.stderr).toBe('')
    expect(vendor.stdout).toMatch(/^verified: signed by key [\w-]{43}\n$/)
    const tenant = await run('python3', [program, `http://127.0.0.1:${t.port}/cpx/acme`], { ...process.env, CPX_API_KEY: KEYS.acmeCustomer })
    expect(tenant.stderr).toBe('')
    expect(tenant.status).toBe(0)
  })

  it.runIf(goAvailable)('Go verifies a saved JWS and refuses an edited one', async () => {
    const program = join(dir, 'verify_jws.go')
    writeFileSync(program, only('go'))
    const env = { ...process.env, GOCACHE: join(dir, 'go-cache'), GOFLAGS: '-mod=mod', GO111MODULE: 'off' }
    expect((await run('gofmt', ['-l', program], env)).stdout).toBe('')
    const good = await run('go', ['run', program, jws, jwksFile], env)
    expect(good.stderr).toBe('')
    expect(JSON.parse(good.stdout)).toHaveProperty('organization.name', 'Northwind Cloud')
    const bad = await run('go', ['run', program, tampered, jwksFile], env)
    expect(bad.status).toBe(1)
    expect(bad.stderr).toContain('the signature does not verify')
  })

  it('JavaScript (node:crypto alone) verifies a saved JWS and refuses an edited one', async () => {
    const program = join(dir, 'verify-jws.mjs')
    writeFileSync(program, only('js'))
    const good = await run(process.execPath, [program, jws, jwksFile])
    expect(good.stderr).toBe('')
    expect(good.stdout).toMatch(new RegExp(`^verified: http://127\\.0\\.0\\.1:${t.port}, tier auditor, signed \\d{4}-`))
    const bad = await run(process.execPath, [program, tampered, jwksFile])
    expect(bad.status).toBe(1)
    expect(bad.stderr).toContain('Error: the signature does not verify')
  })
})
