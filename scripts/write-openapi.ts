// npm run openapi: writes docs/openapi.json, the OpenAPI 3.1 document of cpxd's API, from the
// route schemas (the same document the server serves at /openapi.json). A test fails while the
// committed file differs from what the server serves.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { discardingAuditLog } from '../src/audit/audit-logger.ts'
import { buildApp } from '../src/app.ts'
import { configSchema } from '../src/config/schema.ts'
import type { Secrets } from '../src/config/secrets.ts'

// The document depends on the routes only: any valid config, no secrets, an audit log that writes nothing.
const config = configSchema.parse({ log: { level: 'silent' } })
const secrets: Secrets = { gatewayKey: undefined, jwtKeys: [], auditKey: { secret: Buffer.alloc(32) }, tls: undefined, signing: undefined, rateLimitRedisUrl: undefined, postureStoreUrl: undefined }
const app = await buildApp(config, { auditLog: discardingAuditLog(), secrets, configFile: 'openapi' })
await app.ready()
writeFileSync(join(import.meta.dirname, '..', 'docs', 'openapi.json'), `${JSON.stringify(app.swagger(), null, 2)}\n`)
await app.close()
