import { createHash } from 'node:crypto'
import type { Tier } from '../auth/tier.ts'
import { frameworkKey, type PostureDocument } from './document.ts'
import { CONTENT_TYPES, serialize, type Format, type Profile } from './formats.ts'
import { toStrictProfile } from './strict-profile.ts'
import { buildView, type PostureView } from './views.ts'

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

  constructor (document: PostureDocument) {
    this.document = document
  }

  /** Looks only at what the tier sees, so a filter cannot reveal that a hidden framework exists. */
  hasFramework (tier: Tier, key: string): boolean {
    return frameworksOf(this.view(tier)).some((f) => frameworkKey(f.name) === key)
  }

  /** Builds the unfiltered JSON bodies now, so that the first request is as fast as the rest. */
  warm (): this {
    for (const tier of ['public', 'customer', 'auditor'] as const) {
      this.render({ tier, format: 'json', profile: 'full', framework: undefined })
    }
    return this
  }

  render (request: RenderRequest): RenderedBody {
    const key = `${request.tier}|${request.format}|${request.profile}|${request.framework ?? ''}`
    let rendered = this.bodies.get(key)
    if (rendered === undefined) {
      rendered = this.build(request)
      this.bodies.set(key, rendered)
    }
    return rendered
  }

  private build ({ tier, format, profile, framework }: RenderRequest): RenderedBody {
    let view = this.view(tier)
    if (framework !== undefined) {
      const frameworks = frameworksOf(view).filter((f) => frameworkKey(f.name) === framework)
      view = { ...view, frameworks }
    }
    if (profile === 'strict') view = toStrictProfile(view)
    const body = serialize(view, format)
    const digest = createHash('sha256').update(body).digest('base64url').slice(0, 27)
    return { body, etag: `"${digest}"`, contentType: CONTENT_TYPES[format] }
  }

  private view (tier: Tier): PostureView {
    let view = this.views.get(tier)
    if (view === undefined) {
      view = buildView(this.document, tier)
      this.views.set(tier, view)
    }
    return view
  }
}

function frameworksOf (view: PostureView): Array<{ name: string }> {
  return view.frameworks as Array<{ name: string }>
}
