import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { loadConfig, resolveConfigPath } from '../config/loader.ts'
import { readSecrets } from '../config/secrets.ts'
import { startServer } from '../start-server.ts'
import { EXIT_CONFIG_ERROR } from '../startup-error.ts'
import { auditFiles, auditKeyFor, checkpointAudit, queryAudit, verifyAudit } from './audit.ts'
import { formatCheckReport, runChecks } from './check.ts'
import { stringOption, UsageError, type Command, type CommandGroup, type OptionSpec, type ParsedArgs } from './command.ts'
import { checkEvidence } from './evidence.ts'
import { formatNewKey, newKey, newKeyWarnings } from './keys.ts'
import { signalReload } from './reload.ts'
import { algorithmOption, newSigningKey, rotateSigningKey } from './signing-keys.ts'
import { verifyTarget } from './verify.ts'
import { DEV_KEY_DIR, mintDevToken, writeDevKeys } from './token.ts'

const CONFIG: OptionSpec = { type: 'string', value: 'PATH', help: 'the config file (default: $CPXD_CONFIG, else config/cpxd.yaml)' }
const TIER: OptionSpec = { type: 'string', value: 'TIER', help: 'public, customer (default) or auditor' }
const KEY_TIER: OptionSpec = { type: 'string', value: 'TIER', help: 'public, customer (default), auditor, operator (metrics only), or publisher (POST /cpx only)' }
const KEY_FILE: OptionSpec = { type: 'string', value: 'PATH', help: 'the audit key (default: the one the config names)' }

/** `--config`, else $CPXD_CONFIG, else config/cpxd.yaml, as an absolute path. */
function configPathOf (args: ParsedArgs): string {
  return resolveConfigPath(stringOption(args, 'config'), process.env)
}

function configOf (args: ParsedArgs) {
  return loadConfig(configPathOf(args), process.env)
}

/** Writes to stdout, waiting when the pipe is full; `| head` closing it early ends the command quietly. */
async function writeOut (text: string): Promise<void> {
  if (!process.stdout.write(text)) await once(process.stdout, 'drain')
}

const serve: Command = {
  name: 'serve',
  summary: 'start the server',
  options: { config: CONFIG },
  run: async (args) => { await startServer(stringOption(args, 'config'), process.env) }
}

const check: Command = {
  name: 'check',
  summary: 'check everything start-up would refuse (config, secrets, TLS, audit key, posture, evidence); exit 2 naming each problem',
  options: { json: { type: 'boolean', help: 'one JSON object on stdout, for CI pipelines' }, config: CONFIG },
  run: async (args) => {
    const report = await runChecks(configPathOf(args), process.env)
    process.stdout.write(args.values.json === true ? `${JSON.stringify(report)}\n` : formatCheckReport(report))
    if (!report.ok) process.exitCode = EXIT_CONFIG_ERROR
  }
}

const reload: Command = {
  name: 'reload',
  summary: 'check the config, then make the running server reload it (SIGHUP through server.pid_file)',
  options: { config: CONFIG },
  run: async (args) => {
    const loaded = configOf(args)
    readSecrets(loaded.config, process.env, loaded.file)
    process.stdout.write(signalReload(loaded))
  }
}

const keysNew: Command = {
  name: 'keys new',
  summary: 'print a new API key once, with the config entry that holds its hash',
  options: {
    tier: KEY_TIER,
    tenants: { type: 'string', value: 'a,b', help: 'the tenants it may read; * for every tenant' },
    id: { type: 'string', value: 'ID', help: 'the key id in the config (default: tenant or tier, and random hex)' },
    config: { ...CONFIG, help: 'the config whose posture folder the tenants are checked against (default: $CPXD_CONFIG, else config/cpxd.yaml, when it exists)' }
  },
  run: async (args) => {
    const created = newKey({ tier: stringOption(args, 'tier'), tenants: stringOption(args, 'tenants'), id: stringOption(args, 'id') })
    const configFile = configPathOf(args)
    const postureDir = existsSync(configFile) ? loadConfig(configFile, process.env).config.posture_dir : undefined
    for (const warning of newKeyWarnings(created.entry, postureDir)) process.stderr.write(`cpxd: warning: ${warning}\n`)
    process.stdout.write(formatNewKey(created))
  }
}

function evidenceCommand (name: 'index' | 'verify', summary: string): Command {
  return {
    name: `evidence ${name}`,
    summary,
    options: { config: CONFIG },
    run: async (args) => {
      const { config } = configOf(args)
      const interactive = name === 'index' && process.stderr.isTTY
      const progress = name === 'index' ? (line: string) => process.stderr.write(interactive ? `\r${line}` : `${line}\n`) : undefined
      const report = await checkEvidence(config, progress, { fresh: name === 'verify' })
      if (interactive) process.stderr.write('\n')
      process.stdout.write(report.text)
      process.exitCode = report.exitCode
    }
  }
}

const tokenDevKeys: Command = {
  name: 'token dev-keys',
  summary: 'write a development ES256 key pair and its JWKS (never for production)',
  options: {
    dir: { type: 'string', value: 'DIR', help: `where to write them (default: <config folder>/${DEV_KEY_DIR})` },
    force: { type: 'boolean', help: 'replace keys already there (tokens minted with them stop working)' },
    config: CONFIG
  },
  run: async (args) => {
    const dir = stringOption(args, 'dir') ?? join(dirname(configPathOf(args)), DEV_KEY_DIR)
    const files = await writeDevKeys(dir, args.values.force === true)
    process.stdout.write(`Development JWT keys (kid ${files.kid}), never for production:\n  private key: ${files.privateKeyFile}\n  JWKS:        ${files.jwksFile}\n` +
      'Point an auth.jwt issuer at the JWKS with `jwks_file`, then mint tokens with `cpxd token mint`.\n')
  }
}

const tokenMint: Command = {
  name: 'token mint',
  summary: 'print a token signed with the development key (never for production)',
  options: {
    tenant: { type: 'string', value: 'a,b', help: 'the tenants it grants' },
    tenants: { type: 'string', value: 'a,b', help: 'the same as --tenant' },
    tier: TIER,
    ttl: { type: 'string', value: 'DURATION', help: 'how long it lives (default 15m)' },
    sub: { type: 'string', value: 'NAME', help: 'its subject (default dev-user)' },
    config: CONFIG
  },
  run: async (args) => {
    const { config } = configOf(args)
    const token = await mintDevToken(config, {
      tenants: stringOption(args, 'tenant') ?? stringOption(args, 'tenants'),
      tier: stringOption(args, 'tier'),
      ttl: stringOption(args, 'ttl'),
      sub: stringOption(args, 'sub')
    })
    process.stdout.write(`${token}\n`)
  }
}

async function filesOf (args: ParsedArgs): Promise<string[]> {
  return auditFiles(args.positionals, configPathOf(args), process.env)
}

function keyOf (args: ParsedArgs) {
  return auditKeyFor(stringOption(args, 'key-file'), configPathOf(args), process.env)
}

const auditVerify: Command = {
  name: 'audit verify',
  summary: 'check the audit chain; exit 1 naming the first line edited, inserted, deleted or moved',
  operands: '[FILE...]',
  operandHelp: 'audit files, plain or gzipped (default: the configured file and its rotated siblings); - reads stdin',
  options: { checkpoint: { type: 'string', value: 'JSON|FILE', help: 'a checkpoint from `cpxd audit checkpoint`, to catch lines cut off the end' }, 'key-file': KEY_FILE, config: CONFIG },
  run: async (args) => {
    const files = await filesOf(args)
    const result = await verifyAudit(files, keyOf(args), stringOption(args, 'checkpoint'))
    process.stdout.write(result.text)
    process.exitCode = result.exitCode
  }
}

const auditCheckpoint: Command = {
  name: 'audit checkpoint',
  summary: 'print the last seq and chain, to keep apart from the logs',
  operands: '[FILE...]',
  options: { 'key-file': KEY_FILE, config: CONFIG },
  run: async (args) => {
    const files = await filesOf(args)
    const result = await checkpointAudit(files, keyOf(args))
    ;(result.exitCode === 0 ? process.stdout : process.stderr).write(result.text)
    process.exitCode = result.exitCode
  }
}

const auditQuery: Command = {
  name: 'audit query',
  summary: 'print matching lines (plain or gzipped files, or - for stdin) as JSON lines or a table',
  operands: '[FILE...]',
  options: {
    tenant: { type: 'string', value: 'T', help: 'lines about this tenant' },
    principal: { type: 'string', value: 'ID', help: 'an id, or kind:id; evidence downloads count for whom the link was made' },
    event: { type: 'string', value: 'E,..', help: 'these events' },
    status: { type: 'string', value: '403,5xx', help: 'these statuses or classes' },
    ip: { type: 'string', value: 'IP', help: 'this client address' },
    since: { type: 'string', value: '24h|ISO', help: 'from this long ago, or this instant' },
    until: { type: 'string', value: 'ISO', help: 'before this instant' },
    table: { type: 'boolean', help: 'a table instead of JSON lines' },
    config: CONFIG
  },
  run: async (args) => {
    const files = await filesOf(args)
    process.stdout.on('error', (err: NodeJS.ErrnoException) => { if (err.code === 'EPIPE') process.exit(0) })
    const filters = Object.fromEntries(['tenant', 'principal', 'event', 'status', 'ip', 'since', 'until'].map((name) => [name, stringOption(args, name)]))
    await queryAudit(files, filters, args.values.table === true, writeOut)
  }
}

const verify: Command = {
  name: 'verify',
  summary: 'check a signed answer (a URL) or a saved JWS (a file): signature, digest, validity; exit 1 naming each failure',
  operands: '<URL|FILE>',
  operandHelp: 'an answer to fetch (the signed JWS is asked for unless the URL names a format), or a file holding a JWS saved with ?format=jws',
  options: {
    jwks: { type: 'string', value: 'FILE', help: 'the keys to trust (default: the issuer\'s /.well-known/jwks.json)' },
    evidence: { type: 'boolean', help: 'also download every evidence link and check its sha256 and size' },
    at: { type: 'string', value: 'TIME', help: 'check the validity window at this RFC 3339 time instead of now' },
    'api-key-env': { type: 'string', value: 'VAR', help: 'send the API key held in this environment variable' },
    'token-env': { type: 'string', value: 'VAR', help: 'send the bearer token held in this environment variable' }
  },
  run: async (args) => {
    const [target, extra] = args.positionals
    if (target === undefined || extra !== undefined) throw new UsageError('give one URL or file to verify')
    const report = await verifyTarget({
      target,
      jwksFile: stringOption(args, 'jwks'),
      evidence: args.values.evidence === true,
      at: stringOption(args, 'at'),
      apiKeyEnv: stringOption(args, 'api-key-env'),
      tokenEnv: stringOption(args, 'token-env')
    }, process.env)
    process.stdout.write(report.text)
    process.exitCode = report.exitCode
  }
}

const ALGORITHM: OptionSpec = { type: 'string', value: 'ALG', help: 'ed25519 (default) or es256' }

const signingKeysNew: Command = {
  name: 'signing keys new',
  summary: 'write a new signing key (0600) where the config keeps it, or to --out; never over an existing one',
  options: { algorithm: ALGORITHM, out: { type: 'string', value: 'FILE', help: 'write it here instead' }, config: CONFIG },
  run: async (args) => {
    const out = stringOption(args, 'out')
    const loaded = out !== undefined && !existsSync(configPathOf(args)) ? undefined : configOf(args)
    process.stdout.write(await newSigningKey(loaded, out, algorithmOption(stringOption(args, 'algorithm'), loaded?.config.signing.algorithm ?? 'ed25519')))
  }
}

const signingKeysRotate: Command = {
  name: 'signing keys rotate',
  summary: 'replace the signing key, keep the old public key as a retired one, and print what to change',
  options: { algorithm: { ...ALGORITHM, help: 'ed25519 or es256 (default: the old key\'s)' }, config: CONFIG },
  run: async (args) => {
    const algorithm = stringOption(args, 'algorithm')
    const loaded = configOf(args)
    process.stdout.write(await rotateSigningKey(loaded, algorithm === undefined ? undefined : algorithmOption(algorithm, 'ed25519')))
  }
}

/** Every command, in the order `cpxd --help` lists them. */
export const COMMANDS: ReadonlyArray<Command | CommandGroup> = [
  serve,
  check,
  reload,
  verify,
  { name: 'keys', summary: 'API keys', commands: [keysNew] },
  { name: 'signing', summary: 'the key answers are signed with', commands: [signingKeysNew, signingKeysRotate] },
  {
    name: 'evidence',
    summary: 'evidence hashes',
    commands: [
      evidenceCommand('index', 'hash every evidence item ahead of time (fills the hash cache)'),
      evidenceCommand('verify', 'hash and check every evidence item; exit 1 naming any that fails')
    ]
  },
  { name: 'token', summary: 'development JWTs', commands: [tokenDevKeys, tokenMint] },
  { name: 'audit', summary: 'the audit log', commands: [auditVerify, auditCheckpoint, auditQuery] }
]
