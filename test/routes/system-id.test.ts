import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadPostureFile } from '../../src/posture/loader.ts'
import { build, KEYS, type TestApp } from '../helpers/build.ts'
import { expectError } from '../helpers/expect-error.ts'
import { startupErrorFrom } from '../helpers/startup-error.ts'
import { scratchDir } from '../helpers/tmp.ts'

const FRAMEWORKS = [
  'frameworks:',
  '  - { name: SOC2, status: compliant, score: 1 }',
  '  - { name: ISO27001, status: partial, score: 0.9 }',
  '  - { name: HIPAA, status: compliant, score: 1 }'
].join('\n')

describe('?system_id=', () => {
  let t: TestApp
  beforeAll(async () => {
    const dir = scratchDir({
      '_default.yaml': `${FRAMEWORKS}\nsystems:\n  - { id: api, name: Public API, frameworks: [SOC2, ISO 27001] }\n  - { id: health-cloud, frameworks: [HIPAA] }\n  - { id: everything }\n`,
      'acme.yaml': `${FRAMEWORKS}\n`
    })
    t = await build({ posture_dir: dir })
  })
  afterAll(async () => { await t.app.close() })

  const names = async (url: string, headers: Record<string, string> = {}) => (await t.app.inject({ url, headers })).json().frameworks.map((f: { name: string }) => f.name)

  it('selects the frameworks of one system the posture file names; a system without a list covers all', async () => {
    expect(await names('/cpx?system_id=api')).toEqual(['SOC2', 'ISO27001'])
    expect(await names('/cpx?system_id=health-cloud')).toEqual(['HIPAA'])
    expect(await names('/cpx?system_id=everything')).toEqual(['SOC2', 'ISO27001', 'HIPAA'])
    expect(await names('/cpx')).toEqual(['SOC2', 'ISO27001', 'HIPAA'])
    expect(await names('/cpx?system_id=api&framework=soc2')).toEqual(['SOC2'])
  })

  it('gives a file that names none one system, "default", and never serves the list', async () => {
    const headers = { 'x-api-key': KEYS.acmeCustomer }
    expect(await names('/cpx/acme?system_id=default', headers)).toEqual(['SOC2', 'ISO27001', 'HIPAA'])
    expect((await t.app.inject('/cpx?profile=full')).body).not.toContain('health-cloud')
  })

  it('answers an unknown system 404 and a malformed id 400, and audits the parameter', async () => {
    expectError(await t.app.inject('/cpx?system_id=billing'), 404, 'CPXD_ERR_NOT_FOUND', 'no system in this posture matches system_id')
    expect(t.auditLines().at(-1)).toMatchObject({ status: 404, params: { system_id: 'billing' } })
    expectError(await t.app.inject('/cpx?system_id=Bad%20Id'), 400, 'CPXD_ERR_BAD_REQUEST', 'system_id must match ^[a-z0-9][a-z0-9._-]{0,62}$')
  })

  it('refuses a system naming a framework the posture does not have, naming file and path', () => {
    const dir = scratchDir({ 'acme.yaml': `${FRAMEWORKS}\nsystems: [{ id: api, frameworks: [PCI-DSS] }]\n` })
    const err = startupErrorFrom(() => loadPostureFile(`${dir}/acme.yaml`))
    expect(err.path).toBe('systems[0].frameworks[0]')
    expect(err.reason).toMatch(/^no framework "PCI-DSS" in this posture/)
  })
})
