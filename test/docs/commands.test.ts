import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = join(import.meta.dirname, '..', '..')
const DOCS = ['README.md', 'SECURITY.md', 'config/cpxd.yaml', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)]

/** Every line of a shell example in the docs, with its file and line number. */
function shellLines (): Array<{ where: string, text: string }> {
  return DOCS.flatMap((doc) => {
    let inBlock = false
    let language = ''
    return readFileSync(join(ROOT, doc), 'utf8').split('\n').flatMap((text, index) => {
      if (text.startsWith('```')) {
        inBlock = !inBlock
        language = text.slice(3).trim()
        return []
      }
      return inBlock && ['sh', 'bash', 'console', ''].includes(language) ? [{ where: `${doc}:${index + 1}`, text }] : []
    })
  })
}

describe('commands in the docs', () => {
  it('run the CLI one way in a checkout, `npx cpxd`: bare `cpxd` is not on the PATH there', () => {
    const bare = shellLines().filter(({ text }) => /(^|[|;&]\s*)cpxd\s/.test(text.trimStart()) && !text.includes('exec'))
    expect(bare.map(({ where, text }) => `${where}: ${text}`)).toEqual([])
  })

  it('never mix in `npm run cpxd --`', () => {
    const mixed = DOCS.filter((doc) => readFileSync(join(ROOT, doc), 'utf8').includes('npm run cpxd'))
    expect(mixed).toEqual([])
  })
})
