import { existsSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { build, KEYS } from '../helpers/build.ts'
import { expectError } from '../helpers/expect-error.ts'
import { scratchDir } from '../helpers/tmp.ts'

// /dev/full fails every write with ENOSPC: a disk that is full, for real.
describe.skipIf(!existsSync('/dev/full'))('when the audit log cannot be written', () => {
  it('refuses with 503 (fail closed), then recovers by itself once the log is writable again', async () => {
    const file = join(scratchDir(), 'audit.log')
    symlinkSync('/dev/full', file)
    const t = await build({ audit: { file } })
    const refused = await t.app.inject({ url: '/cpx/acme', headers: { 'x-api-key': KEYS.acmeCustomer } })
    expectError(refused, 503, 'CPXD_ERR_UNAVAILABLE', 'the audit log cannot be written; retry later')
    expect(refused.headers['retry-after']).toBe('5')
    expect(refused.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'")
    expect(refused.body).not.toContain('frameworks')
    expect(t.app.auditWriteFailures()).toBe(1)
    expect(await t.app.cpxdMetrics.getSingleMetricAsString('cpxd_audit_write_failures_total')).toMatch(/^cpxd_audit_write_failures_total 1$/m)

    // The disk has room again: the path now names a writable file.
    rmSync(file)
    const served = await t.app.inject({ url: '/cpx/acme', headers: { 'x-api-key': KEYS.acmeCustomer } })
    expect(served.statusCode).toBe(200)
    expect(readFileSync(file, 'utf8')).toContain(String(served.headers['x-request-id']))
    await t.app.close()
  })

  it('does not hand out evidence it could not record', async () => {
    const file = join(scratchDir(), 'audit.log')
    const t = await build({ audit: { file } })
    const body = (await t.app.inject({ url: '/cpx/acme', headers: { 'x-api-key': KEYS.auditorAll } })).json()
    const link = new URL(body.evidence_refs[0].url)
    rmSync(file)
    symlinkSync('/dev/full', file)
    const res = await t.app.inject({ url: `${link.pathname}${link.search}` })
    expectError(res, 503, 'CPXD_ERR_UNAVAILABLE', 'the audit log cannot be written; retry later')
    expect(res.headers['content-disposition']).toBeUndefined()
    expect(res.headers['repr-digest']).toBeUndefined()
    await t.app.close()
  })

  it('answers anyway when configured to fail open', async () => {
    const file = join(scratchDir(), 'audit.log')
    symlinkSync('/dev/full', file)
    const t = await build({ audit: { file, fail_closed: false } })
    expect((await t.app.inject('/cpx')).statusCode).toBe(200)
    await t.app.close()
  })
})
