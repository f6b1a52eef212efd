import { dirname, isAbsolute, resolve } from 'node:path'
import { StartupError } from '../startup-error.ts'
import { configSchema, type CpxdConfig } from './schema.ts'
import type { ZodError } from 'zod'
import { readSourceFile, toStartupError, type SourceFile } from './source-file.ts'

export const DEFAULT_CONFIG_PATH = 'config/cpxd.yaml'

/** A validated config, with every relative path already resolved against the config's folder. */
export interface LoadedConfig {
  readonly file: string
  readonly config: CpxdConfig
}

/** Environment variables that may override a key, for containers that cannot edit the file. */
const ENV_OVERRIDES = [
  { name: 'CPXD_HOST', path: ['server', 'host'], parse: (v: string) => v },
  { name: 'CPXD_PORT', path: ['server', 'port'], parse: (v: string) => (/^\d+$/.test(v) ? Number(v) : v) },
  { name: 'CPXD_LOG_LEVEL', path: ['log', 'level'], parse: (v: string) => v },
  { name: 'CPXD_AUDIT_FILE', path: ['audit', 'file'], parse: (v: string) => v },
  { name: 'CPXD_AUDIT_KEY_FILE', path: ['audit', 'key_file'], parse: (v: string) => v },
  { name: 'CPXD_EVIDENCE_CACHE_DIR', path: ['evidence', 'cache_dir'], parse: (v: string) => v },
  { name: 'CPXD_SIGNING_KEY_FILE', path: ['signing', 'key_file'], parse: (v: string) => v }
] as const

export function resolveConfigPath (explicit: string | undefined, env: NodeJS.ProcessEnv): string {
  return resolve(explicit ?? env.CPXD_CONFIG ?? DEFAULT_CONFIG_PATH)
}

export function loadConfig (file: string, env: NodeJS.ProcessEnv = {}): LoadedConfig {
  const source = readSourceFile(file)
  if (source.data !== null && source.data !== undefined && (typeof source.data !== 'object' || Array.isArray(source.data))) {
    throw new StartupError(file, '(root)', 'must be a mapping of keys to values')
  }
  const raw = structuredClone((source.data ?? {}) as Record<string, unknown>)
  const overridden = ENV_OVERRIDES.filter((override) => env[override.name] !== undefined && env[override.name] !== '')
  for (const override of overridden) setIn(raw, override.path, override.parse(env[override.name] as string))
  const result = configSchema.safeParse(raw)
  if (!result.success) throw fromEnvOrFile(result.error, source, overridden)
  return { file, config: withPathsFrom(dirname(file), result.data) }
}

function setIn (target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target
  for (const key of path.slice(0, -1)) {
    const next = node[key]
    if (typeof next !== 'object' || next === null) node[key] = {}
    node = node[key] as Record<string, unknown>
  }
  node[path[path.length - 1] as string] = value
}

/** An env override that fails validation is named as the env var, not as a line of the file. */
function fromEnvOrFile (error: ZodError, source: SourceFile, overridden: ReadonlyArray<typeof ENV_OVERRIDES[number]>): StartupError {
  const issue = error.issues[0]
  const joined = issue?.path.join('.')
  const override = overridden.find((o) => o.path.join('.') === joined)
  if (issue !== undefined && override !== undefined) {
    return new StartupError(source.file, joined ?? '', `${issue.message} (from environment variable ${override.name})`)
  }
  return toStartupError(source, error)
}

/** Every relative path in the config, resolved against the config file's folder. */
function withPathsFrom (base: string, config: CpxdConfig): CpxdConfig {
  return {
    ...config,
    posture_dir: resolveFrom(base, config.posture_dir),
    posture: { ...config.posture, store: { ...config.posture.store, history_dir: resolveFrom(base, config.posture.store.history_dir) } },
    server: {
      ...config.server,
      pid_file: optionalFrom(base, config.server.pid_file),
      tls: config.server.tls === undefined
        ? undefined
        : { cert_file: resolveFrom(base, config.server.tls.cert_file), key_file: resolveFrom(base, config.server.tls.key_file) }
    },
    audit: {
      ...config.audit,
      file: config.audit.file === '-' ? '-' : resolveFrom(base, config.audit.file),
      key_file: optionalFrom(base, config.audit.key_file)
    },
    evidence: {
      ...config.evidence,
      local_root: resolveFrom(base, config.evidence.local_root),
      cache_dir: resolveFrom(base, config.evidence.cache_dir),
      gateway_key_file: optionalFrom(base, config.evidence.gateway_key_file),
      gcs: config.evidence.gcs === undefined
        ? undefined
        : { ...config.evidence.gcs, service_account_file: optionalFrom(base, config.evidence.gcs.service_account_file) }
    },
    trust_page: { ...config.trust_page, logo_file: optionalFrom(base, config.trust_page.logo_file) },
    signing: {
      ...config.signing,
      key_file: optionalFrom(base, config.signing.key_file),
      retired_keys: config.signing.retired_keys.map((file) => resolveFrom(base, file))
    },
    auth: {
      ...config.auth,
      jwt: config.auth.jwt?.map((entry) => ({
        ...entry,
        jwks_file: optionalFrom(base, entry.jwks_file),
        public_key_file: optionalFrom(base, entry.public_key_file),
        secret_file: optionalFrom(base, entry.secret_file)
      }))
    }
  }
}

function optionalFrom (base: string, path: string | undefined): string | undefined {
  return path === undefined ? undefined : resolveFrom(base, path)
}

function resolveFrom (base: string, path: string): string {
  return isAbsolute(path) ? path : resolve(base, path)
}
