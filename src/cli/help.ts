import type { Command, CommandGroup } from './command.ts'

function optionLines (command: Command): string[] {
  return Object.entries(command.options).map(([name, spec]) => {
    const flag = spec.value === undefined ? `--${name}` : `--${name} ${spec.value}`
    return `  ${flag.padEnd(22)} ${spec.help}`
  })
}

function synopsis (command: Command): string {
  const options = Object.entries(command.options).map(([name, spec]) => (spec.value === undefined ? `[--${name}]` : `[--${name} ${spec.value}]`))
  return [`cpxd ${command.name}`, ...(command.operands === undefined ? [] : [command.operands]), ...options].join(' ')
}

/** `cpxd <command> --help`. */
export function commandHelp (command: Command): string {
  const lines = [`usage: ${synopsis(command)}`, '', command.summary]
  if (command.operandHelp !== undefined) lines.push('', `${command.operands ?? ''}: ${command.operandHelp}`)
  lines.push('', 'options:', ...optionLines(command), `  ${'--help'.padEnd(22)} this help`)
  return `${lines.join('\n')}\n`
}

/** `cpxd keys`: the subcommands of one group. */
export function groupHelp (group: CommandGroup): string {
  const width = Math.max(...group.commands.map((c) => c.name.length))
  const lines = group.commands.map((c) => `  cpxd ${c.name.padEnd(width)}  ${c.summary}`)
  return `cpxd ${group.name}: ${group.summary}\n\ncommands:\n${lines.join('\n')}\n\n\`cpxd <command> --help\` describes one.\n`
}

/** `cpxd --help`: every command, one line each. */
export function mainHelp (entries: ReadonlyArray<Command | CommandGroup>): string {
  const commands = entries.flatMap((entry) => ('commands' in entry ? entry.commands : [entry]))
  const width = Math.max(...commands.map((c) => c.name.length))
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`)
  return `usage: cpxd <command> [options]\n\ncommands:\n${lines.join('\n')}\n\n\`cpxd <command> --help\` describes one and its options.\n`
}
