import type { FastifyInstance } from 'fastify'
import type { CpxdConfig } from '../../config/schema.ts'
import fp from 'fastify-plugin'
import type { EvidenceFailure } from '../../evidence/evidence-index.ts'
import { loadPostureVersion, type PostureSourceConfig } from '../../posture/load-version.ts'
import type { PostureVersion } from '../../posture/posture-version.ts'
import { PostureStore } from '../../posture/store.ts'
import { FileHistory } from '../../posture/file-history.ts'
import { HistoricPostures } from '../../posture/historic-postures.ts'
import type { RenderedPosture } from '../../posture/rendered-posture.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** The posture version being served; routes read `posture.current` once per request. */
    posture: PostureStore
    /** The first load: swaps a version in; throws (StartupError) when it cannot be loaded. */
    loadPosture: () => Promise<void>
    /**
     * Loads the posture again from the running config's sources (after a publish), and swaps it
     * in; a load that fails is logged and the version being served stays.
     */
    refreshPosture: () => Promise<void>
    /** The running config's posture sources, for publishing into them. */
    postureSource: () => PostureOptions
    /** Every published version the store keeps, by the running config. */
    postureHistory: () => FileHistory
    /**
     * A published version (by id, or the one in force at a time), rendered for reading; undefined
     * when there is none. The last few are kept rendered.
     */
    historicPosture: (tenant: string, which: { id: string } | { at: number }) => Promise<RenderedPosture | undefined>
  }
}

export type PostureOptions = PostureSourceConfig & Pick<CpxdConfig, 'posture'>

/** How often a long load says how far it has got. */
const PROGRESS_LOG_INTERVAL_MS = 5000

/**
 * Owns the posture store and every load of it, one load at a time: the first (`loadPosture`) and
 * each reload of the config (a reload part, last of all, since it is the slowest). Evidence whose
 * hash differs from the declared one (or that is missing) is withheld, and each such item is an
 * `evidence_integrity_failure` on the audit log, written before the version is served, and an
 * error on the application log.
 */
export default fp<PostureOptions>(async function posture (app, opts) {
  const store = new PostureStore()
  const oneAtATime = oneTaskAtATime()

  async function prepare (source: PostureSourceConfig): Promise<PostureVersion> {
    const timer = setInterval(() => { app.log.info(store.progress, 'hashing evidence') }, PROGRESS_LOG_INTERVAL_MS)
    timer.unref()
    try {
      const version = await loadPostureVersion(source, { onProgress: (hashed, total) => { store.reportProgress(hashed, total) } })
      reportWithheld(app, version.evidence.failures)
      await app.auditLog.written()
      return version
    } finally {
      clearInterval(timer)
    }
  }

  function swapIn (version: PostureVersion, message: string): void {
    store.replace(version)
    app.log.info({ posture_version: store.version, tenants: version.tenantCount, evidence: version.evidence.items.size }, message)
  }

  let source: PostureOptions = opts
  let historic = historicOf(opts)
  app.decorate('posture', store)
  app.decorate('postureSource', () => source)
  app.decorate('postureHistory', () => historic.history)
  app.decorate('historicPosture', (tenant: string, which: { id: string } | { at: number }) => historic.get(tenant, which))
  app.decorate('loadPosture', () => oneAtATime(async () => { swapIn(await prepare(source), 'posture loaded') }))
  app.decorate('refreshPosture', () => oneAtATime(async () => {
    try {
      swapIn(await prepare(source), 'posture refreshed after a publish')
    } catch (err) {
      app.log.error({ reason: err instanceof Error ? err.message : 'unexpected error' }, 'posture not refreshed; still serving the last good version')
    }
  }))
  app.onConfigReload('posture', async ({ config }) => {
    const version = await oneAtATime(() => prepare(config))
    return () => {
      source = { posture_dir: config.posture_dir, posture: config.posture, evidence: config.evidence }
      historic = historicOf(config)
      swapIn(version, 'posture reloaded')
    }
  })
}, { name: 'posture', dependencies: ['audit', 'config-reload'] })

/** Runs each task after the last one has settled, so loads never overlap. */
function oneTaskAtATime (): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve()
  return <T>(task: () => Promise<T>): Promise<T> => {
    const run = tail.then(task)
    tail = run.catch(() => {})
    return run
  }
}

function historicOf (config: Pick<CpxdConfig, 'posture'>): HistoricPostures {
  return new HistoricPostures(new FileHistory(config.posture.store.history_dir, config.posture.retention))
}

function reportWithheld (app: FastifyInstance, failures: readonly EvidenceFailure[]): void {
  for (const failure of failures) {
    app.auditLog.logger.info({ event: 'evidence_integrity_failure', tenant: failure.tenant, evidence: { id: failure.id }, reason: failure.reason, detail: failure.message })
    app.log.error({ tenant: failure.tenant, evidence: failure.id, reason: failure.reason, detail: failure.message }, 'evidence withheld from every document')
  }
}
