import { basename } from 'node:path'
import fp from 'fastify-plugin'
import { loadConfig } from '../../config/loader.ts'
import { restartOnlyChanges } from '../../config/restart-only.ts'
import type { CpxdConfig } from '../../config/schema.ts'
import { readSecrets, type Secrets } from '../../config/secrets.ts'
import { StartupError } from '../../startup-error.ts'

/** A config read again, with its secrets, for each reloadable part to prepare from. */
export interface NextConfig {
  readonly config: CpxdConfig
  readonly secrets: Secrets
  readonly file: string
}

/**
 * A part's first phase of a reload: build everything the new config needs, throwing (a
 * StartupError names file, path and reason) when it cannot; nothing is changed yet. It returns
 * the second phase, which only swaps what it built in and cannot fail.
 */
export type ReloadPreparer = (next: NextConfig) => Promise<() => void> | (() => void)

/** The outcome of the last reload, for /readyz and the operator. */
export interface ReloadRecord {
  readonly ok: boolean
  readonly at: string
  /** Why it failed (then nothing changed). */
  readonly reason?: string
  /** Settings that changed but wait for a restart. */
  readonly needs_restart?: readonly string[]
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Registers a part's reload, in registration order; posture, which is slowest, comes last. */
    onConfigReload: (name: string, prepare: ReloadPreparer) => void
    /**
     * SIGHUP and `cpxd reload`: reads the config file and every secret it names again, prepares each
     * part, then swaps all of them in. When anything fails, nothing changes and the log says why.
     */
    reloadConfig: () => Promise<ReloadRecord>
    /** Undefined until the first reload. */
    lastReload: () => ReloadRecord | undefined
    /** Reloads since start, by outcome. */
    reloadCounts: () => { readonly ok: number, readonly failed: number }
  }
}

export interface ConfigReloadOptions {
  readonly config: CpxdConfig
  readonly configFile: string
  /** The environment the config's `*_env` names are read from, at start and at each reload. */
  readonly env: NodeJS.ProcessEnv
}

export default fp<ConfigReloadOptions>(async function configReload (app, opts) {
  const parts: Array<{ name: string, prepare: ReloadPreparer }> = []
  let running = opts.config
  let last: ReloadRecord | undefined
  const counts = { ok: 0, failed: 0 }

  async function reloadOnce (): Promise<ReloadRecord> {
    const at = new Date().toISOString()
    try {
      const { config, file } = loadConfig(opts.configFile, opts.env)
      const next = { config, file, secrets: readSecrets(config, opts.env, file) }
      const commits: Array<() => void> = []
      for (const part of parts) commits.push(await part.prepare(next))
      for (const commit of commits) commit()
      const needsRestart = restartOnlyChanges(running, config)
      running = config
      last = { ok: true, at, ...(needsRestart.length > 0 ? { needs_restart: needsRestart } : {}) }
      counts.ok += 1
      if (needsRestart.length > 0) app.log.warn({ settings: needsRestart }, 'config reloaded; these settings take effect only at the next restart')
      app.log.info('config reloaded')
    } catch (err) {
      counts.failed += 1
      if (!(err instanceof StartupError)) app.log.error({ err }, 'config reload crashed')
      app.log.error({ reason: err instanceof StartupError ? err.message : 'unexpected error' }, 'config reload failed; still running on the last good config and posture')
      // /readyz is reachable by anyone who reaches the port: it names the file, not where it lives.
      last = { ok: false, at, reason: err instanceof StartupError ? `${basename(err.file)}: ${err.path === '' ? '' : `${err.path}: `}${err.reason}` : 'unexpected error (see the server log)' }
    }
    return last
  }

  app.decorate('onConfigReload', function onConfigReload (name: string, prepare: ReloadPreparer) {
    parts.push({ name, prepare })
  })
  app.decorate('reloadConfig', coalesced(reloadOnce))
  app.decorate('lastReload', () => last)
  app.decorate('reloadCounts', () => ({ ...counts }))
  // A log level is the one setting of the app itself that a reload can change.
  app.onConfigReload('log', ({ config }) => () => { app.log.level = config.log.level })
}, { name: 'config-reload' })

/**
 * One run of `task` at a time; a call during a run gets one more run afterwards, shared by every
 * call made meanwhile (a burst of signals reloads twice, not once per signal).
 */
function coalesced<T> (task: () => Promise<T>): () => Promise<T> {
  let current: Promise<T> | undefined
  let queued: Promise<T> | undefined
  const run = (): Promise<T> => {
    if (current === undefined) {
      current = task().finally(() => { current = undefined })
      return current
    }
    queued ??= current.then(() => {
      queued = undefined
      return run()
    })
    return queued
  }
  return run
}
