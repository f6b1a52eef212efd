import { EXPIRING_SOON_MS } from './spec-metrics.ts'

/** What the page says beyond the posture: set in `trust_page`. */
export interface TrustPageOptions {
  /** Default: "<organization> trust center". */
  readonly title: string | undefined
  /** Whether `/trust/logo` serves a logo. */
  readonly hasLogo: boolean
}

type Json = Record<string, unknown>

const STATUS_TEXT: Readonly<Record<string, string>> = {
  compliant: 'Compliant',
  partial: 'Partially compliant',
  partially_compliant: 'Partially compliant',
  non_compliant: 'Not compliant',
  not_applicable: 'Not applicable',
  unknown: 'Unknown'
}

/** Escapes text for HTML content and attribute values alike. */
export function escapeHtml (value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

function text (value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? escapeHtml(String(value)) : ''
}

function date (value: unknown): string {
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) return ''
  const day = new Date(value).toISOString().slice(0, 10)
  return `<time datetime="${escapeHtml(value)}">${day}</time>`
}

/** Only links a browser may follow as they are: no `javascript:` or `data:` from a posture file. */
function safeUrl (value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined
  try {
    const url = new URL(value)
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined
  } catch {
    return undefined
  }
}

/** The next audit, plainly: overdue, due within 30 days, or when. */
function auditState (nextAudit: unknown, now: number): string {
  if (typeof nextAudit !== 'string' || Number.isNaN(Date.parse(nextAudit))) return '<span>Not stated</span>'
  const at = Date.parse(nextAudit)
  if (at <= now) return `<span class="state-bad">Expired: next audit was due ${date(nextAudit)}</span>`
  if (at - now <= EXPIRING_SOON_MS) return `<span class="state-warn">Expiring soon: next audit due ${date(nextAudit)}</span>`
  return `<span class="state-ok">Valid: next audit due ${date(nextAudit)}</span>`
}

function statusClass (status: unknown): string {
  return status === 'compliant' ? 'state-ok' : status === 'non_compliant' ? 'state-bad' : 'state-warn'
}

function frameworkCard (framework: Json, now: number): string {
  const score = typeof framework.score === 'number' ? `${Math.round(framework.score * 100)}%` : ''
  const report = safeUrl(framework.report_ref) ?? safeUrl(framework.certificate_ref)
  const rows = [
    ['Status', `<span class="${statusClass(framework.status)}">${escapeHtml(STATUS_TEXT[String(framework.status)] ?? text(framework.status))}</span>`],
    ['Score', escapeHtml(score)],
    ['Last audit', date(framework.last_audit ?? framework.last_assessment)],
    ['Auditor', text(framework.auditor ?? framework.assessor)],
    ['Report', auditState(framework.next_audit, now)]
  ].filter(([, value]) => value !== '')
  return `<li class="framework">
<h3>${text(framework.name)}${typeof framework.version === 'string' ? ` <span>${text(framework.version)}</span>` : ''}</h3>
<dl>${rows.map(([term, value]) => `<dt>${term}</dt><dd>${value}</dd>`).join('')}</dl>
${report === undefined ? '' : `<p><a href="${escapeHtml(report)}">${escapeHtml(`${String(framework.name)} report`)}</a></p>`}
</li>`
}

function documentsTable (evidence: Json[]): string {
  if (evidence.length === 0) return '<p>No public documents.</p>'
  const rows = evidence.map((ref) => {
    const url = safeUrl(ref.url)
    const name = text(ref.description ?? ref.id ?? 'Document')
    const size = typeof ref.size_bytes === 'number' ? `${Math.max(1, Math.round(ref.size_bytes / 1024))} KB` : ''
    const hash = typeof ref.hash === 'string' ? ref.hash.replace(/^sha256:/, '') : ''
    return `<tr><td>${url === undefined ? name : `<a href="${escapeHtml(url)}">${name}</a>`}</td><td><code>${escapeHtml(hash)}</code></td><td>${escapeHtml(size)}</td></tr>`
  })
  return `<table class="documents"><caption class="skip">Public documents, with their SHA-256 and size</caption>
<thead><tr><th scope="col">Document</th><th scope="col">SHA-256</th><th scope="col">Size</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>`
}

/**
 * The trust page: the anonymous `/cpx` answer as HTML that needs no script, with no inline style or
 * script (its CSP forbids both). Every value from the posture is escaped, and only http(s) links
 * are made into links.
 */
export function renderTrustPage (answer: Json, options: TrustPageOptions, now = Date.now()): string {
  const organization = (answer.organization ?? {}) as Json
  const name = typeof organization.name === 'string' ? organization.name : 'Compliance'
  const title = options.title ?? `${name} trust center`
  const frameworks = Array.isArray(answer.frameworks) ? answer.frameworks as Json[] : []
  const evidence = Array.isArray(answer.evidence_refs) ? (answer.evidence_refs as Json[]).filter((ref) => safeUrl(ref.url) !== undefined) : []
  const posture = STATUS_TEXT[String(answer.compliance_posture)] ?? 'Unknown'
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="/trust/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/trust/trust.css">
<link rel="stylesheet" href="/trust/accent.css">
<link rel="alternate" type="application/json" href="/cpx">
</head>
<body>
<a class="skip" href="#content">Skip to content</a>
<header class="masthead"><div class="inner">
${options.hasLogo ? `<img src="/trust/logo" alt="${escapeHtml(name)}">` : ''}
<h1>${escapeHtml(title)}</h1>
<p>Overall posture: ${escapeHtml(posture)}</p>
</div></header>
<main id="content">
<section aria-labelledby="frameworks-heading">
<h2 id="frameworks-heading">Frameworks</h2>
${frameworks.length === 0 ? '<p>No frameworks are published.</p>' : `<ul class="frameworks">\n${frameworks.map((f) => frameworkCard(f, now)).join('\n')}\n</ul>`}
</section>
<section aria-labelledby="documents-heading">
<h2 id="documents-heading">Public documents</h2>
${documentsTable(evidence)}
</section>
</main>
<footer>
<p>Last updated ${date(answer.timestamp) || 'unknown'}. The same posture, signed and machine-readable: <a href="/cpx">/cpx</a> (<a href="/.well-known/opencpx">how to verify it</a>).</p>
</footer>
</body>
</html>
`
}

/** The accent colour as CSS, with text on it that keeps a 4.5:1 contrast (WCAG AA). */
export function accentCss (accent: string): string {
  const [r, g, b] = [1, 3, 5].map((i) => Number.parseInt(accent.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)) as [number, number, number]
  const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
  const onAccent = (1.05) / (luminance + 0.05) >= (luminance + 0.05) / 0.05 ? '#ffffff' : '#000000'
  return `:root { --accent: ${accent}; --on-accent: ${onAccent}; --link: ${luminance < 0.18 ? accent : '#1d4ed8'}; }\n@media (prefers-color-scheme: dark) { :root { --link: #9cc1ff; } }\n`
}
