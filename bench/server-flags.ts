// The Node flags every bench starts a server with: the image's (its Dockerfile ENTRYPOINT), so a
// bench measures the server as it is shipped. BENCH_NODE_FLAGS='' measures Node's defaults, and
// BENCH_NODE_FLAGS='--flag ...' any other set.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

/** The flags between `node` and the script in an exec-form ENTRYPOINT. */
export function entrypointFlags (dockerfile: string): string[] {
  const line = /^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(dockerfile)?.[1]
  if (line === undefined) throw new Error('the Dockerfile has no exec-form ENTRYPOINT')
  const words = JSON.parse(line) as string[]
  return words.slice(1).filter((word) => word.startsWith('--'))
}

export const SERVER_NODE_FLAGS: readonly string[] = process.env.BENCH_NODE_FLAGS === undefined
  ? entrypointFlags(readFileSync(join(import.meta.dirname, '..', 'Dockerfile'), 'utf8'))
  : process.env.BENCH_NODE_FLAGS.split(' ').filter((flag) => flag !== '')
