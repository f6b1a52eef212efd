import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { generateApiKey, hashApiKey } from '../auth/api-keys.ts'
import type { PrincipalTier } from '../domain/tier.ts'
import { POSTURE_EXTENSIONS } from '../posture/loader.ts'
import { UsageError } from './command.ts'
import { keyTierOption, tenantsOption } from './options.ts'

export interface NewKeyOptions {
  readonly tier: string | undefined
  readonly tenants: string | undefined
  readonly id: string | undefined
}

export interface NewKey {
  readonly key: string
  readonly entry: { id: string, hash: string, tier: PrincipalTier, tenants: string[] }
}

/**
 * Makes a key and the config entry that holds its hash; the key itself is shown once only. The
 * id is random: taking it from the key would put part of the key in the config.
 */
export function newKey (opts: NewKeyOptions): NewKey {
  const tier = keyTierOption(opts.tier)
  const tenants = tenantsOption('--tenants', opts.tenants, true)
  const key = generateApiKey()
  const id = opts.id ?? `${tenants[0] === undefined || tenants[0] === '*' ? tier : tenants[0]}-${randomBytes(3).toString('hex')}`
  if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(id)) throw new UsageError('--id must match ^[a-z0-9][a-z0-9_-]{0,63}$')
  return { key, entry: { id, hash: hashApiKey(key), tier, tenants } }
}

/** Where a pasted entry goes: under `auth:` / `  api_keys:`, as in config/cpxd.yaml. */
const ENTRY_INDENT = '    '

export function formatNewKey ({ key, entry }: NewKey): string {
  return [
    'New API key (shown once; cpxd stores only its hash):',
    '',
    `  ${key}`,
    '',
    'Add this entry to auth.api_keys in your config, indented as printed (as in config/cpxd.yaml):',
    '',
    `${ENTRY_INDENT}- id: ${entry.id}`,
    `${ENTRY_INDENT}  hash: ${entry.hash}`,
    `${ENTRY_INDENT}  tier: ${entry.tier}`,
    `${ENTRY_INDENT}  tenants: [${entry.tenants.map((t) => (t === '*' ? '"*"' : t)).join(', ')}]`,
    '',
    'Then reload the server: npx cpxd reload (or send it SIGHUP).',
    ''
  ].join('\n')
}

/** What a new key will not be able to read, said before it is handed to someone. */
export function newKeyWarnings (entry: NewKey['entry'], postureDir: string | undefined): string[] {
  if (entry.tier === 'operator') return []
  if (entry.tenants.length === 0) return ['this key names no tenant, so it reads only /cpx; give --tenants a,b (or "*")']
  if (postureDir === undefined) return []
  return entry.tenants
    .filter((tenant) => tenant !== '*' && ![...POSTURE_EXTENSIONS].some((extension) => existsSync(join(postureDir, `${tenant}${extension}`))))
    .map((tenant) => `no posture file for tenant "${tenant}" in ${postureDir}: this key gets 404 for it until there is one`)
}
