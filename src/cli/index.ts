#!/usr/bin/env node
import { once } from 'node:events'
import { dirname, join } from 'node:path'
import { parseArgs } from 'node:util'
import { loadConfig, resolveConfigPath } from '../config/loader.ts'
import { readSecrets } from '../config/secrets.ts'
import { loadPostureDir } from '../posture/loader.ts'
import { exitOnStartupError, startServer } from '../start-server.ts'
import { EXIT_CONFIG_ERROR } from '../startup-error.ts'
import { auditFiles, auditKeyFor, checkpointAudit, queryAudit, verifyAudit } from './audit.ts'
import { checkEvidence } from './evidence.ts'
import { formatNewKey, newKey } from './keys.ts'
import { DEV_KEY_DIR, mintDevToken, writeDevKeys } from './token.ts'
import { UsageError } from './usage-error.ts'

const USAGE = `usage: cpxd <command> [options]

commands:
  serve [--config PATH]                  start the server (default config: config/cpxd.yaml or $CPXD_CONFIG)
  check [--config PATH]                  validate the config and every posture file, then exit
  keys new [--tier T] [--tenants a,b] [--id ID]
                                         print a new API key once, with the config entry holding its hash
  evidence index [--config PATH]         hash every evidence item ahead of time (fills the hash cache)
  evidence verify [--config PATH]        hash and check every evidence item; exit 1 naming any that fails
  token dev-keys [--dir DIR]             write a development ES256 key pair and JWKS (default: <config folder>/dev-jwt)
  token mint [--tenant a,b] [--tier T] [--ttl 15m] [--sub NAME]
                                         print a token signed with the development key (never for production)
  audit verify [FILE...] [--checkpoint JSON|FILE] [--key-file PATH]
                                         check the audit chain (default: the configured audit file and its
                                         rotated siblings); exit 1 naming the first line edited, inserted,
                                         deleted or moved
  audit checkpoint [FILE...] [--key-file PATH]
                                         print the last seq and chain, to keep apart from the logs
  audit query [FILE...] [--tenant T] [--principal ID] [--event E,..] [--status 403,5xx] [--ip IP]
              [--since 24h|ISO] [--until ISO] [--table]
                                         print matching lines (plain or gzipped files, or - for stdin)
                                         as JSON lines or a table
`

async function main (argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      tier: { type: 'string' },
      tenants: { type: 'string' },
      id: { type: 'string' },
      tenant: { type: 'string' },
      ttl: { type: 'string' },
      sub: { type: 'string' },
      dir: { type: 'string' },
      'key-file': { type: 'string' },
      checkpoint: { type: 'string' },
      principal: { type: 'string' },
      event: { type: 'string' },
      status: { type: 'string' },
      ip: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      table: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' }
    }
  })
  const [command, sub] = positionals
  if (values.help === true || command === undefined) {
    process.stdout.write(USAGE)
    return
  }
  if (command === 'serve') {
    await startServer(values.config, process.env)
    return
  }
  if (command === 'check') {
    const { file, config } = loadConfig(resolveConfigPath(values.config, process.env), process.env)
    // Whatever start-up would refuse about a secret or key file, check refuses too.
    readSecrets(config, process.env, file)
    const postures = loadPostureDir(config.posture_dir)
    process.stdout.write(`${file}: ok (${postures.size} posture file${postures.size === 1 ? '' : 's'})\n`)
    return
  }
  if (command === 'keys' && sub === 'new') {
    process.stdout.write(formatNewKey(newKey({ tier: values.tier, tenants: values.tenants, id: values.id })))
    return
  }
  if (command === 'evidence' && (sub === 'index' || sub === 'verify')) {
    const { config } = loadConfig(resolveConfigPath(values.config, process.env), process.env)
    const interactive = sub === 'index' && process.stderr.isTTY
    const report = await checkEvidence(config, sub === 'index'
      ? (line) => process.stderr.write(interactive ? `\r${line}` : `${line}\n`)
      : undefined)
    if (interactive) process.stderr.write('\n')
    process.stdout.write(report.text)
    process.exitCode = report.exitCode
    return
  }
  if (command === 'token' && sub === 'dev-keys') {
    const dir = values.dir ?? join(dirname(resolveConfigPath(values.config, process.env)), DEV_KEY_DIR)
    const files = await writeDevKeys(dir)
    process.stdout.write(`Development JWT keys (kid ${files.kid}), never for production:\n  private key: ${files.privateKeyFile}\n  JWKS:        ${files.jwksFile}\n` +
      'Point an auth.jwt issuer at the JWKS with `jwks_file`, then mint tokens with `cpxd token mint`.\n')
    return
  }
  if (command === 'token' && sub === 'mint') {
    const { config } = loadConfig(resolveConfigPath(values.config, process.env), process.env)
    process.stdout.write(`${await mintDevToken(config, { tenants: values.tenant ?? values.tenants, tier: values.tier, ttl: values.ttl, sub: values.sub })}\n`)
    return
  }
  if (command === 'audit' && (sub === 'verify' || sub === 'checkpoint' || sub === 'query')) {
    const configFile = resolveConfigPath(values.config, process.env)
    const files = await auditFiles(positionals.slice(2), configFile, process.env)
    if (sub === 'query') {
      const { tenant, principal, event, status, ip, since, until } = values
      // `| head` closes the pipe early: that ends the query, it is not an error.
      process.stdout.on('error', (err: NodeJS.ErrnoException) => { if (err.code === 'EPIPE') process.exit(0) })
      const write = async (text: string): Promise<void> => { if (!process.stdout.write(text)) await once(process.stdout, 'drain') }
      await queryAudit(files, { tenant, principal, event, status, ip, since, until }, values.table === true, write)
      return
    }
    const key = auditKeyFor(values['key-file'], configFile, process.env)
    const result = sub === 'verify' ? await verifyAudit(files, key, values.checkpoint) : await checkpointAudit(files, key)
    ;(sub === 'checkpoint' && result.exitCode !== 0 ? process.stderr : process.stdout).write(result.text)
    process.exitCode = result.exitCode
    return
  }
  throw new UsageError(`unknown command "${positionals.join(' ')}"`)
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true) {
    process.stderr.write(`cpxd: ${(err as Error).message}\n\n${USAGE}`)
    process.exit(EXIT_CONFIG_ERROR)
  }
  exitOnStartupError(err)
})
