import type { FastifyInstance } from 'fastify'
import { buildApp } from './app.ts'
import { loadConfig, resolveConfigPath } from './config/loader.ts'
import { loadPostureDir } from './posture/loader.ts'
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
  store.replace(loadPostureDir(config.posture_dir))
  const app = await buildApp(config, { store, env, configFile: file })
  await app.listen({ host: config.server.host, port: config.server.port })

  process.on('SIGHUP', () => {
    try {
      store.replace(loadPostureDir(config.posture_dir))
      app.log.info({ posture_version: store.version, tenants: store.tenantCount }, 'posture reloaded')
    } catch (err) {
      app.log.error({ reason: err instanceof StartupError ? err.message : 'unexpected error' }, 'posture reload failed; still serving the last good posture')
    }
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
