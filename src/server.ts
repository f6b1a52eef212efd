import type { FastifyInstance } from 'fastify'
import { buildApp } from './app.ts'
import { openAuditLog, type AuditLog, type OpenedAuditLog } from './audit/audit-logger.ts'
import { loadConfig, resolveConfigPath } from './config/loader.ts'
import type { CpxdConfig } from './config/schema.ts'
import { loadPosture } from './evidence/load-posture.ts'
import { PostureStore } from './posture/store.ts'
import { EXIT_CONFIG_ERROR, StartupError } from './startup-error.ts'

/**
 * Starts cpxd: load and validate the config and every posture file (any error stops start-up
 * with file, path and reason, exit 2), listen, then stop gracefully on SIGTERM/SIGINT.
 * SIGHUP reloads the posture folder; a failed reload keeps serving the last good posture.
 */
export async function startServer (configPath: string | undefined, env: NodeJS.ProcessEnv): Promise<FastifyInstance> {
  const { file, config } = loadConfig(resolveConfigPath(configPath, env), env)
  const store = new PostureStore()
  const opened = await openAuditLog(config.audit, env, file)
  const auditLog = opened.log
  const app = await buildApp(config, { store, auditLog, env, configFile: file })
  reportAuditChain(app, opened)
  await reloadPosture(config, store, app, auditLog)
  await app.listen({ host: config.server.host, port: config.server.port })

  process.on('SIGHUP', () => {
    // logrotate renames the file, then signals: lines already written stay in the renamed file.
    try {
      auditLog.reopen()
    } catch (err) {
      app.log.error({ reason: (err as Error).message }, 'audit log could not be reopened; the next write retries')
    }
    reloadPosture(config, store, app, auditLog).then(
      () => app.log.info({ posture_version: store.version, tenants: store.tenantCount }, 'posture reloaded'),
      (err: unknown) => app.log.error({ reason: err instanceof StartupError ? err.message : 'unexpected error' }, 'posture reload failed; still serving the last good posture')
    )
  })
  let closing = false
  const shutdown = (signal: string) => {
    if (closing) return
    closing = true
    app.log.info({ signal }, 'shutting down')
    const timer = setTimeout(() => {
      app.log.error('graceful shutdown timed out')
      process.exit(1)
    }, config.server.shutdown_timeout)
    timer.unref()
    app.close().then(() => process.exit(0), () => process.exit(1))
  }
  process.once('SIGTERM', () => shutdown('SIGTERM'))
  process.once('SIGINT', () => shutdown('SIGINT'))
  return app
}

function reportAuditChain (app: FastifyInstance, opened: OpenedAuditLog): void {
  if (opened.keyCreated !== undefined) {
    app.log.warn({ key_file: opened.keyCreated }, 'created the audit chain key; keep a copy apart from the logs: verifying them needs it')
  }
  if (opened.continuedFrom === undefined) app.log.info('audit chain starts at seq 1')
  else app.log.info({ seq: opened.continuedAt, file: opened.continuedFrom }, 'audit chain continues')
}

/**
 * Loads posture and evidence, then swaps them in. Evidence whose hash differs from the declared
 * one (or that is missing) is withheld, and each such item is an `evidence_integrity_failure`
 * on the audit log and an error on the application log.
 */
async function reloadPosture (config: CpxdConfig, store: PostureStore, app: FastifyInstance, auditLog: AuditLog): Promise<void> {
  const { postures, evidence } = await loadPosture(config)
  for (const failure of evidence.failures) {
    auditLog.logger.info({ event: 'evidence_integrity_failure', tenant: failure.tenant, evidence: { id: failure.id }, reason: failure.reason, detail: failure.message })
    app.log.error({ tenant: failure.tenant, evidence: failure.id, reason: failure.reason, detail: failure.message }, 'evidence withheld from every document')
  }
  await auditLog.written()
  store.replace(postures, evidence)
}

/** Prints a start-up error as one line and exits; anything else is a crash, reported briefly. */
export function exitOnStartupError (err: unknown): never {
  if (err instanceof StartupError) {
    process.stderr.write(`cpxd: ${err.message}\n`)
    process.exit(EXIT_CONFIG_ERROR)
  }
  process.stderr.write(`cpxd: could not start: ${err instanceof Error ? err.message : String(err)}\n`)
  process.exit(1)
}

if (import.meta.main) {
  const index = process.argv.indexOf('--config')
  const configPath = index === -1 ? undefined : process.argv[index + 1]
  startServer(configPath, process.env).catch(exitOnStartupError)
}
