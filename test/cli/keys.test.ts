import { createHash } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runEntry } from '../helpers/process.ts'
import { scratchDir } from '../helpers/tmp.ts'

describe('cpxd keys new', () => {
  it('prints a key once with the config entry that holds its hash', () => {
    const result = runEntry('cli/index.js', ['keys', 'new', '--tier', 'customer', '--tenants', 'acme,globex', '--id', 'acme-grc'])
    expect(result.status).toBe(0)
    const key = /(cpxd_[A-Za-z0-9_-]{43})/.exec(result.stdout)?.[1] as string
    expect(key).toBeDefined()
    const hash = createHash('sha256').update(key).digest('hex')
    expect(result.stdout).toContain(`hash: sha256:${hash}`)
    expect(result.stdout).toContain('id: acme-grc')
    expect(result.stdout).toContain('tier: customer')
    expect(result.stdout.split(key)).toHaveLength(2)
  })

  it('prints an entry that pastes under auth.api_keys as printed, with a random id, and warns about what the key cannot read', () => {
    const dir = scratchDir({ 'posture/acme.yaml': 'frameworks: []\n' })
    const config = join(dir, 'cpxd.yaml')
    writeFileSync(config, 'posture_dir: posture\naudit: { file: audit.log }\n')
    const result = runEntry('cli/index.js', ['keys', 'new', '--tenants', 'acme,zeta', '--config', config])
    expect(result.status).toBe(0)
    expect(result.stderr).toBe(`cpxd: warning: no posture file for tenant "zeta" in ${join(dir, 'posture')}: this key gets 404 for it until there is one\n`)
    const key = /(cpxd_[A-Za-z0-9_-]{43})/.exec(result.stdout)?.[1] as string
    const entry = result.stdout.split('\n').filter((line) => line.startsWith('    '))
    expect(entry[0]).toMatch(/^ {4}- id: acme-[0-9a-f]{6}$/)
    expect(key.toLowerCase()).not.toContain((entry[0] as string).slice(-6))
    expect(entry.at(-1)).toBe('      tenants: [acme, zeta]')

    writeFileSync(config, ['posture_dir: posture', 'audit: { file: audit.log }', 'auth:', '  api_keys:', ...entry].join('\n'))
    expect(runEntry('cli/index.js', ['check', '--config', config]).status).toBe(0)

    const none = runEntry('cli/index.js', ['keys', 'new', '--config', config])
    expect(none.stderr).toBe('cpxd: warning: this key names no tenant, so it reads only /cpx; give --tenants a,b (or "*")\n')
    expect(none.stdout).toContain('      tenants: []')
  })

  it('refuses an unknown tier and a bad tenant with exit 2', () => {
    const tier = runEntry('cli/index.js', ['keys', 'new', '--tier', 'admin'])
    expect(tier.status).toBe(2)
    expect(tier.stderr).toContain('cpxd: --tier must be one of public, customer, auditor, operator')
    const tenant = runEntry('cli/index.js', ['keys', 'new', '--tenants', 'Acme Corp'])
    expect(tenant.status).toBe(2)
    expect(tenant.stderr).toContain('"Acme Corp" is not a tenant id')
  })
})

describe('cpxd check', () => {
  it('passes the example config', () => {
    const result = runEntry('cli/index.js', ['check', '--config', join(import.meta.dirname, '..', '..', 'config', 'cpxd.yaml')])
    expect(result.stdout).toMatch(/^ok +posture +3 posture files, 5 evidence items found and matching$/m)
    expect(result.stdout).toMatch(/cpxd\.yaml: ok\n$/)
    expect(result.status).toBe(0)
  })

  it('exits 2 when the audit key start-up needs is not there', () => {
    const dir = scratchDir({ 'cpxd.yaml': 'posture_dir: p\naudit: { file: "-", key_env: CPXD_TEST_AUDIT_KEY }\n', 'p/acme.yaml': 'frameworks: []\n' })
    const result = runEntry('cli/index.js', ['check', '--config', join(dir, 'cpxd.yaml')])
    expect(result.stdout).toContain(`FAIL  audit key    ${join(dir, 'cpxd.yaml')}: audit.key_env: CPXD_TEST_AUDIT_KEY is empty or not set\n`)
    expect(result.status).toBe(2)
    const withKey = runEntry('cli/index.js', ['check', '--config', join(dir, 'cpxd.yaml')], { CPXD_TEST_AUDIT_KEY: 'k'.repeat(32) })
    expect(withKey.status).toBe(0)
  })

  it('exits 2 naming the bad file', () => {
    const dir = scratchDir({ 'cpxd.yaml': 'posture_dir: p\n', 'p/acme.yaml': 'frameworks: 3\n' })
    const result = runEntry('cli/index.js', ['check', '--config', join(dir, 'cpxd.yaml')])
    expect(result.status).toBe(2)
    expect(result.stdout).toContain(`FAIL  posture      ${join(dir, 'p', 'acme.yaml')}: frameworks:`)
  })

  it('exits 2 with the usage for an unknown command', () => {
    const result = runEntry('cli/index.js', ['frobnicate'])
    expect(result.status).toBe(2)
    expect(result.stderr).toContain('unknown command "frobnicate"')
  })
})
