import { readdirSync, statSync } from 'node:fs'
import { extname, join } from 'node:path'
import { parseSource, parseWith, readSourceFile } from '../config/source-file.ts'
import { StartupError } from '../startup-error.ts'
import { documentSchema, type PostureDocument, type PostureInput } from './document.ts'
import { RenderedPosture } from './rendered-posture.ts'
import { rollupPosture } from './rollup.ts'
import { DEFAULT_POSTURE, isTenantId, RESERVED_TENANT_IDS } from '../domain/tenant-id.ts'
import type { PostureSet } from './posture-version.ts'

export const POSTURE_EXTENSIONS: ReadonlySet<string> = new Set(['.yaml', '.yml', '.json'])

/** Loads and renders a folder of postures without evidence (tests, `cpxd check`). */
export function loadPostureDir (dir: string): PostureSet {
  return new Map([...loadPostureDocuments(dir)].map(([tenant, doc]) => [tenant, new RenderedPosture(doc).warm()]))
}

/** One posture file of a folder, and the tenant its name makes it. */
export interface PostureFile {
  readonly tenant: string
  readonly file: string
}

/**
 * The posture files of a folder, in name order: `<dir>/<tenant>.yaml|.yml|.json` and
 * `<dir>/_default.*`. A name that cannot be a tenant, or two files for one tenant, fails the whole
 * load. Files with other extensions (a README, a backup) are ignored.
 */
export function postureFiles (dir: string): PostureFile[] {
  let names: string[]
  try {
    names = readdirSync(dir).sort()
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new StartupError(dir, '', code === 'ENOENT' ? 'posture folder not found' : `posture folder cannot be read (${code ?? 'error'})`)
  }
  const files: PostureFile[] = []
  const seen = new Set<string>()
  for (const name of names) {
    const extension = extname(name)
    if (!POSTURE_EXTENSIONS.has(extension)) continue
    const file = join(dir, name)
    const tenant = name.slice(0, -extension.length)
    if (RESERVED_TENANT_IDS.has(tenant)) {
      throw new StartupError(file, '', `"${tenant}" cannot be a tenant: /cpx/${tenant} is a path of cpxd's own`)
    }
    if (tenant !== DEFAULT_POSTURE && !isTenantId(tenant)) {
      throw new StartupError(file, '', `file name must be ${DEFAULT_POSTURE}${extension} or <tenant>${extension} with a tenant id matching ^[a-z0-9][a-z0-9-]{0,62}$`)
    }
    if (seen.has(tenant)) {
      throw new StartupError(file, '', `a second posture file for "${tenant}"; keep one of .yaml, .yml or .json`)
    }
    seen.add(tenant)
    files.push({ tenant, file })
  }
  return files
}

/**
 * Reads every posture of a folder (`files`: its postureFiles, when already listed). Any bad file
 * fails the whole load with file, path and reason, so a posture is never served half-applied.
 */
export function loadPostureDocuments (dir: string, files: readonly PostureFile[] = postureFiles(dir)): Map<string, PostureDocument> {
  return new Map(files.map(({ tenant, file }) => [tenant, loadPostureFile(file)]))
}

export function loadPostureFile (file: string): PostureDocument {
  return fileDocument(file, parseWith(readSourceFile(file), documentSchema))
}

/** A posture file's document once valid: a file without a timestamp is as fresh as its last edit. */
export function fileDocument (file: string, doc: PostureInput): PostureDocument {
  return completeDocument(doc, () => statSync(file).mtime.toISOString())
}

/**
 * A posture from text (a published version), checked as a file is; `name` is how errors name it,
 * and a document without a timestamp takes `timestamp`.
 */
export function parsePostureText (name: string, text: string, timestamp: () => string): PostureDocument {
  return completeDocument(parseWith(parseSource(name, text), documentSchema), timestamp)
}

/** What every posture gets when its file leaves it out: a timestamp, and the rolled-up posture. */
function completeDocument (doc: PostureInput, timestamp: () => string): PostureDocument {
  return {
    ...doc,
    timestamp: doc.timestamp ?? timestamp(),
    compliance_posture: doc.compliance_posture ?? rollupPosture(doc.frameworks.map((f) => f.status))
  }
}
