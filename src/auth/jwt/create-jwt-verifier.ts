import type { JwtIssuerConfig } from '../../config/jwt-schema.ts'
import type { JwtKeyMaterial } from '../../config/secrets.ts'
import { createKeySource } from './key-source.ts'
import { JwtVerifier } from './jwt-verifier.ts'

export interface JwtSetup {
  readonly verifier: JwtVerifier
  /** Issuers whose keys came from `cpxd token dev-keys`. */
  readonly developmentIssuers: readonly string[]
}

export interface JwtSetupContext {
  readonly configFile: string
  readonly onRefreshError: (issuer: string, reason: string) => void
  readonly onRefreshed?: (issuer: string) => void
}

/**
 * Sets up every issuer's keys from the material read with the config (`keys[i]` is issuer `i`'s),
 * so a bad key file stops start-up, not a request.
 */
export function createJwtVerifier (issuers: readonly JwtIssuerConfig[], keys: readonly JwtKeyMaterial[], context: JwtSetupContext): JwtSetup {
  const developmentIssuers: string[] = []
  const trusted = issuers.map((config, index) => {
    const source = createKeySource(config, keys[index] as JwtKeyMaterial, {
      configFile: context.configFile,
      configPath: `auth.jwt[${index}]`,
      onRefreshError: (reason) => context.onRefreshError(config.issuer, reason),
      onRefreshed: () => context.onRefreshed?.(config.issuer)
    })
    if (source.development) developmentIssuers.push(config.issuer)
    return { config, key: source.key }
  })
  return { verifier: new JwtVerifier(trusted), developmentIssuers }
}
