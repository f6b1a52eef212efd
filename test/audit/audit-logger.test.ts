import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { createAuditLog, isoTimeOncePerMillisecond, openAuditLog } from '../../src/audit/audit-logger.ts'
import { readAuditKeySecret } from '../../src/config/secrets.ts'
import { StartupError } from '../../src/startup-error.ts'
import { scratchDir } from '../helpers/tmp.ts'

describe('the audit logger', () => {
  it('formats a time as pino isoTime does, once per millisecond', () => {
    let now = Date.parse('2026-11-23T09:00:00.123Z')
    const time = isoTimeOncePerMillisecond(() => now)
    expect(time()).toBe(',"time":"2026-11-23T09:00:00.123Z"')
    now += 1
    expect(time()).toBe(',"time":"2026-11-23T09:00:00.124Z"')
    expect(time()).toBe(pino.stdTimeFunctions.isoTime().replace(/"[^"]*"$/, '"2026-11-23T09:00:00.124Z"'))
  })

  it('writes its own lines, marked as audit lines, with paths a caller should never log blanked', async () => {
    const file = join(scratchDir(), 'audit.log')
    const audit = createAuditLog(file)
    audit.logger.info({ event: 'x', headers: { cookie: 'c' }, params: { tenant: 'acme', sig: 's' } })
    await audit.written()
    audit.close()
    const line = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
    expect(line).toEqual({ log: 'audit', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), event: 'x', headers: '[redacted]', params: { tenant: 'acme', sig: '[redacted]' } })
  })

  it('stops start-up naming the config key when the file or its key cannot be made', async () => {
    const notADir = join(scratchDir(), 'file')
    writeFileSync(notADir, '')
    const open = (audit: { file: string, fail_closed: boolean, key_file?: string }) => openAuditLog(audit, readAuditKeySecret(audit, {}, 'cpxd.yaml'), 'cpxd.yaml')
    const keyInFile = open({ file: join(notADir, 'audit.log'), fail_closed: true })
    await expect(keyInFile).rejects.toThrow(new StartupError('cpxd.yaml', 'audit.key_file', `${join(notADir, 'audit.key')} cannot be created: EEXIST`))
    const dir = scratchDir()
    writeFileSync(join(dir, 'k'), 'k'.repeat(32))
    const logInFile = open({ file: join(notADir, 'audit.log'), fail_closed: true, key_file: join(dir, 'k') })
    await expect(logInFile).rejects.toThrow(new StartupError('cpxd.yaml', 'audit.file', `${join(notADir, 'audit.log')} cannot be opened for appending: EEXIST`))
  })
})
