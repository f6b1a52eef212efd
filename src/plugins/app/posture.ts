import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { CpxdConfig } from '../../config/schema.ts'
import type { EvidenceFailure } from '../../evidence/evidence-index.ts'
import { fileStore } from '../../posture/file-store.ts'
import { HistoricPostures } from '../../posture/historic-postures.ts'
import { loadPostureVersion, type PostureSourceConfig } from '../../posture/load-version.ts'
import type { PostureVersion } from '../../posture/posture-version.ts'
import type { RenderedPosture } from '../../posture/rendered-posture.ts'
import { PostureStore } from '../../posture/store.ts'
import type { PostureHistory, VersionStore } from '../../posture/version-store.ts'
import { StartupError } from '../../startup-error.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** The posture version being served; routes read `posture.current` once per request. */
    posture: PostureStore
    /**
     * The first load: swaps a version in; throws (StartupError) when it cannot be loaded.
     * `beforeServing` runs once the version is ready and before any request can read it.
     */
    loadPosture: (beforeServing?: () => void) => Promise<void>
    /**
     * Loads the posture again from the store (after a publish here or on a replica), and swaps it
     * in; a load that fails is logged and the version being served stays.
     */
    refreshPosture: () => Promise<void>
    /** Where published versions go: files, or PostgreSQL. */
    versionStore: () => VersionStore
    /** Every published version the store keeps. */
    postureHistory: () => PostureHistory
    /**
     * A published version (by id, or the one in force at a time), rendered for reading; undefined
     * when there is none. The last few are kept rendered.
     */
    historicPosture: (tenant: string, which: { id: string } | { at: number }) => Promise<RenderedPosture | undefined>
  }
}

export type PostureOptions = PostureSourceConfig & Pick<CpxdConfig, 'posture'> & {
  /** The connection string of `posture.store.kind: postgres`. */
  readonly storeUrl?: string | undefined
  readonly configFile?: string
}

/** How often a long load says how far it has got. */
const PROGRESS_LOG_INTERVAL_MS = 5000

/**
 * Owns the posture store and every load of it, one load at a time: the first (`loadPosture`),
 * each publish (here, or announced by PostgreSQL from a replica), and each reload of the config (a
 * reload part, last of all, since it is the slowest). Evidence whose hash differs from the
 * declared one (or that is missing) is withheld, and each such item is an
 * `evidence_integrity_failure` on the audit log, written before the version is served, and an
 * error on the application log.
 */
export default fp<PostureOptions>(async function posture (app, opts) {
  const store = new PostureStore()
  const oneAtATime = oneTaskAtATime()
  let source: PostureSourceConfig = opts
  let versions = await openStore(opts)
  let historic = new HistoricPostures(versions.history)
  app.addHook('onClose', async () => { await versions.close() })

  const prepare = (from: PostureSourceConfig): Promise<PostureVersion> => loadWithProgress(app, store, versions, from)

  function swapIn (version: PostureVersion, message: string): void {
    store.replace(version)
    app.log.info({ posture_version: store.version, tenants: version.tenantCount, evidence: version.evidence.items.size }, message)
  }

  const refresh = (): Promise<void> => oneAtATime(async () => {
    try {
      swapIn(await prepare(source), 'posture refreshed after a publish')
    } catch (err) {
      app.log.error({ reason: err instanceof Error ? err.message : 'unexpected error' }, 'posture not refreshed; still serving the last good version')
    }
  })
  versions.onChange(() => { void refresh() })

  app.decorate('posture', store)
  app.decorate('versionStore', () => versions)
  app.decorate('postureHistory', () => versions.history)
  app.decorate('historicPosture', (tenant: string, which: { id: string } | { at: number }) => historic.get(tenant, which))
  app.decorate('loadPosture', (beforeServing?: () => void) => oneAtATime(async () => {
    const version = await prepare(source)
    beforeServing?.()
    swapIn(version, 'posture loaded')
  }))
  app.decorate('refreshPosture', refresh)
  app.onConfigReload('posture', async ({ config }) => {
    const version = await oneAtATime(() => prepare(config))
    return () => {
      source = config
      // The store's kind and connection wait for a restart; a files store follows its folders.
      if (opts.posture.store.kind === 'files') versions = fileStore(config.posture_dir, config.posture.store.history_dir, config.posture.retention)
      historic = new HistoricPostures(versions.history)
      swapIn(version, 'posture reloaded')
    }
  })
}, { name: 'posture', dependencies: ['audit', 'config-reload'] })

async function openStore (opts: PostureOptions): Promise<VersionStore> {
  const { store, retention } = opts.posture
  if (store.kind === 'files') return fileStore(opts.posture_dir, store.history_dir, retention)
  try {
    // pg is loaded only for this store.
    const { openPgStore } = await import('../../posture/pg-store.ts')
    return await openPgStore(opts.storeUrl as string, retention)
  } catch (err) {
    // The driver's message names host, port and database, never the password.
    throw new StartupError(opts.configFile ?? 'cpxd.yaml', 'posture.store', `PostgreSQL cannot be used: ${err instanceof Error ? err.message : 'unexpected error'}`)
  }
}

/** A version from the store's documents, saying how far hashing has got every few seconds. */
async function loadWithProgress (app: FastifyInstance, store: PostureStore, versions: VersionStore, from: PostureSourceConfig): Promise<PostureVersion> {
  const timer = setInterval(() => { app.log.info(store.progress, 'hashing evidence') }, PROGRESS_LOG_INTERVAL_MS)
  timer.unref()
  try {
    const documents = await versions.currentDocuments()
    const version = await loadPostureVersion(from, { onProgress: (hashed, total) => { store.reportProgress(hashed, total) } }, documents)
    reportWithheld(app, version.evidence.failures)
    await app.auditLog.written()
    return version
  } finally {
    clearInterval(timer)
  }
}

/** Runs each task after the last one has settled, so loads never overlap. */
function oneTaskAtATime (): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve()
  return <T>(task: () => Promise<T>): Promise<T> => {
    const run = tail.then(task)
    tail = run.catch(() => {})
    return run
  }
}

function reportWithheld (app: FastifyInstance, failures: readonly EvidenceFailure[]): void {
  for (const failure of failures) {
    app.auditLog.logger.info({ event: 'evidence_integrity_failure', tenant: failure.tenant, evidence: { id: failure.id }, reason: failure.reason, detail: failure.message })
    app.log.error({ tenant: failure.tenant, evidence: failure.id, reason: failure.reason, detail: failure.message }, 'evidence withheld from every document')
  }
}
