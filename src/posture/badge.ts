import { escapeHtml } from './trust-page.ts'

/** Each status's colour, dark enough for white text at 4.5:1 (WCAG AA). */
const COLOURS: Readonly<Record<string, string>> = {
  compliant: '#1a7f37',
  partial: '#8a5a00',
  partially_compliant: '#8a5a00',
  non_compliant: '#b42318',
  not_applicable: '#57606a',
  unknown: '#57606a'
}

/** About the width of a character of 11px Verdana, wide enough for any label cpxd writes. */
const CHAR_WIDTH = 7
const PADDING = 10

/**
 * A framework's status as a small SVG for a README or an `<img>`: a title for assistive tools, no
 * script, no style element, no external reference; every text escaped.
 */
export function renderBadge (label: string, status: string): string {
  const left = label.length * CHAR_WIDTH + PADDING
  const right = status.length * CHAR_WIDTH + PADDING
  const width = left + right
  const colour = COLOURS[status] ?? (COLOURS.unknown)
  const title = escapeHtml(`${label}: ${status.replace(/_/g, ' ')}`)
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="20" viewBox="0 0 ${width} 20" role="img" aria-label="${title}">` +
    `<title>${title}</title>` +
    `<rect width="${left}" height="20" fill="#3d444d"/><rect x="${left}" width="${right}" height="20" fill="${colour}"/>` +
    '<g fill="#ffffff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11" text-anchor="middle">' +
    `<text x="${left / 2}" y="14">${escapeHtml(label)}</text><text x="${left + right / 2}" y="14">${escapeHtml(status.replace(/_/g, ' '))}</text>` +
    '</g></svg>'
}
