import { randomBytes } from 'node:crypto'
import type { Tier } from '../domain/tier.ts'
import { etagOf } from '../etag.ts'
import { PLAIN_URL, type MintedLink, type MintLink } from '../evidence/gateway-links.ts'
import { frameworkKey, type PostureDocument } from './document.ts'
import { CONTENT_TYPES, serialize, stringifyYaml, type Format, type Profile } from './formats.ts'
import { specMetricsText } from './spec-metrics.ts'
import { toStandardProfile } from './standard-profile.ts'
import { toStrictProfile } from './strict-profile.ts'
import { buildView, type EvidenceLinkFor, type PostureView } from './views.ts'

/** A serialized auditor body with holes where each request's links go. */
interface LinkTemplate {
  /** Text, then a slot, then text, ...: always one more text part than slots. UTF-8, encoded once. */
  readonly texts: readonly Buffer[]
  /** Their byte lengths added up. */
  readonly textBytes: number
  /** Which item's link fills the slot: an index into `itemIds`. */
  readonly slots: ReadonlyArray<{ readonly field: 'url' | 'expires', readonly item: number }>
  /** Each item once, in order of first appearance. */
  readonly itemIds: readonly string[]
}

/**
 * A value as it goes inside a JSON string. URLs and ISO dates never need escaping (no quote,
 * backslash or control character), so the common case skips JSON.stringify.
 */
function jsonStringContent (value: string, plain: boolean): string {
  // Printable ASCII but `"` and `\`: a test of this form costs half what a \p{Cc} one does.
  return plain || /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/.test(value) ? value : JSON.stringify(value).slice(1, -1)
}

/**
 * A value as a whole YAML scalar: plain when it is a plain URL (PLAIN_URL: nothing in it YAML could
 * read as syntax or as another type), else double-quoted, which YAML reads as JSON does (an expiry
 * time is, so no YAML reader takes it for a date).
 */
function yamlScalar (value: string, plain: boolean): string {
  return plain || PLAIN_URL.test(value) ? value : JSON.stringify(value)
}

/**
 * Text parts and slot values, alternating, written straight into one buffer of `bytes` bytes:
 * concatenating strings first made a rope that had to be flattened, then encoded as a whole.
 */
function joinParts (texts: readonly Buffer[], values: readonly string[], bytes: number): Buffer {
  const body = Buffer.allocUnsafe(bytes)
  let at = (texts[0] as Buffer).copy(body, 0)
  for (let index = 0; index < values.length; index++) {
    at += body.write(values[index] as string, at)
    at += (texts[index + 1] as Buffer).copy(body, at)
  }
  // Never send memory that was not written over.
  if (at !== bytes) throw new Error(`filled ${at} of ${bytes} bytes of an answer`)
  return body
}

/** Bytes ready to send, with the headers that describe them. */
export interface RenderedBody {
  readonly body: Buffer
  readonly etag: string
  readonly contentType: string
}

export interface RenderRequest {
  readonly tier: Tier
  readonly format: Format
  readonly profile: Profile
  /** A framework key from `frameworkKey`, or undefined for every framework. */
  readonly framework: string | undefined
  /** A system id the posture has (`hasSystem`), or undefined for all of them. */
  readonly system?: string | undefined
}

/**
 * One posture document with every response it can produce, built and serialized at most once
 * per posture version: the views hold no per-request data, so the hot path is a Map lookup.
 * The key space is bounded (3 tiers x 2 formats x 2 profiles x (frameworks + 1)), because a
 * framework filter that names no framework is answered before it gets here.
 */
export class RenderedPosture {
  readonly document: PostureDocument
  private readonly views = new Map<Tier, PostureView>()
  private readonly bodies = new Map<string, RenderedBody>()
  private readonly templates = new Map<string, LinkTemplate>()
  private readonly metricsTexts = new Map<Tier, Promise<string>>()
  /** Evidence items that auditors get links for. */
  private readonly linkedItems: ReadonlySet<string>
  /** Of those, the public ones: every tier gets links for them. */
  private readonly publicLinkedItems: ReadonlySet<string>
  /** Unguessable by posture authors, so no posture text can pose as a link slot. */
  private readonly slotMark = `cpxd-slot-${randomBytes(12).toString('hex')}`

  constructor (document: PostureDocument, linkedItems: ReadonlySet<string> = new Set(), publicLinkedItems: ReadonlySet<string> = new Set()) {
    this.document = document
    this.linkedItems = linkedItems
    this.publicLinkedItems = publicLinkedItems
  }

  /** Looks only at what the tier sees, so a filter cannot reveal that a hidden framework exists. */
  hasFramework (tier: Tier, key: string): boolean {
    return frameworksOf(this.view(tier)).some((f) => frameworkKey(f.name) === key)
  }

  /** Builds the unfiltered JSON bodies now, so that the first request is as fast as the rest. */
  warm (): this {
    for (const tier of ['public', 'customer', 'auditor'] as const) {
      this.render({ tier, format: 'json', profile: 'standard', framework: undefined })
    }
    return this
  }

  /**
   * Whether this tier's answers carry evidence links (then use renderWithLinks): auditors' when
   * there is any evidence, everyone's when there is public evidence.
   */
  hasLinks (tier: Tier): boolean {
    return tier === 'auditor' ? this.linkedItems.size > 0 : this.publicLinkedItems.size > 0
  }

  /** Whether this tier's answers link to the item: what a gateway link's grant lets it download. */
  linksTo (tier: Tier, itemId: string): boolean {
    return (tier === 'auditor' ? this.linkedItems : this.publicLinkedItems).has(itemId)
  }

  /** The body for a request (anything but an auditor's answer with evidence links). */
  render (request: RenderRequest): RenderedBody {
    const key = renderKey(request)
    let rendered = this.bodies.get(key)
    if (rendered === undefined) {
      rendered = this.build(request)
      this.bodies.set(key, rendered)
    }
    return rendered
  }

  /**
   * An answer with evidence links minted for this request only: the body is serialized once with
   * slots, and each request fills them (no ETag, since no two answers are alike).
   */
  async renderWithLinks (request: RenderRequest, mint: MintLink): Promise<RenderedBody> {
    const key = renderKey(request)
    let template = this.templates.get(key)
    if (template === undefined) {
      template = this.buildTemplate(request)
      this.templates.set(key, template)
    }
    const minted: MintedLink[] = []
    let pending: Array<Promise<void>> | undefined
    for (let index = 0; index < template.itemIds.length; index++) {
      const link = mint(template.itemIds[index] as string)
      // Only await what is really asynchronous: a promise per link cost more than the link.
      if (link instanceof Promise) (pending ??= []).push(link.then((value) => { minted[index] = value }))
      else minted[index] = link
    }
    if (pending !== undefined) await Promise.all(pending)
    // Serialized once per version, in either format: a request only fills the slots, so a large
    // YAML answer costs what the JSON one does (it once parsed and re-serialized the whole body).
    const fill = request.format === 'json' ? jsonStringContent : yamlScalar
    // Every link of an answer shares its expiry: escaped once, not once per slot.
    let expires: string | undefined
    let expiresText = ''
    const values: string[] = []
    let bytes = template.textBytes
    for (const slot of template.slots) {
      const link = minted[slot.item] as MintedLink
      let text: string
      if (slot.field === 'url') {
        text = fill(link.url, link.urlIsPlain === true)
      } else {
        if (link.expires !== expires) {
          expires = link.expires
          expiresText = fill(expires, false)
        }
        text = expiresText
      }
      values.push(text)
      bytes += Buffer.byteLength(text)
    }
    return { body: joinParts(template.texts, values, bytes), etag: '', contentType: CONTENT_TYPES[request.format] }
  }

  private buildTemplate (request: RenderRequest): LinkTemplate {
    const linkFor: EvidenceLinkFor = (itemId) => this.linkedItems.has(itemId)
      ? { url: `${this.slotMark}:url:${itemId}`, expires: `${this.slotMark}:expires:${itemId}` }
      : undefined
    const view = this.shape(buildView(this.document, request.tier, linkFor), request)
    // In YAML a slot is a whole scalar, and is filled with a whole scalar (quotes included).
    const text = request.format === 'json' ? JSON.stringify(view) : stringifyYaml(view)
    const quote = request.format === 'json' ? '' : '["\']?'
    const parts = text.split(new RegExp(`${quote}${this.slotMark}:(url|expires):([a-z0-9._-]+)${quote}`))
    const texts: Buffer[] = []
    const slots: Array<{ field: 'url' | 'expires', item: number }> = []
    const itemIds: string[] = []
    const indexOf = new Map<string, number>()
    for (let i = 0; i < parts.length; i += 3) {
      texts.push(Buffer.from(parts[i] as string))
      if (i + 2 >= parts.length) continue
      const id = parts[i + 2] as string
      let item = indexOf.get(id)
      if (item === undefined) {
        item = itemIds.push(id) - 1
        indexOf.set(id, item)
      }
      slots.push({ field: parts[i + 1] as 'url' | 'expires', item })
    }
    return { texts, textBytes: texts.reduce((sum, part) => sum + part.length, 0), slots, itemIds }
  }

  /** Whether `?system_id=` names one of this posture's systems. */
  hasSystem (id: string): boolean {
    return this.document.systems.some((system) => system.id === id)
  }

  /** The system and framework filters and the profile, applied to a view. */
  private shape (view: PostureView, { framework, profile, system }: RenderRequest): PostureView {
    let shaped = view
    const covered = this.document.systems.find((s) => s.id === system)?.frameworks?.map(frameworkKey)
    if (covered !== undefined) shaped = { ...shaped, frameworks: frameworksOf(shaped).filter((f) => covered.includes(frameworkKey(f.name))) }
    if (framework !== undefined) shaped = { ...shaped, frameworks: frameworksOf(shaped).filter((f) => frameworkKey(f.name) === framework) }
    if (profile === 'strict') return toStrictProfile(shaped)
    return profile === 'standard' ? toStandardProfile(shaped) : shaped
  }

  private build (request: RenderRequest): RenderedBody {
    const { tier, format } = request
    const view = this.shape(this.view(tier), request)
    const body = serialize(view, format)
    return { body, etag: etagOf(body), contentType: CONTENT_TYPES[format] }
  }

  /** The spec's Prometheus metrics for what this tier sees, built once per version. */
  metrics (tier: Tier): Promise<string> {
    let text = this.metricsTexts.get(tier)
    if (text === undefined) {
      text = specMetricsText([{ view: this.view(tier) }])
      this.metricsTexts.set(tier, text)
    }
    return text
  }

  /** What a tier sees of this posture, before profiles and filters. */
  view (tier: Tier): PostureView {
    let view = this.views.get(tier)
    if (view === undefined) {
      view = buildView(this.document, tier)
      this.views.set(tier, view)
    }
    return view
  }
}

/** One cached body or template per distinct request. */
function renderKey (request: RenderRequest): string {
  return `${request.tier}|${request.format}|${request.profile}|${request.framework ?? ''}|${request.system ?? ''}`
}

function frameworksOf (view: PostureView): Array<{ name: string }> {
  return view.frameworks as Array<{ name: string }>
}
