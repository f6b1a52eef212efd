import { describe, expect, it } from 'vitest'
import { runEntry } from '../helpers/process.ts'

const cpxd = (...args: string[]) => runEntry('cli/index.js', args)

describe('the cpxd command', () => {
  it('lists every command with --help, and with no command at all', () => {
    for (const result of [cpxd('--help'), cpxd()]) {
      expect(result.status).toBe(0)
      expect(result.stdout).toMatch(/^usage: cpxd <command> \[options\]\n/)
      for (const name of ['serve', 'check', 'reload', 'keys new', 'evidence index', 'evidence verify', 'token dev-keys', 'token mint', 'audit verify', 'audit checkpoint', 'audit query']) {
        expect(result.stdout).toMatch(new RegExp(`^  ${name} +\\S`, 'm'))
      }
    }
  })

  it('lists a group\'s subcommands when given only the group', () => {
    const result = cpxd('keys')
    expect(result.status).toBe(0)
    expect(result.stdout).toBe('cpxd keys: API keys\n\ncommands:\n  cpxd keys new  print a new API key once, with the config entry that holds its hash\n\n`cpxd <command> --help` describes one.\n')
    expect(cpxd('audit', '--help').stdout).toContain('  cpxd audit checkpoint  print the last seq and chain')
  })

  it('prints one command\'s help with --help, and runs nothing', () => {
    const result = cpxd('keys', 'new', '--help')
    expect(result.status).toBe(0)
    expect(result.stdout).toBe([
      'usage: cpxd keys new [--tier TIER] [--tenants a,b] [--id ID] [--config PATH]',
      '',
      'print a new API key once, with the config entry that holds its hash',
      '',
      'options:',
      '  --tier TIER            public, customer (default), auditor, operator (metrics only), or publisher (POST /cpx only)',
      '  --tenants a,b          the tenants it may read; * for every tenant',
      '  --id ID                the key id in the config (default: tenant or tier, and random hex)',
      '  --config PATH          the config whose posture folder the tenants are checked against (default: $CPXD_CONFIG, else config/cpxd.yaml, when it exists)',
      '  --help                 this help',
      ''
    ].join('\n'))
    expect(cpxd('audit', 'verify', '-h').stdout).toContain('[FILE...]: audit files, plain or gzipped')
  })

  it.each([
    [['keys', 'new', '--frob'], 'cpxd: unknown option --frob', 'cpxd keys new --help'],
    [['keys', 'new', '--tier'], 'cpxd: --tier needs a value', 'cpxd keys new --help'],
    [['audit', 'query', '--table=yes'], 'cpxd: --table takes no value', 'cpxd audit query --help'],
    [['check', 'extra'], 'cpxd: unexpected argument "extra"', 'cpxd check --help'],
    [['keys', 'new', '--tier', 'admin'], 'cpxd: --tier must be one of public, customer, auditor, operator, publisher', 'cpxd keys new --help'],
    [['keys', 'old'], 'cpxd: unknown command "keys old"; `cpxd keys` lists its commands', 'cpxd keys --help'],
    [['frobnicate'], 'cpxd: unknown command "frobnicate"', 'cpxd --help']
  ])('%j: exit 2, one line in cpxd\'s words and a hint, not the whole usage', (args, message, help) => {
    const result = cpxd(...args)
    expect(result.status).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr).toBe(`${message}\nrun \`${help}\` for usage\n`)
  })
})
