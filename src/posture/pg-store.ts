import pg from 'pg'
import type { PostureDocument, PostureStatus } from './document.ts'
import type { HistoricVersion } from './file-history.ts'
import { newVersionRecord, type VersionRecord } from './file-publisher.ts'
import { parsePostureText } from './loader.ts'
import { IDEMPOTENCY_TTL_MS, IdempotencyConflict, type PostureHistory, type PublishOutcome, type PublishRequest, type VersionStore } from './version-store.ts'

/** Held while migrating, so replicas starting together migrate once. */
const MIGRATION_LOCK = 0x63707864 // "cpxd"
const CHANNEL = 'cpxd_posture'

/** Each entry runs once, in order, in its own transaction; applied ones are in cpxd_schema_migrations. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE cpxd_posture_versions (
     tenant text NOT NULL,
     id text NOT NULL,
     published_at timestamptz NOT NULL,
     publisher text NOT NULL,
     sha256 text NOT NULL,
     compliance_posture text NOT NULL,
     body bytea NOT NULL,
     PRIMARY KEY (tenant, id)
   );
   CREATE INDEX cpxd_posture_versions_by_time ON cpxd_posture_versions (tenant, published_at DESC, id DESC);
   CREATE FUNCTION cpxd_refuse_update() RETURNS trigger LANGUAGE plpgsql AS
     $$ BEGIN RAISE EXCEPTION 'posture versions are immutable'; END $$;
   CREATE TRIGGER cpxd_posture_versions_immutable BEFORE UPDATE ON cpxd_posture_versions
     FOR EACH ROW EXECUTE FUNCTION cpxd_refuse_update();`,
  `CREATE TABLE cpxd_publish_keys (
     publisher text NOT NULL,
     key text NOT NULL,
     fingerprint text NOT NULL,
     tenant text NOT NULL,
     version_id text NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (publisher, key)
   );`
]

interface VersionRow {
  tenant: string
  id: string
  published_at: Date
  publisher: string
  sha256: string
  compliance_posture: PostureStatus
  body?: Buffer
}

/**
 * PostgreSQL as the posture store of a group of replicas: each version an immutable row (an
 * UPDATE is refused by a trigger; only retention deletes), migrations at start under an advisory
 * lock, and `NOTIFY cpxd_posture` in the publishing transaction, so every replica listening
 * reloads as soon as it commits.
 */
export async function openPgStore (url: string, retentionMs: number): Promise<VersionStore> {
  const pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 5000, statement_timeout: 10_000 })
  // An idle connection dropped (a PostgreSQL restart) is replaced by the pool; without a listener
  // the event would end the process. Queries that fail still fail, and say why.
  pool.on('error', () => {})
  await migrate(pool)
  const notifications = new NotifyListener(url)
  return {
    history: pgHistory(pool, retentionMs),
    publish: async (request) => insertVersion(pool, request),
    currentDocuments: async () => {
      const { rows } = await pool.query<VersionRow & { body: Buffer }>('SELECT DISTINCT ON (tenant) tenant, id, published_at, body FROM cpxd_posture_versions ORDER BY tenant, published_at DESC, id DESC')
      return new Map(rows.map((row) => [row.tenant, documentOf(row)]))
    },
    onChange: (notify) => { notifications.add(notify) },
    close: async () => {
      await notifications.close()
      await pool.end()
    }
  }
}

/**
 * One row, and the notification every replica reloads on, committed together. An idempotency key
 * is claimed in the same transaction, so two retries racing on two replicas store one version.
 */
async function insertVersion (pool: pg.Pool, request: PublishRequest): Promise<PublishOutcome> {
  const { tenant, body, publisher, compliance } = request
  const now = new Date()
  const record = newVersionRecord(body, publisher, compliance, now)
  const { sha256 } = record
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    if (request.idempotencyKey !== undefined) {
      const earlier = await claimKey(client, request, `${tenant}:${sha256}`, record.id)
      if (earlier !== undefined) {
        await client.query('ROLLBACK')
        return { record: earlier, replayed: true }
      }
    }
    await client.query('INSERT INTO cpxd_posture_versions (tenant, id, published_at, publisher, sha256, compliance_posture, body) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [tenant, record.id, now, publisher, sha256, compliance, body])
    await client.query('SELECT pg_notify($1, $2)', [CHANNEL, tenant])
    await client.query('COMMIT')
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {})
    throw err
  } finally {
    client.release()
  }
  return { record, replayed: false }
}

/**
 * Takes the key for this publish (or over a claim older than a day); when another publish holds
 * it, returns that publish's version, or throws when it was for another tenant or body.
 */
async function claimKey (client: pg.PoolClient, request: PublishRequest, fingerprint: string, versionId: string): Promise<VersionRecord | undefined> {
  const claimed = await client.query(`INSERT INTO cpxd_publish_keys (publisher, key, fingerprint, tenant, version_id) VALUES ($1, $2, $3, $4, $5)
    ON CONFLICT (publisher, key) DO UPDATE SET fingerprint = $3, tenant = $4, version_id = $5, created_at = now()
    WHERE cpxd_publish_keys.created_at < now() - make_interval(secs => $6)`, [request.publisher, request.idempotencyKey, fingerprint, request.tenant, versionId, IDEMPOTENCY_TTL_MS / 1000])
  if (claimed.rowCount === 1) return undefined
  const { rows } = await client.query<{ fingerprint: string, tenant: string, version_id: string }>('SELECT fingerprint, tenant, version_id FROM cpxd_publish_keys WHERE publisher = $1 AND key = $2', [request.publisher, request.idempotencyKey])
  const held = rows[0]
  if (held === undefined || held.fingerprint !== fingerprint) throw new IdempotencyConflict()
  const version = await client.query<VersionRow>('SELECT tenant, id, published_at, publisher, sha256, compliance_posture FROM cpxd_posture_versions WHERE tenant = $1 AND id = $2', [held.tenant, held.version_id])
  if (version.rows[0] === undefined) throw new IdempotencyConflict()
  return recordOf(version.rows[0])
}

/**
 * A connection of its own that LISTENs for publishes, reconnecting after a second when it drops;
 * a version published while it was down sent no notification, so each return counts as one.
 */
class NotifyListener {
  private readonly url: string
  private readonly listeners: Array<() => void> = []
  private client: pg.Client | undefined
  private closed = false

  constructor (url: string) {
    this.url = url
  }

  add (notify: () => void): void {
    this.listeners.push(notify)
    if (this.listeners.length === 1) this.connect(false)
  }

  async close (): Promise<void> {
    this.closed = true
    await this.client?.end().catch(() => {})
  }

  private connect (announce: boolean): void {
    const client = new pg.Client({ connectionString: this.url })
    const retry = (): void => {
      if (this.closed || (this.client !== undefined && this.client !== client)) return
      this.client = undefined
      client.removeAllListeners()
      client.on('error', () => {})
      setTimeout(() => { if (!this.closed) this.connect(true) }, 1000).unref()
    }
    client.on('notification', () => { this.notify() })
    client.on('error', retry)
    client.on('end', retry)
    this.client = client
    client.connect().then(() => client.query(`LISTEN ${CHANNEL}`)).then(() => { if (announce) this.notify() }, retry)
  }

  private notify (): void {
    for (const listener of this.listeners) listener()
  }
}

async function migrate (pool: pg.Pool): Promise<void> {
  const client = await pool.connect()
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK])
    await client.query('CREATE TABLE IF NOT EXISTS cpxd_schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())')
    const { rows } = await client.query<{ version: number }>('SELECT version FROM cpxd_schema_migrations')
    const applied = new Set(rows.map((row) => row.version))
    for (const [index, sql] of MIGRATIONS.entries()) {
      if (applied.has(index + 1)) continue
      await client.query('BEGIN')
      await client.query(sql)
      await client.query('INSERT INTO cpxd_schema_migrations (version) VALUES ($1)', [index + 1])
      await client.query('COMMIT')
    }
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {})
    throw err
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {})
    client.release()
  }
}

function pgHistory (pool: pg.Pool, retentionMs: number): PostureHistory {
  const columns = 'tenant, id, published_at, publisher, sha256, compliance_posture'
  const whole = async (tenant: string, where: string, value: unknown): Promise<HistoricVersion | undefined> => {
    const { rows } = await pool.query<VersionRow & { body: Buffer }>(`SELECT ${columns}, body FROM cpxd_posture_versions WHERE tenant = $1 AND ${where} ORDER BY published_at DESC, id DESC LIMIT 1`, [tenant, value])
    const row = rows[0]
    return row === undefined ? undefined : { record: recordOf(row), document: documentOf(row) }
  }
  return {
    versions: async (tenant, now = Date.now()) => {
      const { rows } = await pool.query<VersionRow>(`SELECT ${columns} FROM cpxd_posture_versions WHERE tenant = $1 ORDER BY published_at DESC, id DESC`, [tenant])
      return rows.filter((row, index) => index === 0 || row.published_at.getTime() >= now - retentionMs).map(recordOf)
    },
    read: async (tenant, id) => whole(tenant, 'id = $2', id),
    inForceAt: async (tenant, at) => whole(tenant, 'published_at <= $2', new Date(at)),
    prune: async (tenant, now = Date.now()) => {
      const result = await pool.query(`DELETE FROM cpxd_posture_versions WHERE tenant = $1 AND published_at < $2
        AND id <> (SELECT id FROM cpxd_posture_versions WHERE tenant = $1 ORDER BY published_at DESC, id DESC LIMIT 1)`, [tenant, new Date(now - retentionMs)])
      return result.rowCount ?? 0
    }
  }
}

function recordOf (row: VersionRow): VersionRecord {
  return { id: row.id, published_at: row.published_at.toISOString(), publisher: row.publisher, sha256: row.sha256, compliance_posture: row.compliance_posture }
}

/** Checked before it was stored; checked again as it is read, like any posture file. */
function documentOf (row: Pick<VersionRow, 'tenant' | 'id' | 'published_at'> & { body: Buffer }): PostureDocument {
  return parsePostureText(`${row.tenant} version ${row.id}`, row.body.toString('utf8'), () => row.published_at.toISOString())
}
