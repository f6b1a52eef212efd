import { closeSync, createReadStream, openSync, readdirSync, readSync, statSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import type { Readable } from 'node:stream'
import { createGunzip } from 'node:zlib'
import { parseSealedLine, timeOfLine, type SealedLine } from './audit-chain.ts'
import type { AuditLine } from './verify-chain.ts'

const GZIP_MAGIC = [0x1f, 0x8b]
/** The file name that means standard input, for lines piped from a collector. */
export const STDIN = '-'
const TAIL_CHUNK = 64 * 1024

/** Whether a file is gzip-compressed, by its first two bytes (logrotate may name it anything). */
export function isGzip (file: string): boolean {
  const fd = openSync(file, 'r')
  try {
    const head = Buffer.alloc(2)
    return readSync(fd, head, 0, 2, 0) === 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1]
  } finally {
    closeSync(fd)
  }
}

/** Every line of an audit file, plain or gzipped, without its newline; `-` reads stdin (plain). */
export async function * readLines (file: string): AsyncGenerator<string> {
  let input: Readable = file === STDIN ? process.stdin : createReadStream(file)
  if (file !== STDIN && isGzip(file)) input = input.pipe(createGunzip())
  const lines = createInterface({ input, crlfDelay: Infinity })
  try {
    for await (const line of lines) yield line
  } finally {
    lines.close()
    input.destroy()
  }
}

/**
 * The files rotation made from `file`, newest first: same folder, named `<name>.<anything>` or
 * `<name>-<anything>` (logrotate's numbered and dateext styles, compressed or not).
 */
export function rotatedSiblings (file: string): string[] {
  const dir = dirname(file)
  const name = basename(file)
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch {
    return []
  }
  return names
    // An audit file named `audit` would have its default key, `audit.key`, among its siblings.
    .filter((n) => (n.startsWith(`${name}.`) || n.startsWith(`${name}-`)) && !n.includes('.tmp-') && !n.endsWith('.key'))
    .map((n) => ({ path: join(dir, n), mtime: statSync(join(dir, n)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime)
    .map((f) => f.path)
}

/** The last line of a file that carries `seq` and `chain`, or undefined. */
export async function lastSealedLine (file: string): Promise<SealedLine | undefined> {
  if (isGzip(file)) {
    let last: SealedLine | undefined
    for await (const line of readLines(file)) last = parseSealedLine(line) ?? last
    return last
  }
  return lastSealedLineOfPlainFile(file)
}

/** Reads backwards from the end, so finding the head of a large log costs one or two reads. */
function lastSealedLineOfPlainFile (file: string): SealedLine | undefined {
  const fd = openSync(file, 'r')
  try {
    let position = statSync(file).size
    // Bytes from the start of the last chunk read up to the first newline in it: a line that may
    // continue into the chunk before.
    let carry = Buffer.alloc(0)
    while (position > 0) {
      const length = Math.min(TAIL_CHUNK, position)
      position -= length
      const chunk = Buffer.alloc(length)
      readSync(fd, chunk, 0, length, position)
      const text = Buffer.concat([chunk, carry])
      let end = text.length
      let start = text.lastIndexOf(0x0a, end - 1)
      while (start !== -1) {
        const found = parseSealedLine(text.subarray(start + 1, end).toString('utf8'))
        if (found !== undefined) return found
        end = start
        start = end === 0 ? -1 : text.lastIndexOf(0x0a, end - 1)
      }
      carry = text.subarray(0, end)
    }
    return parseSealedLine(carry.toString('utf8'))
  } finally {
    closeSync(fd)
  }
}

/** The lines of several files in turn, each with its file and line number. */
export async function * linesOf (files: readonly string[]): AsyncGenerator<AuditLine> {
  for (const file of files) {
    let line = 0
    for await (const text of readLines(file)) yield { file, line: ++line, text }
  }
}

/**
 * Files in chain order, whatever order the shell listed them in (`audit.log*` puts the newest
 * first): by the first sealed line's time, then its seq. Files without one go last.
 */
export async function inChainOrder (files: readonly string[]): Promise<string[]> {
  const keyed = await Promise.all(files.map(async (file, index) => ({ file, index, first: await firstSealedLine(file) })))
  return keyed.sort((a, b) => {
    if (a.first === undefined || b.first === undefined) return a.first === undefined ? (b.first === undefined ? a.index - b.index : 1) : -1
    return a.first.time < b.first.time ? -1 : a.first.time > b.first.time ? 1 : a.first.seq - b.first.seq
  }).map((k) => k.file)
}

async function firstSealedLine (file: string): Promise<{ time: string, seq: number } | undefined> {
  for await (const text of readLines(file)) {
    const sealed = parseSealedLine(text)
    if (sealed === undefined) continue
    return { time: timeOfLine(text), seq: sealed.seq }
  }
  return undefined
}
