import { stringify } from 'yaml'
import { generateApiKey, hashApiKey } from '../auth/api-keys.ts'
import type { Tier } from '../domain/tier.ts'
import { UsageError } from './command.ts'
import { tenantsOption, tierOption } from './options.ts'

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
  const tier = tierOption(opts.tier)
  const tenants = tenantsOption('--tenants', opts.tenants, true)
  const key = generateApiKey()
  const id = opts.id ?? `${tenants[0] === undefined || tenants[0] === '*' ? tier : tenants[0]}-${key.slice(-6).toLowerCase().replace(/[^a-z0-9]/g, 'x')}`
  if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(id)) throw new UsageError('--id must match ^[a-z0-9][a-z0-9_-]{0,63}$')
  return { key, entry: { id, hash: hashApiKey(key), tier, tenants } }
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
