import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { EvidenceFailure } from '../../evidence/evidence-index.ts'
import { loadPostureVersion, type PostureSourceConfig } from '../../posture/load-version.ts'
import { PostureStore } from '../../posture/store.ts'
import { StartupError } from '../../startup-error.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** The posture version being served; routes read `posture.current` once per request. */
    posture: PostureStore
    /** Loads a new version and swaps it in; throws (StartupError) when it cannot be loaded. */
    loadPosture: () => Promise<void>
    /** Like loadPosture, but a failure is logged and the last good version stays (SIGHUP). */
    reloadPosture: () => Promise<void>
  }
}

export type PostureOptions = PostureSourceConfig

/**
 * Owns the posture store and every load of it. Evidence whose hash differs from the declared one
 * (or that is missing) is withheld, and each such item is an `evidence_integrity_failure` on the
 * audit log, written before the version is served, and an error on the application log.
 */
export default fp<PostureOptions>(async function posture (app, opts) {
  const store = new PostureStore()

  async function loadPosture (): Promise<void> {
    const version = await loadPostureVersion(opts)
    reportWithheld(app, version.evidence.failures)
    await app.auditLog.written()
    store.replace(version)
  }

  async function reloadPosture (): Promise<void> {
    try {
      await loadPosture()
      app.log.info({ posture_version: store.version, tenants: store.current?.tenantCount ?? 0 }, 'posture reloaded')
    } catch (err) {
      app.log.error({ reason: err instanceof StartupError ? err.message : 'unexpected error' }, 'posture reload failed; still serving the last good posture')
    }
  }

  app.decorate('posture', store)
  app.decorate('loadPosture', loadPosture)
  app.decorate('reloadPosture', reloadPosture)
}, { name: 'posture', dependencies: ['audit'] })

function reportWithheld (app: FastifyInstance, failures: readonly EvidenceFailure[]): void {
  for (const failure of failures) {
    app.auditLog.logger.info({ event: 'evidence_integrity_failure', tenant: failure.tenant, evidence: { id: failure.id }, reason: failure.reason, detail: failure.message })
    app.log.error({ tenant: failure.tenant, evidence: failure.id, reason: failure.reason, detail: failure.message }, 'evidence withheld from every document')
  }
}
