import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runEntry } from '../helpers/process.ts'
import { scratchDir } from '../helpers/tmp.ts'

describe('cpxd signing keys', () => {
  it('new writes a private key where the config keeps it, mode 0600, and never over an existing one', () => {
    const dir = scratchDir({ 'cpxd.yaml': 'signing: { key_file: keys/signing.jwk }\n' })
    const config = join(dir, 'cpxd.yaml')
    const made = runEntry('cli/index.js', ['signing', 'keys', 'new', '--config', config])
    expect(made.stderr).toBe('')
    expect(made.status).toBe(0)
    const file = join(dir, 'keys', 'signing.jwk')
    expect(made.stdout).toMatch(new RegExp(`^New ed25519 signing key [\\w-]{43} in ${file} \\(mode 0600\\)\\.\\n`))
    expect(statSync(file).mode & 0o777).toBe(0o600)
    const key = readFileSync(file, 'utf8')
    const again = runEntry('cli/index.js', ['signing', 'keys', 'new', '--config', config])
    expect(again.status).toBe(2)
    expect(again.stderr).toBe(`cpxd: ${file} already exists; \`cpxd signing keys rotate\` replaces a key and keeps the old one published\nrun \`cpxd signing keys new --help\` for usage\n`)
    expect(readFileSync(file, 'utf8')).toBe(key)
  })

  it('new --out needs no config, and takes es256', () => {
    const dir = scratchDir()
    const out = join(dir, 'signing-key.jwk')
    const made = runEntry('cli/index.js', ['signing', 'keys', 'new', '--out', out, '--algorithm', 'es256', '--config', join(dir, 'none.yaml')])
    expect(made.status).toBe(0)
    expect(made.stdout).toContain(`    key_file: ${out}\n`)
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ kty: 'EC', crv: 'P-256', d: expect.any(String) })
    const wrong = runEntry('cli/index.js', ['signing', 'keys', 'new', '--out', join(dir, 'x.jwk'), '--algorithm', 'rsa', '--config', join(dir, 'none.yaml')])
    expect(wrong.status).toBe(2)
    expect(wrong.stderr).toContain('cpxd: --algorithm must be ed25519 or es256\n')
  })

  it('rotate keeps the old public key beside the new one and prints the config lines, and refuses a key held in a variable', () => {
    const dir = scratchDir({ 'cpxd.yaml': 'signing: { key_file: signing.jwk, retired_keys: [old.pub.jwk] }\n', 'old.pub.jwk': '{}' })
    const config = join(dir, 'cpxd.yaml')
    expect(runEntry('cli/index.js', ['signing', 'keys', 'new', '--config', config]).status).toBe(0)
    const before = JSON.parse(readFileSync(join(dir, 'signing.jwk'), 'utf8')) as { x: string }
    const rotated = runEntry('cli/index.js', ['signing', 'keys', 'rotate', '--config', config])
    expect(rotated.status).toBe(0)
    const oldKid = /The old key ([\w-]{43}) is retired/.exec(rotated.stdout)?.[1] as string
    const retired = JSON.parse(readFileSync(join(dir, `signing.${oldKid}.pub.jwk`), 'utf8')) as Record<string, unknown>
    expect(retired).toEqual({ kty: 'OKP', crv: 'Ed25519', x: before.x, kid: oldKid, alg: 'EdDSA', use: 'sig' })
    expect(JSON.parse(readFileSync(join(dir, 'signing.jwk'), 'utf8'))).not.toMatchObject({ x: before.x })
    expect(rotated.stdout).toContain(['  signing:', '    retired_keys:', '      - old.pub.jwk', `      - signing.${oldKid}.pub.jwk`, ''].join('\n'))

    writeFileSync(config, 'signing: { key_env: CPXD_SIGNING_KEY }\n')
    const refused = runEntry('cli/index.js', ['signing', 'keys', 'rotate', '--config', config])
    expect(refused.status).toBe(2)
    expect(refused.stderr).toContain(`signing.key_env is set in ${config}: cpxd cannot replace a key it reads from CPXD_SIGNING_KEY`)
  })
})
