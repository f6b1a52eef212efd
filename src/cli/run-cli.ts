import { parseArgs } from 'node:util'
import { EXIT_CONFIG_ERROR } from '../startup-error.ts'
import { exitOnStartupError } from '../start-server.ts'
import { UsageError, type Command, type CommandGroup, type ParsedArgs } from './command.ts'
import { COMMANDS } from './commands.ts'
import { commandHelp, groupHelp, mainHelp } from './help.ts'

/** `cpxd <command> [<subcommand>] [options]`: runs one command from the table in commands.ts. */
export async function runCli (argv: readonly string[]): Promise<void> {
  const [first, second] = argv
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(mainHelp(COMMANDS))
    return
  }
  const entry = COMMANDS.find((c) => c.name === first)
  if (entry === undefined) return usageError(`unknown command "${first}"`, 'cpxd --help')
  if (!isGroup(entry)) return runCommand(entry, argv.slice(1))
  if (second === undefined || second === '--help' || second === '-h') {
    process.stdout.write(groupHelp(entry))
    return
  }
  // A command's name may run to several words (`signing keys new`): the longest that matches wins.
  const command = entry.commands
    .filter((c) => c.name.split(' ').every((word, index) => argv[index] === word))
    .sort((a, b) => b.name.length - a.name.length)[0]
  if (command === undefined) return usageError(`unknown command "${entry.name} ${second}"; \`cpxd ${entry.name}\` lists its commands`, `cpxd ${entry.name} --help`)
  return runCommand(command, argv.slice(command.name.split(' ').length))
}

function isGroup (entry: Command | CommandGroup): entry is CommandGroup {
  return 'commands' in entry
}

async function runCommand (command: Command, args: readonly string[]): Promise<void> {
  let parsed: ParsedArgs
  try {
    parsed = parse(command, args)
  } catch (err) {
    return usageError(reworded(err), `cpxd ${command.name} --help`)
  }
  if (parsed.values.help === true) {
    process.stdout.write(commandHelp(command))
    return
  }
  try {
    await command.run(parsed)
  } catch (err) {
    if (err instanceof UsageError) return usageError(err.message, `cpxd ${command.name} --help`)
    exitOnStartupError(err)
  }
}

function parse (command: Command, args: readonly string[]): ParsedArgs {
  const options = Object.fromEntries(Object.entries(command.options).map(([name, spec]) => [name, { type: spec.type }]))
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { ...options, help: { type: 'boolean', short: 'h' } },
    allowPositionals: command.operands !== undefined,
    strict: true
  })
  return { values, positionals }
}

/** node:util's parse errors, in cpxd's words. */
function reworded (err: unknown): string {
  const code = (err as { code?: unknown }).code
  const message = err instanceof Error ? err.message : String(err)
  const option = /'(-[-\w]*)/.exec(message)?.[1]
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${option ?? message}`
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return `unexpected argument "${/'([^']*)'/.exec(message)?.[1] ?? ''}"`
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    return message.includes('does not take an argument') ? `${option ?? 'this option'} takes no value` : `${option ?? 'this option'} needs a value`
  }
  return message
}

/** One line saying what is wrong, one saying where help is; exit status 2. */
function usageError (message: string, help: string): never {
  process.stderr.write(`cpxd: ${message}\nrun \`${help}\` for usage\n`)
  process.exit(EXIT_CONFIG_ERROR)
}
