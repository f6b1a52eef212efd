import { mkdirSync, readFileSync } from 'node:fs'
import { dirname } from 'node:path'
import type { FastifyBaseLogger } from 'fastify'
import fp from 'fastify-plugin'
import type { CpxdConfig } from '../../config/schema.ts'
import type { KeyText, SigningSecrets } from '../../config/secrets.ts'
import { createFileOnce } from '../../fs/atomic-write.ts'
import { publicUrl } from '../../http/public-url.ts'
import { AnswerSigner } from '../../signing/answer-signer.ts'
import { generateSigningKeyText, parsePublicKey, parseSigningKey, SigningKeyError, type PublishedKey, type SigningAlgorithm, type SigningKey } from '../../signing/signing-key.ts'
import { StartupError } from '../../startup-error.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** Signs posture answers; undefined when `signing.enabled` is false. */
    answerSigner: AnswerSigner | undefined
    /** What /.well-known/jwks.json publishes: the signing key's public part, then each retired key. */
    publishedKeys: readonly PublishedKey[]
    /** The issuer answers are signed as (`iss`): where clients reach cpxd. */
    issuer: () => string
  }
}

export interface SigningOptions {
  readonly signing: CpxdConfig['signing']
  readonly server: CpxdConfig['server']
  readonly secrets: SigningSecrets | undefined
  readonly configFile: string
}

interface SigningState {
  readonly signer: AnswerSigner | undefined
  readonly keys: readonly PublishedKey[]
}

/**
 * The signing key and the keys published beside it, reloadable as one: a new key file, a retired
 * key added or removed, all take effect at a reload, and a key that cannot be used fails it.
 */
export default fp<SigningOptions>(async function signing (app, opts) {
  const issuer = (): string => publicUrl(app, state.server)
  let state = { server: opts.server, ...await setUp(app.log, opts, issuer) }
  app.onConfigReload('signing', async ({ config, secrets, file }) => {
    const next = { server: config.server, ...await setUp(app.log, { signing: config.signing, server: config.server, secrets: secrets.signing, configFile: file }, issuer) }
    return () => { state = next }
  })
  app.decorate('answerSigner', { getter: () => state.signer })
  app.decorate('publishedKeys', { getter: () => state.keys })
  app.decorate('issuer', issuer)
}, { name: 'signing', dependencies: ['config-reload'] })

async function setUp (log: FastifyBaseLogger, opts: SigningOptions, issuer: () => string): Promise<SigningState> {
  const { secrets, configFile } = opts
  if (secrets === undefined) return { signer: undefined, keys: (await usableKeys(undefined, configFile)).published }
  const made = 'missingFile' in secrets.key ? createKeyFile(secrets.key.missingFile, opts.signing.algorithm, configFile) : undefined
  const { key, published } = await usableKeys(made === undefined ? secrets : { ...secrets, key: made.key }, configFile)
  if (key === undefined) throw new Error('unreachable: the key file was just made')
  if (made?.created === true) log.info({ kid: key.kid, file: made.file }, 'signing key created; keep a copy: documents it signs verify only while its public key is published')
  return { signer: new AnswerSigner(key, Math.floor(opts.signing.validity / 1000), issuer), keys: published }
}

/**
 * The signing key (unless its file is still to be made) and every key to publish, each retired
 * key once; a key that cannot be used is a StartupError naming where the config names it.
 */
export async function usableKeys (secrets: SigningSecrets | undefined, configFile: string): Promise<{ key: SigningKey | undefined, published: PublishedKey[] }> {
  const retired = await Promise.all((secrets?.retired ?? []).map((key) => usable(key, configFile, parsePublicKey)))
  const key = secrets === undefined || 'missingFile' in secrets.key ? undefined : await usable(secrets.key, configFile, parseSigningKey)
  return { key, published: unique(key === undefined ? retired : [key, ...retired]) }
}

async function usable<T> (key: KeyText, configFile: string, parse: (text: string) => Promise<T>): Promise<T> {
  try {
    return await parse(key.text)
  } catch (err) {
    if (err instanceof SigningKeyError) throw new StartupError(configFile, key.configPath, `the key ${err.message}`)
    throw err
  }
}

/** Made on the first start (0600, whole or not at all); a process that loses the race uses the winner's. */
function createKeyFile (file: string, algorithm: SigningAlgorithm, configFile: string): { key: KeyText, created: boolean, file: string } {
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
    const created = createFileOnce(file, generateSigningKeyText(algorithm), 0o600)
    return { key: { text: readFileSync(file, 'utf8'), configPath: 'signing.key_file' }, created, file }
  } catch (err) {
    throw new StartupError(configFile, 'signing.key_file', `${file} cannot be created: ${(err as NodeJS.ErrnoException).code ?? 'error'}`)
  }
}

/** A retired key listed twice, or the current key listed as retired, is published once. */
function unique (keys: readonly PublishedKey[]): PublishedKey[] {
  const seen = new Set<string>()
  return keys.filter((key) => !seen.has(key.kid) && seen.add(key.kid) !== undefined)
}
