/** One option of a command: how it is parsed and how its help describes it. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean'
  /** Shown after the flag in help, for string options: `--tier TIER`. */
  readonly value?: string
  readonly help: string
}

export interface ParsedArgs {
  readonly values: Readonly<Record<string, string | boolean | undefined>>
  readonly positionals: readonly string[]
}

/** A command cpxd runs: `cpxd <name>` or `cpxd <group> <name>`. */
export interface Command {
  /** As typed: `check`, `keys new`. */
  readonly name: string
  readonly summary: string
  /** What follows the name in the usage line, beyond the options: `[FILE...]`; none when absent. */
  readonly operands?: string
  /** What the operands mean, for the command's help. */
  readonly operandHelp?: string
  readonly options: Readonly<Record<string, OptionSpec>>
  run: (args: ParsedArgs) => Promise<void>
}

/** A word that groups subcommands: `cpxd keys` lists them. */
export interface CommandGroup {
  readonly name: string
  readonly summary: string
  readonly commands: readonly Command[]
}

/** A mistake in how a command was called; printed as one line with a hint, exit status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

/** A string option's value, when given. */
export function stringOption (args: ParsedArgs, name: string): string | undefined {
  const value = args.values[name]
  return typeof value === 'string' ? value : undefined
}
