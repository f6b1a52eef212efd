// <cpx-trust-summary src="https://vendor.example/cpx"></cpx-trust-summary>
// A vendor's compliance summary, rendered in an open shadow root on any page. It reads the
// vendor's public /cpx through CORS: on an origin the vendor has not allowed, it says so instead
// of breaking the page. Text only through textContent; styles through a constructed stylesheet,
// which a host page's CSP does not block.
const STATUS = {
  compliant: 'Compliant',
  partial: 'Partially compliant',
  partially_compliant: 'Partially compliant',
  non_compliant: 'Not compliant',
  not_applicable: 'Not applicable',
  unknown: 'Unknown'
}

const CSS = `
:host { display: block; font-family: system-ui, sans-serif; color: CanvasText; }
.box { border: 1px solid #8a93a3; border-radius: 0.5rem; padding: 1rem; max-width: 28rem; }
h2 { font-size: 1.1rem; margin: 0 0 0.5rem; }
ul { list-style: none; padding: 0; margin: 0; }
li { display: flex; justify-content: space-between; gap: 1rem; padding: 0.25rem 0; border-top: 1px solid #d5dae3; }
.error { color: #a4161a; }
a { color: LinkText; }
`

function element (tag, text, className) {
  const node = document.createElement(tag)
  if (text !== undefined) node.textContent = text
  if (className !== undefined) node.className = className
  return node
}

class CpxTrustSummary extends HTMLElement {
  static get observedAttributes () { return ['src'] }

  constructor () {
    super()
    this.attachShadow({ mode: 'open' })
    if ('adoptedStyleSheets' in this.shadowRoot) {
      const sheet = new CSSStyleSheet()
      sheet.replaceSync(CSS)
      this.shadowRoot.adoptedStyleSheets = [sheet]
    }
  }

  connectedCallback () { this.load() }
  attributeChangedCallback () { if (this.isConnected) this.load() }

  async load () {
    const src = this.getAttribute('src')
    const box = element('section', undefined, 'box')
    box.setAttribute('aria-live', 'polite')
    box.append(element('p', 'Loading the compliance summary…'))
    this.shadowRoot.replaceChildren(box)
    if (src === null) return this.fail(box, 'No src attribute: set it to the vendor\'s /cpx URL.')
    let answer
    try {
      const response = await fetch(src, { headers: { accept: 'application/json' }, credentials: 'omit' })
      if (!response.ok) return this.fail(box, `The summary could not be loaded (HTTP ${response.status}).`)
      answer = await response.json()
    } catch {
      // A CORS refusal is a network error to scripts: the browser says why in its console.
      return this.fail(box, `Not allowed: ${new URL(src, location.href).origin} does not let ${location.origin} show its compliance summary.`)
    }
    this.render(box, answer, src)
  }

  fail (box, message) {
    box.replaceChildren(element('p', message, 'error'))
    box.dataset.state = 'error'
  }

  render (box, answer, src) {
    const name = answer?.organization?.name ?? 'Compliance'
    const heading = element('h2', `${name}: compliance summary`)
    const list = element('ul')
    for (const framework of Array.isArray(answer?.frameworks) ? answer.frameworks : []) {
      const item = element('li')
      const score = typeof framework.score === 'number' ? `, ${Math.round(framework.score * 100)}%` : ''
      item.append(element('span', String(framework.name ?? '')), element('span', `${STATUS[framework.status] ?? 'Unknown'}${score}`))
      list.append(item)
    }
    const more = element('a', 'Full trust page')
    more.href = new URL('/trust', new URL(src, location.href)).href
    box.replaceChildren(heading, list, element('p'))
    box.lastChild.append(more)
    box.dataset.state = 'ready'
  }
}

if (!customElements.get('cpx-trust-summary')) customElements.define('cpx-trust-summary', CpxTrustSummary)
