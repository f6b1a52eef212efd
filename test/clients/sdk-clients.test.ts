import { execFileSync, spawnSync } from 'node:child_process'
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { load as loadWithJsYaml } from 'js-yaml'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse as parseWithYaml } from 'yaml'
import { buildListening, KEYS, type TestApp } from '../helpers/build.ts'
import { toolAvailable } from '../helpers/tools.ts'

const HERE = import.meta.dirname
const goAvailable = toolAvailable('go', ['version'], 'golang-go', 'the Go client test decodes answers with encoding/json')
const pythonAvailable = toolAvailable('python3', ['-c', 'import yaml'], 'python3-yaml', 'the Python client test builds dataclasses and reads YAML with PyYAML')

/** Every tier, at /cpx and at /cpx/<tenant>: the answers a client of the SDKs will get. */
const ANSWERS = [
  { name: 'public-vendor', path: '/cpx', key: undefined },
  { name: 'customer-vendor', path: '/cpx', key: KEYS.acmeCustomer },
  { name: 'auditor-vendor', path: '/cpx', key: KEYS.auditorAll },
  { name: 'public-acme', path: '/cpx/acme', key: KEYS.publicTier },
  { name: 'customer-acme', path: '/cpx/acme', key: KEYS.acmeCustomer },
  { name: 'auditor-acme', path: '/cpx/acme', key: KEYS.auditorAll }
] as const

let t: TestApp & { port: number }
let dir: string
const jsonFiles: string[] = []
const yamlFiles: string[] = []
const bodies = new Map<string, { json: string, yaml: string }>()

/** Every `expires` in an answer, in order. */
function linkExpiries (answer: unknown): string[] {
  const text = typeof answer === 'string' ? answer : JSON.stringify(answer)
  return [...text.matchAll(/"expires":"([^"]+)"/g)].map((match) => match[1] as string)
}

beforeAll(async () => {
  t = await buildListening({ server: { public_url: 'https://trust.example.test' } })
  dir = mkdtempSync(join(tmpdir(), 'cpxd-clients-'))
  for (const answer of ANSWERS) {
    const headers: Record<string, string> = answer.key === undefined ? {} : { 'x-api-key': answer.key }
    let json = ''
    let yaml = ''
    // Links are made per request and expire on whole seconds: a pair fetched across a second
    // boundary differs in them. Such a pair is fetched again; any other difference stays a failure.
    for (let attempt = 0; attempt < 5; attempt++) {
      json = await (await fetch(`http://127.0.0.1:${t.port}${answer.path}`, { headers })).text()
      yaml = await (await fetch(`http://127.0.0.1:${t.port}${answer.path}?format=yaml`, { headers })).text()
      if (linkExpiries(json).join() === linkExpiries(parseWithYaml(yaml) as unknown).join()) break
    }
    bodies.set(answer.name, { json, yaml })
    writeFileSync(join(dir, `${answer.name}.json`), json)
    writeFileSync(join(dir, `${answer.name}.yaml`), yaml)
    jsonFiles.push(join(dir, `${answer.name}.json`))
    yamlFiles.push(join(dir, `${answer.name}.yaml`))
  }
})
afterAll(async () => { await t.app.close() })

describe('the default answers, read by clients typed as the upstream SDKs', () => {
  it('carry evidence at the top level, each entry with a url, named by the controls', () => {
    const auditor = JSON.parse(bodies.get('auditor-acme')?.json ?? '{}') as { evidence_refs: Array<{ url: string, hash: string }>, extensions: { cpxd: { evidence: Record<string, { id: string }> } } }
    const customer = JSON.parse(bodies.get('customer-acme')?.json ?? '{}') as typeof auditor
    expect(auditor.evidence_refs.map((ref) => ref.url)).toEqual([
      expect.stringMatching(/^https:\/\/trust\.example\.test\/evidence\/acme\/acme-tenant-isolation\?/),
      expect.stringMatching(/^https:\/\/trust\.example\.test\/evidence\/acme\/acme-dpa-v3\?/)
    ])
    expect(customer.evidence_refs.map((ref) => ref.url)).toEqual(['urn:cpxd:evidence:acme-tenant-isolation', 'urn:cpxd:evidence:acme-dpa-v3'])
    expect(Object.values(customer.extensions.cpxd.evidence).map((extra) => extra.id)).toEqual(['acme-tenant-isolation', 'acme-dpa-v3'])
  })

  it.skipIf(!goAvailable)('decode in Go (encoding/json into the SDK\'s struct types, no field left over)', () => {
    const env = { ...process.env, GOCACHE: join(dir, 'go-cache'), GOPATH: join(dir, 'go'), GOTOOLCHAIN: 'local', GOFLAGS: '-buildvcs=false' }
    const result = spawnSync('go', ['run', join(HERE, 'decode.go'), ...jsonFiles], { encoding: 'utf8', env, cwd: dir, timeout: 120_000 })
    expect(result.stderr).toBe('')
    expect(result.stdout.trim().split('\n').map((line) => line.split(':')[0])).toEqual(jsonFiles.map((file) => `decoded ${file}`))
    expect(result.status).toBe(0)
  })

  it.skipIf(!pythonAvailable)('build the Python SDK\'s dataclasses, every field of its type', () => {
    const result = spawnSync('python3', [join(HERE, 'decode.py'), ...jsonFiles], { encoding: 'utf8' })
    expect(result.stdout.trim().split('\n').map((line) => line.split(':')[0])).toEqual(jsonFiles.map((file) => `decoded ${file}`))
    expect(result.status).toBe(0)
  })

  it('satisfy the TypeScript SDK\'s PostureData, excess property checks included (tsc)', () => {
    copyFileSync(join(HERE, 'sdk-types.ts'), join(dir, 'sdk-types.ts'))
    const sources = ANSWERS.map((answer) => {
      const file = join(dir, `${answer.name}.ts`)
      writeFileSync(file, `import type { PostureData } from './sdk-types.ts'\nexport const answer = ${bodies.get(answer.name)?.json ?? ''} satisfies PostureData\n`)
      return file
    })
    const tsc = join(HERE, '..', '..', 'node_modules', 'typescript', 'bin', 'tsc')
    const output = (() => {
      try {
        return execFileSync(process.execPath, [tsc, '--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext', '--allowImportingTsExtensions', '--skipLibCheck', ...sources], { encoding: 'utf8', cwd: dir })
      } catch (err) {
        return String((err as { stdout?: string }).stdout)
      }
    })()
    expect(output).toBe('')
  })
})

describe('?format=yaml, read by YAML libraries', () => {
  it('gives exactly the JSON answer\'s data in the yaml package and js-yaml (dates stay strings)', () => {
    for (const [name, { json, yaml }] of bodies) {
      const data: unknown = JSON.parse(json)
      expect(parseWithYaml(yaml), `${name} (yaml)`).toEqual(data)
      expect(loadWithJsYaml(yaml), `${name} (js-yaml)`).toEqual(data)
    }
  })

  it.skipIf(!pythonAvailable)('gives exactly the JSON answer\'s data in PyYAML', () => {
    const pairs = jsonFiles.flatMap((file, index) => [file, yamlFiles[index] as string])
    const result = spawnSync('python3', [join(HERE, 'decode.py'), '--yaml', ...pairs], { encoding: 'utf8' })
    expect(result.stdout.trim().split('\n')).toEqual(yamlFiles.map((file) => `same data ${file}`))
    expect(result.status).toBe(0)
  })
})
