import { mkdirSync, readFileSync } from 'node:fs'
import { basename, dirname, join, relative } from 'node:path'
import type { LoadedConfig } from '../config/loader.ts'
import { defaultSigningKeyFile } from '../config/secrets.ts'
import { createFileOnce, writeFileAtomic } from '../fs/atomic-write.ts'
import { isoSeconds } from '../signing/verify.ts'
import { generateSigningKeyText, parseSigningKey, SIGNING_ALGORITHMS, type SigningAlgorithm } from '../signing/signing-key.ts'
import { UsageError } from './command.ts'

export function algorithmOption (value: string | undefined, fallback: SigningAlgorithm): SigningAlgorithm {
  if (value === undefined) return fallback
  if (!(SIGNING_ALGORITHMS as readonly string[]).includes(value)) throw new UsageError(`--algorithm must be ${SIGNING_ALGORITHMS.join(' or ')}`)
  return value as SigningAlgorithm
}

/** The file the config signs with; a key held in a variable is the operator's to replace. */
function keyFileOf ({ config, file }: LoadedConfig): string {
  if (config.signing.key_env !== undefined) {
    throw new UsageError(`signing.key_env is set in ${file}: cpxd cannot replace a key it reads from ${config.signing.key_env}; write one with --out FILE and put its content there`)
  }
  return config.signing.key_file ?? defaultSigningKeyFile(file)
}

/**
 * `cpxd signing keys new`: a private key in a file that must not exist yet (0600): `out`, else
 * where the config keeps it (a config is needed only then).
 */
export async function newSigningKey (loaded: LoadedConfig | undefined, out: string | undefined, algorithm: SigningAlgorithm): Promise<string> {
  if (out === undefined && loaded === undefined) throw new UsageError('no config file to find the key file in: give --config, or --out FILE')
  const file = out ?? keyFileOf(loaded as LoadedConfig)
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
  const text = generateSigningKeyText(algorithm)
  if (!createFileOnce(file, text, 0o600)) throw new UsageError(`${file} already exists; \`cpxd signing keys rotate\` replaces a key and keeps the old one published`)
  const key = await parseSigningKey(text)
  const lines = [`New ${algorithm} signing key ${key.kid} in ${file} (mode 0600).`]
  if (out !== undefined) lines.push('Point the config at it:', '  signing:', `    key_file: ${loaded === undefined ? file : relativeTo(loaded.file, file)}`)
  lines.push('A running server takes it at `npx cpxd reload` (or a restart).')
  return `${lines.join('\n')}\n`
}

/**
 * `cpxd signing keys rotate`: the old key's public half is kept as a file of its own first, then
 * a new key replaces the old one atomically, so a crash between the two loses nothing.
 */
export async function rotateSigningKey (loaded: LoadedConfig, algorithm: SigningAlgorithm | undefined): Promise<string> {
  const file = keyFileOf(loaded)
  let oldText: string
  try {
    oldText = readFileSync(file, 'utf8')
  } catch {
    throw new UsageError(`${file} does not exist yet: \`cpxd signing keys new\` makes the first key`)
  }
  const old = await parseSigningKey(oldText)
  const retiredFile = join(dirname(file), `${basename(file).replace(/\.[^.]*$/, '')}.${old.kid}.pub.jwk`)
  createFileOnce(retiredFile, `${JSON.stringify(old.jwk)}\n`, 0o644)
  const text = generateSigningKeyText(algorithm ?? old.algorithm)
  writeFileAtomic(file, text, 0o600)
  const key = await parseSigningKey(text)
  const until = isoSeconds(Math.floor((Date.now() + loaded.config.signing.validity) / 1000))
  const listed = loaded.config.signing.retired_keys
  return [
    `New ${key.algorithm} signing key ${key.kid} in ${file}.`,
    `The old key ${old.kid} is retired; its public key is in ${retiredFile}.`,
    'Publish it beside the new one, in the config:',
    '  signing:',
    '    retired_keys:',
    ...listed.map((retired) => `      - ${relativeTo(loaded.file, retired)}`),
    `      - ${relativeTo(loaded.file, retiredFile)}`,
    `then run \`npx cpxd reload\` (or restart). Keep it listed at least until ${until}, when the last answer it signed expires;`,
    'longer if customers keep signed documents to verify later.',
    ''
  ].join('\n')
}

function relativeTo (configFile: string, file: string): string {
  const path = relative(dirname(configFile), file)
  return path.startsWith('..') ? file : path
}
