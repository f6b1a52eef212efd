import { createSecretKey, type KeyObject } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { isChainValue, type ChainHead } from '../audit/audit-chain.ts'
import { inChainOrder, linesOf, rotatedSiblings, STDIN } from '../audit/audit-files.ts'
import { parseQuery, QueryOptionError, queryLines, type QueryOptions } from '../audit/audit-query.ts'
import { TABLE_HEADER, tableRow } from '../audit/audit-table.ts'
import { verifyChain, type ChainReport } from '../audit/verify-chain.ts'
import { loadConfig } from '../config/loader.ts'
import { MIN_SECRET_BYTES, readSecret } from '../config/named-secret.ts'
import { readAuditKeySecret } from '../config/secrets.ts'
import { StartupError } from '../startup-error.ts'
import { UsageError } from './command.ts'

export interface CommandResult {
  readonly text: string
  readonly exitCode: number
}

const TRUNCATION_NOTE = 'note: lines cut off the end of the log leave no trace in what remains; only a checkpoint kept elsewhere shows them missing. Take one with `cpxd audit checkpoint` and pass it later with --checkpoint.'

/** The files named, or the configured audit file and its rotated siblings; in chain order. */
export async function auditFiles (named: readonly string[], configFile: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  if (named.includes(STDIN)) {
    if (named.length > 1) throw new UsageError('- (standard input) cannot be combined with files')
    return [STDIN]
  }
  let files = named.map((f) => resolve(f))
  if (files.length === 0) {
    const { file } = loadConfig(configFile, env).config.audit
    if (file === '-') throw new UsageError('audit.file is "-" (stdout): name the files to read')
    files = [...rotatedSiblings(file).reverse(), file].filter((f) => existsSync(f))
    if (files.length === 0) throw new UsageError(`${file} does not exist yet`)
  }
  for (const file of files) if (!existsSync(file)) throw new UsageError(`${file} does not exist`)
  return inChainOrder(files)
}

/** `--key-file`, or the key the config names. */
export function auditKeyFor (keyFile: string | undefined, configFile: string, env: NodeJS.ProcessEnv): KeyObject {
  if (keyFile !== undefined) {
    const result = readSecret({ file: keyFile }, env)
    if ('secret' in result) return createSecretKey(result.secret)
    throw new UsageError(result.problem === 'unreadable'
      ? `--key-file ${keyFile} cannot be read`
      : `--key-file ${keyFile} holds less than ${MIN_SECRET_BYTES} bytes: not an audit key`)
  }
  const secret = readAuditKeySecret(loadConfig(configFile, env).config.audit, env, configFile)
  if ('secret' in secret) return createSecretKey(secret.secret)
  throw new StartupError(configFile, 'audit.key_file', `${secret.missingFile} cannot be read`)
}

export async function verifyAudit (files: readonly string[], key: KeyObject, checkpoint: string | undefined): Promise<CommandResult> {
  const report = await verifyChain(linesOf(files), key, checkpoint === undefined ? undefined : parseCheckpoint(checkpoint))
  const out = [files[0] === STDIN ? 'checked standard input' : `checked ${files.length} file${files.length === 1 ? '' : 's'} in chain order: ${files.join(', ')}`]
  if (report.problem !== undefined) {
    out.push(`FAILED ${report.problem.where}${report.problem.kind}: ${report.problem.message}`)
  } else {
    out.push(`ok: ${report.lines} line${report.lines === 1 ? '' : 's'}${rangeOf(report)}, chain intact`)
  }
  for (const warning of report.warnings) out.push(`warning: ${warning}`)
  if (checkpoint === undefined) out.push(TRUNCATION_NOTE)
  return { text: `${out.join('\n')}\n`, exitCode: report.problem === undefined ? 0 : 1 }
}

/** The last `seq` and `chain`, as one JSON line, once the chain up to it verifies. */
export async function checkpointAudit (files: readonly string[], key: KeyObject): Promise<CommandResult> {
  const report = await verifyChain(linesOf(files), key)
  if (report.problem !== undefined) {
    return { text: `cpxd: no checkpoint: ${report.problem.where}${report.problem.kind}: ${report.problem.message}\n`, exitCode: 1 }
  }
  if (report.last === undefined) return { text: 'cpxd: no checkpoint: the log holds no sealed line\n', exitCode: 1 }
  return { text: `${JSON.stringify(report.last)}\n`, exitCode: 0 }
}

export async function queryAudit (files: readonly string[], options: QueryOptions, table: boolean, write: (text: string) => Promise<void>): Promise<number> {
  let query
  try {
    query = parseQuery(options)
  } catch (err) {
    if (err instanceof QueryOptionError) throw new UsageError(err.message)
    throw err
  }
  if (table) await write(TABLE_HEADER)
  let matched = 0
  for await (const { text, record } of queryLines(linesOf(files), query)) {
    await write(table ? tableRow(record) : `${text}\n`)
    matched++
  }
  return matched
}

function rangeOf (report: ChainReport): string {
  if (report.last === undefined) return ''
  return `, seq ${report.firstSeq ?? report.last.seq}-${report.last.seq}, last chain ${report.last.chain}`
}

/** A checkpoint as `cpxd audit checkpoint` printed it: the JSON itself, or a file holding it. */
function parseCheckpoint (value: string): ChainHead {
  let text = value.trim()
  if (!text.startsWith('{')) {
    try {
      text = readFileSync(text, 'utf8')
    } catch {
      throw new UsageError(`--checkpoint takes the JSON that \`cpxd audit checkpoint\` printed, or a file holding it; ${value} cannot be read`)
    }
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    parsed = undefined
  }
  const { seq, chain } = (parsed ?? {}) as Partial<ChainHead>
  if (!Number.isSafeInteger(seq) || (seq as number) < 1 || typeof chain !== 'string' || !isChainValue(chain)) {
    throw new UsageError('--checkpoint must hold {"seq": <number>, "chain": "<64 hex digits>"}, as `cpxd audit checkpoint` prints it')
  }
  return { seq: seq as number, chain }
}
