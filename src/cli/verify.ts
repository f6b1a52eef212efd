import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { JSONWebKeySet } from 'jose'
import { parse as parseYaml } from 'yaml'
import { isoSeconds, unverifiedHeader, verifyDocument, verifyMessageSignature, VerificationError, type Validity } from '../signing/verify.ts'
import { UsageError } from './command.ts'

export interface VerifyRequest {
  /** An http(s) URL to fetch, or a file holding a saved JWS. */
  readonly target: string
  readonly jwksFile?: string | undefined
  readonly evidence: boolean
  /** Check the validity window at this instant instead of now (an archived document). */
  readonly at?: string | undefined
  /** Environment variables holding the caller's API key or bearer token, for tenant answers. */
  readonly apiKeyEnv?: string | undefined
  readonly tokenEnv?: string | undefined
}

export interface VerifyReport {
  readonly text: string
  /** 0: everything checks; 1: something does not. */
  readonly exitCode: number
}

/** How long one fetch (answer, keys, one evidence item) may take. */
const FETCH_TIMEOUT_MS = 30_000
/** Larger than any answer or JWKS cpxd sends; more is refused rather than held in memory. */
const MAX_ANSWER_BYTES = 64 * 1024 * 1024

interface Received {
  readonly document: Buffer | undefined
  readonly format: 'json' | 'yaml'
  readonly issuer: string | undefined
  readonly tenant: string | undefined
  readonly tier: string | undefined
  readonly validity: Validity
}

/**
 * `cpxd verify`: fetches an answer (asking for the signed JWS unless the URL names a format) or
 * reads a saved JWS, finds the issuer's keys, and checks every signature, digest and validity
 * window; with `--evidence`, downloads each evidence link and checks its sha256 and size. Every
 * failure is a line of its own; exit 0 only when nothing failed.
 */
export async function verifyTarget (request: VerifyRequest, env: NodeJS.ProcessEnv): Promise<VerifyReport> {
  const lines: string[] = []
  const failures: string[] = []
  const at = request.at === undefined ? Math.floor(Date.now() / 1000) : parseInstant(request.at)
  try {
    const received = /^https?:\/\//i.test(request.target)
      ? await fetchAnswer(request, env, at)
      : await readSavedDocument(request, at)
    lines.push(...describe(received))
    if (request.evidence && received.document !== undefined) {
      const evidence = await checkEvidence(parseDocument(received.document, received.format))
      lines.push(...evidence.lines)
      failures.push(...evidence.failures)
    }
  } catch (err) {
    if (!(err instanceof VerificationError)) throw err
    failures.unshift(err.message)
  }
  lines.push(...failures.map((failure) => `FAIL: ${failure}`))
  lines.push(failures.length === 0 ? 'verified' : `NOT VERIFIED: ${failures.length} ${failures.length === 1 ? 'failure' : 'failures'}`)
  return { text: `${lines.join('\n')}\n`, exitCode: failures.length === 0 ? 0 : 1 }
}

function parseInstant (text: string): number {
  const ms = Date.parse(text)
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text) || Number.isNaN(ms)) throw new UsageError(`--at must be an RFC 3339 time such as 2026-11-26T12:00:00Z, not "${text.slice(0, 40)}"`)
  return Math.floor(ms / 1000)
}

async function fetchAnswer (request: VerifyRequest, env: NodeJS.ProcessEnv, at: number): Promise<Received> {
  const url = new URL(request.target)
  const headers: Record<string, string> = { accept: url.searchParams.has('format') ? '*/*' : 'application/jose' }
  if (request.apiKeyEnv !== undefined) headers['x-api-key'] = secretFrom(env, request.apiKeyEnv, '--api-key-env')
  if (request.tokenEnv !== undefined) headers.authorization = `Bearer ${secretFrom(env, request.tokenEnv, '--token-env')}`
  const response = await get(url, { headers, redirect: 'error' })
  const body = await limitedBody(response, url)
  if (response.status !== 200) throw new VerificationError(`${url.origin}${url.pathname} answered ${response.status}, not 200`)
  const jwks = await keysFor(request, url.origin)
  const answerHeaders = Object.fromEntries(response.headers)
  const validity = verifyMessageSignature({ status: response.status, headers: answerHeaders, body, requestPath: url.pathname }, jwks, at)
  const tenant = /^\/cpx\/([a-z0-9-]+)$/.exec(url.pathname)?.[1]
  if ((answerHeaders['content-type'] ?? '').startsWith('application/jose')) {
    const document = await verifyDocument(body.toString(), jwks, at)
    if (document.header.cpxd_tenant !== tenant) throw new VerificationError(`the document names tenant ${String(document.header.cpxd_tenant)}, but was fetched from ${url.pathname}`)
    return fromDocument(document)
  }
  const format = (answerHeaders['content-type'] ?? '').includes('yaml') ? 'yaml' : 'json'
  return { document: body, format, issuer: url.origin, tenant, tier: undefined, validity }
}

async function readSavedDocument (request: VerifyRequest, at: number): Promise<Received> {
  let text: string
  try {
    text = readFileSync(request.target, 'utf8').trim()
  } catch (err) {
    throw new UsageError(`${request.target} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`)
  }
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(text)) {
    throw new VerificationError(`${request.target} is not a signed document: save one with ?format=jws (a JSON or YAML answer is signed only in its HTTP headers, which a file does not keep)`)
  }
  const issuer = unverifiedHeader(text).iss
  if (request.jwksFile === undefined && typeof issuer !== 'string') throw new VerificationError('the document names no issuer (iss); give its keys with --jwks FILE')
  return fromDocument(await verifyDocument(text, await keysFor(request, issuer as string), at))
}

function fromDocument (document: Awaited<ReturnType<typeof verifyDocument>>): Received {
  const { header } = document
  return {
    document: document.payload,
    format: 'json',
    issuer: typeof header.iss === 'string' ? header.iss : undefined,
    tenant: typeof header.cpxd_tenant === 'string' ? header.cpxd_tenant : undefined,
    tier: typeof header.cpxd_tier === 'string' ? header.cpxd_tier : undefined,
    validity: document
  }
}

/** `--jwks FILE`, else the issuer's published keys. */
async function keysFor (request: VerifyRequest, issuer: string): Promise<JSONWebKeySet> {
  let text: string
  let source: string
  if (request.jwksFile !== undefined) {
    source = request.jwksFile
    try {
      text = readFileSync(request.jwksFile, 'utf8')
    } catch (err) {
      throw new UsageError(`${request.jwksFile} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`)
    }
  } else {
    const url = new URL(`${issuer.replace(/\/+$/, '')}/.well-known/jwks.json`)
    source = url.href
    const response = await get(url, { redirect: 'error' })
    const body = await limitedBody(response, url)
    if (response.status !== 200) throw new VerificationError(`the issuer's keys could not be fetched: ${url.href} answered ${response.status}`)
    text = body.toString()
  }
  try {
    const jwks = JSON.parse(text) as JSONWebKeySet
    if (Array.isArray(jwks.keys)) return jwks
  } catch {}
  throw new VerificationError(`${source} is not a JWK Set`)
}

function describe (received: Received): string[] {
  const { validity } = received
  const lines = [
    `issuer:     ${received.issuer ?? '(not stated)'}`,
    `tenant:     ${received.tenant ?? "(the vendor's own posture)"}`,
    `tier:       ${received.tier ?? '(not stated in a JSON or YAML answer; a JWS states it)'}`,
    `signed at:  ${isoSeconds(validity.signedAt)} with key ${validity.kid}, valid until ${isoSeconds(validity.expiresAt)}`
  ]
  if (received.document === undefined) return lines
  const document = parseDocument(received.document, received.format)
  const organization = (document.organization as { name?: unknown } | undefined)?.name
  if (typeof organization === 'string') lines.push(`organization: ${organization}`)
  const frameworks = Array.isArray(document.frameworks) ? document.frameworks as Array<Record<string, unknown>> : []
  lines.push(`frameworks: ${frameworks.length}`)
  for (const framework of frameworks) {
    const score = typeof framework.score === 'number' ? `, score ${framework.score}` : ''
    const status = typeof framework.status === 'string' ? framework.status : 'no status'
    lines.push(`  ${typeof framework.name === 'string' ? framework.name : '(unnamed)'}: ${status}${score}`)
  }
  return lines
}

function parseDocument (bytes: Buffer, format: 'json' | 'yaml'): Record<string, unknown> {
  try {
    const value = format === 'json' ? JSON.parse(bytes.toString()) as unknown : parseYaml(bytes.toString()) as unknown
    if (typeof value === 'object' && value !== null) return value as Record<string, unknown>
  } catch {}
  throw new VerificationError('the signed document is not a posture document')
}

interface EvidenceLink {
  readonly url: string
  readonly hash: string | undefined
  readonly size: number | undefined
}

/** Every evidence entry that carries a link, wherever the profile put it. */
function evidenceLinks (value: unknown, found: Map<string, EvidenceLink> = new Map()): Map<string, EvidenceLink> {
  if (Array.isArray(value)) {
    for (const item of value) evidenceLinks(item, found)
  } else if (typeof value === 'object' && value !== null) {
    const entry = value as Record<string, unknown>
    if (typeof entry.url === 'string' && /^https?:\/\//.test(entry.url) && (typeof entry.hash === 'string' || typeof entry.sha256 === 'string')) {
      const hash = typeof entry.hash === 'string' ? entry.hash : `sha256:${String(entry.sha256)}`
      found.set(entry.url, { url: entry.url, hash, size: typeof entry.size_bytes === 'number' ? entry.size_bytes : undefined })
    }
    for (const child of Object.values(entry)) evidenceLinks(child, found)
  }
  return found
}

async function checkEvidence (document: Record<string, unknown>): Promise<{ lines: string[], failures: string[] }> {
  const links = [...evidenceLinks(document).values()]
  const lines = [`evidence:   ${links.length} ${links.length === 1 ? 'link' : 'links'} to check`]
  const failures: string[] = []
  for (const link of links) {
    const name = new URL(link.url).pathname
    try {
      const response = await get(new URL(link.url), { redirect: 'follow' })
      if (response.status !== 200) throw new VerificationError(`answered ${response.status}`)
      const { sha256, size } = await hashBody(response, link.size)
      if (link.hash !== undefined && `sha256:${sha256}` !== link.hash) throw new VerificationError(`its sha256 is ${sha256}, the document says ${link.hash.replace(/^sha256:/, '')}`)
      if (link.size !== undefined && size !== link.size) throw new VerificationError(`it is ${size} bytes, the document says ${link.size}`)
      lines.push(`  ok ${name} (${size} bytes, sha256 matches)`)
    } catch (err) {
      if (!(err instanceof VerificationError)) throw err
      failures.push(`evidence ${name}: ${err.message}`)
    }
  }
  return { lines, failures }
}

async function hashBody (response: Response, declared: number | undefined): Promise<{ sha256: string, size: number }> {
  const hash = createHash('sha256')
  let size = 0
  const limit = declared === undefined ? Number.POSITIVE_INFINITY : declared
  for await (const chunk of response.body ?? []) {
    size += (chunk as Uint8Array).byteLength
    if (size > limit) {
      await response.body?.cancel()
      throw new VerificationError(`it is larger than the ${limit} bytes the document says`)
    }
    hash.update(chunk as Uint8Array)
  }
  return { sha256: hash.digest('hex'), size }
}

async function get (url: URL, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) })
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name
    throw new VerificationError(`${url.origin}${url.pathname} cannot be fetched (${cause})`)
  }
}

async function limitedBody (response: Response, url: URL): Promise<Buffer> {
  const chunks: Uint8Array[] = []
  let size = 0
  for await (const chunk of response.body ?? []) {
    size += (chunk as Uint8Array).byteLength
    if (size > MAX_ANSWER_BYTES) {
      await response.body?.cancel()
      throw new VerificationError(`${url.origin}${url.pathname} sent more than ${MAX_ANSWER_BYTES} bytes`)
    }
    chunks.push(chunk as Uint8Array)
  }
  return Buffer.concat(chunks)
}

function secretFrom (env: NodeJS.ProcessEnv, name: string, option: string): string {
  const value = env[name]
  if (value === undefined || value === '') throw new UsageError(`${option}: ${name} is empty or not set`)
  return value
}
