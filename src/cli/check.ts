import { keyLostError } from '../audit/audit-key.ts'
import { findChainHead } from '../audit/chain-head.ts'
import { createJwtVerifier } from '../auth/jwt/create-jwt-verifier.ts'
import { loadConfig, type LoadedConfig } from '../config/loader.ts'
import type { CpxdConfig } from '../config/schema.ts'
import { readAuditKeySecret, readGatewayKey, readJwtKey, readSigningSecrets, readTlsPair, type JwtKeyMaterial } from '../config/secrets.ts'
import { usableKeys } from '../plugins/app/signing.ts'
import { loadPostureVersion } from '../posture/load-version.ts'
import { StartupError } from '../startup-error.ts'

/** One thing checked: what, whether it passed, and the reason when not. */
export interface CheckResult {
  readonly check: string
  readonly ok: boolean
  readonly detail: string
}

export interface CheckReport {
  readonly ok: boolean
  readonly config: string
  readonly checks: readonly CheckResult[]
}

/**
 * `cpxd check`: everything start-up would refuse, each problem on its own (a missing JWKS file does
 * not hide an unreadable certificate), and the evidence start-up would withhold. Reads only:
 * unlike start-up, it creates no audit key and takes no lock.
 */
export async function runChecks (configFile: string, env: NodeJS.ProcessEnv): Promise<CheckReport> {
  let loaded: LoadedConfig
  try {
    loaded = loadConfig(configFile, env)
  } catch (err) {
    return { ok: false, config: configFile, checks: [failed('config', err)] }
  }
  const { file, config } = loaded
  const checks: CheckResult[] = [{ check: 'config', ok: true, detail: file }]
  const attempt = async (check: string, work: () => string | Promise<string>): Promise<boolean> => {
    try {
      checks.push({ check, ok: true, detail: await work() })
      return true
    } catch (err) {
      checks.push(failed(check, err))
      return false
    }
  }

  if (config.server.tls !== undefined) {
    const tls = config.server.tls
    await attempt('tls', () => { readTlsPair(tls, file); return `${tls.cert_file} and its key` })
  }
  const issuers = config.auth.jwt ?? []
  const materials: JwtKeyMaterial[] = []
  for (const [index, entry] of issuers.entries()) {
    await attempt(`auth.jwt[${index}]`, () => { materials.push(readJwtKey(entry, index, env, file)); return entry.issuer })
  }
  if (issuers.length > 0 && materials.length === issuers.length) {
    await attempt('auth.jwt keys', () => { createJwtVerifier(issuers, materials, { configFile: file, onRefreshError: () => {} }); return `${issuers.length} issuer${issuers.length === 1 ? '' : 's'}` })
  }
  if (config.evidence.gateway_key_env !== undefined || config.evidence.gateway_key_file !== undefined) {
    await attempt('evidence gateway key', () => { readGatewayKey(config.evidence, env, file); return 'readable, long enough' })
  }
  await attempt('audit key', () => describeAuditKey(config, env, file))
  if (config.signing.enabled) await attempt('signing key', () => describeSigningKeys(config, env, file))
  await attempt('posture', async () => {
    // Reading PostgreSQL would mean migrating it first: `check` only reads, and each version there
    // was checked when it was published.
    if (config.posture.store.kind === 'postgres') return 'in PostgreSQL (posture.store.kind postgres): each version is checked as it is published'
    const version = await loadPostureVersion(config)
    for (const failure of version.evidence.failures) {
      checks.push({ check: 'evidence', ok: false, detail: `${failure.tenant}/${failure.id}: ${failure.reason}: ${failure.message}` })
    }
    const items = version.evidence.items.size
    return `${version.postures.size} posture file${version.postures.size === 1 ? '' : 's'}, ${items} evidence item${items === 1 ? '' : 's'} found and matching`
  })
  return { ok: checks.every((c) => c.ok), config: file, checks }
}

async function describeAuditKey (config: CpxdConfig, env: NodeJS.ProcessEnv, file: string): Promise<string> {
  const secret = readAuditKeySecret(config.audit, env, file)
  if ('secret' in secret) return 'readable, long enough'
  if ((await findChainHead(config.audit.file)).head.seq > 0) throw keyLostError(config.audit, secret.missingFile, file)
  return `${secret.missingFile} will be created at the first start`
}

async function describeSigningKeys (config: CpxdConfig, env: NodeJS.ProcessEnv, file: string): Promise<string> {
  const secrets = readSigningSecrets(config.signing, env, file)
  const { key, published } = await usableKeys(secrets, file)
  const retired = published.length - (key === undefined ? 0 : 1)
  const made = secrets !== undefined && 'missingFile' in secrets.key ? `${secrets.key.missingFile} will be created at the first start` : `${key?.algorithm ?? ''} key ${key?.kid ?? ''}`
  return `${made}${retired > 0 ? `; ${retired} retired key${retired === 1 ? '' : 's'} published` : ''}`
}

function failed (check: string, err: unknown): CheckResult {
  if (err instanceof StartupError) return { check, ok: false, detail: err.message }
  return { check, ok: false, detail: `unexpected error: ${err instanceof Error ? err.message : String(err)}` }
}

/** One line per check, then a verdict. */
export function formatCheckReport (report: CheckReport): string {
  const width = Math.max(...report.checks.map((c) => c.check.length))
  const lines = report.checks.map((c) => `${c.ok ? 'ok  ' : 'FAIL'}  ${c.check.padEnd(width)}  ${c.detail}`)
  const problems = report.checks.filter((c) => !c.ok).length
  lines.push(problems === 0 ? `${report.config}: ok` : `${report.config}: ${problems} problem${problems === 1 ? '' : 's'}`)
  return `${lines.join('\n')}\n`
}
