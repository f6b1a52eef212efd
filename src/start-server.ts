import type { FastifyInstance } from 'fastify'
import { buildApp } from './app.ts'
import { openAuditLog, type OpenedAuditLog } from './audit/audit-logger.ts'
import { loadConfig, resolveConfigPath } from './config/loader.ts'
import type { CpxdConfig } from './config/schema.ts'
import { readSecrets } from './config/secrets.ts'
import { pidFileOwner, removePidFile, writePidFile } from './fs/pid-file.ts'
import { compactHeap } from './heap-compaction.ts'
import { EXIT_CONFIG_ERROR, StartupError } from './startup-error.ts'

/**
 * Starts cpxd: load and validate the config and its secrets (any error stops start-up with file,
 * path and reason, exit 2), listen at once, then load posture while /healthz answers and /readyz
 * reports progress, and compact the heap before serving it; a posture that cannot be loaded stops
 * the process the same way. SIGHUP reopens the audit file and reloads the config, its secrets and
 * posture, keeping the last good set when anything fails; SIGTERM/SIGINT stop gracefully.
 */
export async function startServer (configPath: string | undefined, env: NodeJS.ProcessEnv): Promise<FastifyInstance> {
  const { file, config } = loadConfig(resolveConfigPath(configPath, env), env)
  const secrets = readSecrets(config, env, file)
  claimPidFile(config, file)
  const opened = await openAuditLog(config.audit, secrets.auditKey, file)
  const app = await buildApp(config, { auditLog: opened.log, secrets, configFile: file, env })
  reportAuditChain(app, opened)
  handleSignals(app, opened, config.server.shutdown_timeout)
  if (config.server.pid_file !== undefined) {
    const pidFile = config.server.pid_file
    writePidFile(pidFile)
    // On every way out, a start-up error after this point included.
    process.once('exit', () => { removePidFile(pidFile) })
  }
  await app.listen({ host: config.server.host, port: config.server.port })
  await app.loadPosture(() => { returnLoadGarbage(app) })
  return app
}

/** The load's garbage goes back to the system before the first answer, not whenever V8 gets to it. */
function returnLoadGarbage (app: FastifyInstance): void {
  const compaction = compactHeap()
  if ('failed' in compaction) {
    app.log.warn({ reason: compaction.failed }, 'heap not compacted after loading; serving anyway')
    return
  }
  const mb = (bytes: number) => Math.round(bytes / 1048576)
  app.log.info({ heap_mb_before: mb(compaction.physicalBefore), heap_mb_after: mb(compaction.physicalAfter), pause_ms: Math.round(compaction.pauseMs) }, 'heap compacted after loading')
}

/** Two servers must not take turns overwriting one pid file: `cpxd reload` would signal the wrong one. */
function claimPidFile (config: CpxdConfig, file: string): void {
  const pidFile = config.server.pid_file
  if (pidFile === undefined) return
  const owner = pidFileOwner(pidFile)
  if (owner !== undefined && owner !== process.pid) {
    throw new StartupError(file, 'server.pid_file', `${pidFile} belongs to a running process (pid ${owner}); stop it first, or give this server its own pid_file`)
  }
}

/**
 * Installed before the server listens: a SIGTERM that arrives as soon as the port is open (an
 * orchestrator changing its mind) still stops cpxd gracefully.
 */
function handleSignals (app: FastifyInstance, opened: OpenedAuditLog, shutdownTimeout: number): void {
  process.on('SIGHUP', () => {
    // logrotate renames the file, then signals: lines already written stay in the renamed file.
    try {
      opened.log.reopen()
    } catch (err) {
      app.log.error({ reason: (err as Error).message }, 'audit log could not be reopened; the next write retries')
    }
    void app.reloadConfig()
  })
  let closing = false
  const shutdown = (signal: string) => {
    if (closing) return
    closing = true
    app.log.info({ signal }, 'shutting down')
    const timer = setTimeout(() => {
      app.log.error('graceful shutdown timed out')
      process.exit(1)
    }, shutdownTimeout)
    timer.unref()
    app.close().then(() => process.exit(0), () => process.exit(1))
  }
  process.once('SIGTERM', () => { shutdown('SIGTERM') })
  process.once('SIGINT', () => { shutdown('SIGINT') })
}

function reportAuditChain (app: FastifyInstance, opened: OpenedAuditLog): void {
  if (opened.keyCreated !== undefined) {
    app.log.warn({ key_file: opened.keyCreated }, 'created the audit chain key; keep a copy apart from the logs: verifying them needs it')
  }
  if (opened.continuedFrom === undefined) app.log.info('audit chain starts at seq 1')
  else app.log.info({ seq: opened.continuedAt, file: opened.continuedFrom }, 'audit chain continues')
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
