import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { sealedLines } from '../helpers/audit-chain.ts'
import { copyExample } from '../helpers/build.ts'
import { runEntry } from '../helpers/process.ts'
import { scratchDir } from '../helpers/tmp.ts'

describe('cpxd check, a full pre-flight', () => {
  it('names every problem start-up would refuse, and evidence it would withhold, then exits 2', () => {
    const dir = scratchDir()
    copyExample(dir)
    // An evidence file edited after its hash was declared.
    writeFileSync(join(dir, 'evidence', 'acme', 'dpa-acme-v3.txt'), 'edited\n')
    // An audit chain already exists, but its key is gone.
    writeFileSync(join(dir, 'audit.log'), `${sealedLines(2).join('\n')}\n`)
    const config = join(dir, 'cpxd.yaml')
    writeFileSync(config, [
      'server: { host: 127.0.0.1, port: 0, tls: { cert_file: missing-cert.pem, key_file: missing-key.pem } }',
      'posture_dir: posture',
      'evidence: { local_root: evidence, cache_dir: cache }',
      'audit: { file: audit.log }',
      'auth: { jwt: { issuer: "https://id.example.com/", audience: cpxd, jwks_file: missing-jwks.json, algorithms: [ES256] } }',
      'signing: { retired_keys: [missing-retired.jwk] }'
    ].join('\n'))
    const result = runEntry('cli/index.js', ['check', '--config', config])
    expect(result.status).toBe(2)
    const failures = result.stdout.split('\n').filter((l) => l.startsWith('FAIL'))
    expect(failures).toEqual([
      `FAIL  tls          ${config}: server.tls.cert_file: ${join(dir, 'missing-cert.pem')} cannot be read`,
      `FAIL  auth.jwt[0]  ${config}: auth.jwt[0].jwks_file: ${join(dir, 'missing-jwks.json')} cannot be read`,
      `FAIL  audit key    ${config}: audit.key_file: ${join(dir, 'audit.key')} does not exist, but ${join(dir, 'audit.log')} already holds sealed lines: restore the key, or move the old audit files aside to start a new chain`,
      `FAIL  signing key  ${config}: signing.retired_keys[0]: ${join(dir, 'missing-retired.jwk')} cannot be read`,
      expect.stringMatching(/^FAIL {2}evidence {5}acme\/acme-dpa-v3: hash_mismatch: /)
    ])
    expect(result.stdout).toMatch(/: 5 problems\n$/)
  })

  it('--json gives CI one object with every check', () => {
    const dir = scratchDir()
    copyExample(dir)
    writeFileSync(join(dir, 'cpxd.yaml'), 'posture_dir: posture\nevidence: { local_root: evidence, cache_dir: cache }\naudit: { file: audit.log }\n')
    const result = runEntry('cli/index.js', ['check', '--json', '--config', join(dir, 'cpxd.yaml')])
    expect(result.status).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({
      ok: true,
      config: join(dir, 'cpxd.yaml'),
      checks: [
        { check: 'config', ok: true, detail: join(dir, 'cpxd.yaml') },
        { check: 'audit key', ok: true, detail: `${join(dir, 'audit.key')} will be created at the first start` },
        { check: 'signing key', ok: true, detail: `${join(dir, '.cpxd', 'signing-key.jwk')} will be created at the first start` },
        { check: 'posture', ok: true, detail: '3 posture files, 5 evidence items found and matching' }
      ]
    })
  })

  it('--json reports a config that cannot be read, too', () => {
    const dir = scratchDir({ 'cpxd.yaml': 'rate_limit: { max: 0 }\n' })
    const result = runEntry('cli/index.js', ['check', '--json', '--config', join(dir, 'cpxd.yaml')])
    expect(result.status).toBe(2)
    const report = JSON.parse(result.stdout) as { ok: boolean, checks: Array<{ check: string, ok: boolean, detail: string }> }
    expect(report.ok).toBe(false)
    expect(report.checks).toEqual([{ check: 'config', ok: false, detail: expect.stringContaining('rate_limit.max: ') }])
  })
})
