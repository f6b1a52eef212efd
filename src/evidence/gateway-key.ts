import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { CpxdConfig } from '../config/schema.ts'
import { StartupError } from '../startup-error.ts'

const MIN_KEY_BYTES = 32

export interface GatewayKey {
  readonly key: Buffer
  /** Made up at start: links stop working at restart and differ between replicas. */
  readonly ephemeral: boolean
}

export function loadGatewayKey (config: CpxdConfig, env: NodeJS.ProcessEnv, configFile: string): GatewayKey {
  const { gateway_key_env: name, gateway_key_file: file } = config.evidence
  if (name === undefined && file === undefined) return { key: randomBytes(32), ephemeral: true }
  const where = name !== undefined ? 'evidence.gateway_key_env' : 'evidence.gateway_key_file'
  let value: string | undefined
  try {
    value = name !== undefined ? env[name] : readFileSync(file as string, 'utf8').replace(/\r?\n$/, '')
  } catch {
    throw new StartupError(configFile, where, `${file} cannot be read`)
  }
  if (value === undefined || Buffer.byteLength(value) < MIN_KEY_BYTES) {
    throw new StartupError(configFile, where, `the gateway key must be set and at least ${MIN_KEY_BYTES} bytes`)
  }
  return { key: Buffer.from(value), ephemeral: false }
}
