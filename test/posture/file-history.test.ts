import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { FileHistory } from '../../src/posture/file-history.ts'
import { publishToFiles } from '../../src/posture/file-publisher.ts'
import { scratchDir } from '../helpers/tmp.ts'

const DAY = 86_400_000
const DOCUMENT = 'version: v1\norganization: { name: Example }\nframeworks:\n  - { name: SOC2, status: compliant, score: 1.0 }\n'

describe('the files store\'s history', () => {
  it('keeps versions for the retention, always the newest, and finds the one in force at a time', async () => {
    const dir = scratchDir({ 'posture/acme.json': '{}' })
    const opts = { postureDir: join(dir, 'posture'), historyDir: join(dir, 'history') }
    const now = Date.parse('2026-11-26T00:00:00Z')
    const published = [400, 200, 10].map((daysAgo) => publishToFiles(opts, 'acme', Buffer.from(DOCUMENT), 'api_key:ci', 'compliant', new Date(now - daysAgo * DAY)))
    // A tenant keeps its file name, whatever the format published.
    expect(readdirSync(join(dir, 'posture'))).toEqual(['acme.json'])
    expect(readFileSync(join(dir, 'posture', 'acme.json'), 'utf8')).toBe(DOCUMENT)

    const history = new FileHistory(opts.historyDir, 365 * DAY)
    expect((await history.versions('acme', now)).map((v) => v.id)).toEqual([published[2]?.id, published[1]?.id])
    expect((await history.inForceAt('acme', now - 100 * DAY))?.record.id).toBe(published[1]?.id)
    expect(await history.inForceAt('acme', now - 500 * DAY)).toBeUndefined()
    expect((await history.read('acme', published[0]?.id as string))?.document.frameworks[0]?.name).toBe('SOC2')

    expect(await history.prune('acme', now)).toBe(1)
    expect(readdirSync(join(dir, 'history', 'acme'))).toHaveLength(4)
    // Long after the last publish, the newest version is still kept.
    expect(await history.prune('acme', now + 10 * 365 * DAY)).toBe(1)
    expect((await history.versions('acme', now + 10 * 365 * DAY)).map((v) => v.id)).toEqual([published[2]?.id])
  })
})
