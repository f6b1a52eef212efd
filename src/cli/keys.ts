import { stringify } from 'yaml'
import { generateApiKey, hashApiKey } from '../auth/api-keys.ts'
import { TIERS, type Tier } from '../domain/tier.ts'
import { TENANT_ID_PATTERN } from '../domain/tenant-id.ts'
import { UsageError } from './usage-error.ts'

export interface NewKeyOptions {
  readonly tier: string | undefined
  readonly tenants: string | undefined
  readonly id: string | undefined
}

export interface NewKey {
  readonly key: string
  readonly entry: { id: string, hash: string, tier: Tier, tenants: string[] }
}

/** Makes a key and the config entry that holds its hash; the key itself is shown once only. */
export function newKey (opts: NewKeyOptions): NewKey {
  const tier = opts.tier ?? 'customer'
  if (!(TIERS as readonly string[]).includes(tier)) throw new UsageError(`--tier must be one of ${TIERS.join(', ')}`)
  const tenants = (opts.tenants ?? '').split(',').map((t) => t.trim()).filter((t) => t !== '')
  for (const tenant of tenants) {
    if (tenant !== '*' && !TENANT_ID_PATTERN.test(tenant)) throw new UsageError(`--tenants: "${tenant}" is not a tenant id`)
  }
  const key = generateApiKey()
  const id = opts.id ?? `${tenants[0] === undefined || tenants[0] === '*' ? tier : tenants[0]}-${key.slice(-6).toLowerCase().replace(/[^a-z0-9]/g, 'x')}`
  if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(id)) throw new UsageError('--id must match ^[a-z0-9][a-z0-9_-]{0,63}$')
  return { key, entry: { id, hash: hashApiKey(key), tier: tier as Tier, tenants } }
}

export function formatNewKey ({ key, entry }: NewKey): string {
  return [
    'New API key (shown once; cpxd stores only its hash):',
    '',
    `  ${key}`,
    '',
    'Add this entry under auth.api_keys in your config:',
    '',
    stringify([entry]).trimEnd().split('\n').map((line) => `  ${line}`).join('\n'),
    ''
  ].join('\n')
}
