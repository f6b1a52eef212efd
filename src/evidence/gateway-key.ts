import { randomBytes } from 'node:crypto'
import { readNamedSecret } from '../config/named-secret.ts'
import type { CpxdConfig } from '../config/schema.ts'

/**
 * The key that signs gateway links: the configured one, or a random one made at start (links
 * then stop working at restart and differ between replicas; docs/evidence.md says so).
 */
export function loadGatewayKey (config: CpxdConfig, env: NodeJS.ProcessEnv, configFile: string): Buffer {
  const { gateway_key_env: name, gateway_key_file: file } = config.evidence
  if (name === undefined && file === undefined) return randomBytes(32)
  return readNamedSecret({ env: name, file, configPath: 'evidence', envKey: 'gateway_key_env', fileKey: 'gateway_key_file' }, env, configFile)
}
