import { createHash, randomBytes } from 'node:crypto'
import { mkdirSync, readdirSync } from 'node:fs'
import { extname, join } from 'node:path'
import { writeFileAtomic } from '../fs/atomic-write.ts'
import type { PostureStatus } from './document.ts'
import { parsePostureText, POSTURE_EXTENSIONS } from './loader.ts'

/** One published version, as history lists it. */
export interface VersionRecord {
  readonly id: string
  readonly published_at: string
  /** Who published it: `api_key:<id>`, or `jwt:<issuer>#<subject>`. */
  readonly publisher: string
  /** Of the bytes as received. */
  readonly sha256: string
  readonly compliance_posture: PostureStatus
}

export interface FilePublisherOptions {
  readonly postureDir: string
  /** Where each version is kept whole, one folder per tenant (`_default` for the vendor's own). */
  readonly historyDir: string
}

/**
 * Checks a posture sent to `POST /cpx` exactly as a posture file is checked at load, under the
 * name of the file it will become, so an error reads like a file's: path, reason and line.
 */
export function validatePublished (tenant: string, text: string): { compliance_posture: PostureStatus } {
  return { compliance_posture: parsePostureText(`${tenant}.yaml (as published)`, text, () => new Date().toISOString()).compliance_posture }
}

/** A new version's record: its id (the time published, then random hex) and the sha256 of its bytes. */
export function newVersionRecord (body: Buffer, publisher: string, compliance: PostureStatus, now: Date): VersionRecord {
  return {
    id: `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(4).toString('hex')}`,
    published_at: now.toISOString(),
    publisher,
    sha256: createHash('sha256').update(body).digest('hex'),
    compliance_posture: compliance
  }
}

/**
 * The files store: a new version is kept in the history folder first (its bytes, then its record),
 * then replaces the tenant's posture file atomically (temp file, fsync, rename), so the posture
 * folder never holds a version that history does not. A tenant keeps the file name it has; JSON
 * is valid YAML, so either format goes in either name.
 */
export function publishToFiles (opts: FilePublisherOptions, tenant: string, body: Buffer, publisher: string, compliance: PostureStatus, now = new Date()): VersionRecord {
  const record = newVersionRecord(body, publisher, compliance, now)
  const { id } = record
  const history = join(opts.historyDir, tenant)
  mkdirSync(history, { recursive: true, mode: 0o700 })
  writeFileAtomic(join(history, `${id}.yaml`), body, 0o600)
  writeFileAtomic(join(history, `${id}.json`), `${JSON.stringify(record)}\n`, 0o600)
  writeFileAtomic(join(opts.postureDir, postureFileName(opts.postureDir, tenant)), body, 0o644)
  return record
}

/** The tenant's existing posture file, else `<tenant>.yaml`. */
function postureFileName (dir: string, tenant: string): string {
  const existing = readdirSync(dir).find((name) => POSTURE_EXTENSIONS.has(extname(name)) && name.slice(0, -extname(name).length) === tenant)
  return existing ?? `${tenant}.yaml`
}
