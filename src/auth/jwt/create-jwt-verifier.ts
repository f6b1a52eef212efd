import type { JwtIssuerConfig } from '../../config/jwt-schema.ts'
import { createKeySource } from './key-source.ts'
import { JwtVerifier } from './jwt-verifier.ts'

export interface JwtSetup {
  readonly verifier: JwtVerifier
  /** Issuers whose keys came from `cpxd token dev-keys`. */
  readonly developmentIssuers: readonly string[]
}

export interface JwtSetupContext {
  readonly env: NodeJS.ProcessEnv
  readonly configFile: string
  readonly onRefreshError: (issuer: string, reason: string) => void
}

/** Loads every issuer's keys at start, so a missing file or secret stops start-up, not a request. */
export function createJwtVerifier (issuers: readonly JwtIssuerConfig[], context: JwtSetupContext): JwtSetup {
  const developmentIssuers: string[] = []
  const trusted = issuers.map((config, index) => {
    const source = createKeySource(config, {
      env: context.env,
      configFile: context.configFile,
      configPath: `auth.jwt[${index}]`,
      onRefreshError: (reason) => context.onRefreshError(config.issuer, reason)
    })
    if (source.development) developmentIssuers.push(config.issuer)
    return { config, key: source.key }
  })
  return { verifier: new JwtVerifier(trusted), developmentIssuers }
}
