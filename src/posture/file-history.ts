import { readdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { PostureDocument } from './document.ts'
import type { VersionRecord } from './file-publisher.ts'
import { parsePostureText } from './loader.ts'

/** The ids `publishToFiles` makes: the time published, then random hex. */
export const VERSION_ID_PATTERN = /^\d{8}T\d{6}Z-[0-9a-f]{8}$/

/** A version read back whole: its record, and its document as it was published. */
export interface HistoricVersion {
  readonly record: VersionRecord
  readonly document: PostureDocument
}

/**
 * The history the files store keeps (`<history_dir>/<tenant>/<id>.yaml` and `.json`): listed
 * newest first, read by id or by the time a version was in force, and pruned past the retention,
 * though a tenant's newest version is always kept.
 */
export class FileHistory {
  private readonly dir: string
  private readonly retentionMs: number

  constructor (dir: string, retentionMs: number) {
    this.dir = dir
    this.retentionMs = retentionMs
  }

  /** Newest first, within the retention. */
  async versions (tenant: string, now = Date.now()): Promise<VersionRecord[]> {
    const records = await this.records(tenant)
    return records.filter((record, index) => index === 0 || Date.parse(record.published_at) >= now - this.retentionMs)
  }

  async read (tenant: string, id: string): Promise<HistoricVersion | undefined> {
    if (!VERSION_ID_PATTERN.test(id)) return undefined
    const record = (await this.records(tenant)).find((candidate) => candidate.id === id)
    return record === undefined ? undefined : this.whole(tenant, record)
  }

  /** The version in force at `at` (ms): the newest published at or before it. */
  async inForceAt (tenant: string, at: number): Promise<HistoricVersion | undefined> {
    const record = (await this.versions(tenant)).find((candidate) => Date.parse(candidate.published_at) <= at)
    return record === undefined ? undefined : this.whole(tenant, record)
  }

  /** Removes versions past the retention, never the newest; returns how many went. */
  async prune (tenant: string, now = Date.now()): Promise<number> {
    const records = await this.records(tenant)
    const old = records.slice(1).filter((record) => Date.parse(record.published_at) < now - this.retentionMs)
    for (const record of old) {
      await rm(join(this.dir, tenant, `${record.id}.yaml`), { force: true })
      await rm(join(this.dir, tenant, `${record.id}.json`), { force: true })
    }
    return old.length
  }

  private async records (tenant: string): Promise<VersionRecord[]> {
    let names: string[]
    try {
      names = await readdir(join(this.dir, tenant))
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw err
    }
    const ids = names.filter((name) => name.endsWith('.json')).map((name) => name.slice(0, -5)).filter((id) => VERSION_ID_PATTERN.test(id))
    const records = await Promise.all(ids.map(async (id) => JSON.parse(await readFile(join(this.dir, tenant, `${id}.json`), 'utf8')) as VersionRecord))
    return records.sort((a, b) => b.published_at.localeCompare(a.published_at) || b.id.localeCompare(a.id))
  }

  private async whole (tenant: string, record: VersionRecord): Promise<HistoricVersion> {
    const text = await readFile(join(this.dir, tenant, `${record.id}.yaml`), 'utf8')
    return { record, document: parsePostureText(`${tenant}/${record.id}.yaml`, text, () => record.published_at) }
  }
}
