#!/usr/bin/env node
import { parseArgs } from 'node:util'
import { loadConfig, resolveConfigPath } from '../config/loader.ts'
import { loadPostureDir } from '../posture/loader.ts'
import { exitOnStartupError, startServer } from '../server.ts'
import { EXIT_CONFIG_ERROR } from '../startup-error.ts'
import { formatNewKey, newKey } from './keys.ts'
import { UsageError } from './usage-error.ts'

const USAGE = `usage: cpxd <command> [options]

commands:
  serve [--config PATH]                  start the server (default config: config/cpxd.yaml or $CPXD_CONFIG)
  check [--config PATH]                  validate the config and every posture file, then exit
  keys new [--tier T] [--tenants a,b] [--id ID]
                                         print a new API key once, with the config entry holding its hash
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
    const postures = loadPostureDir(config.posture_dir)
    process.stdout.write(`${file}: ok (${postures.size} posture file${postures.size === 1 ? '' : 's'})\n`)
    return
  }
  if (command === 'keys' && sub === 'new') {
    process.stdout.write(formatNewKey(newKey({ tier: values.tier, tenants: values.tenants, id: values.id })))
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
