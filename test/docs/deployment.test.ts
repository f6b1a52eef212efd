import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseAllDocuments } from 'yaml'
import { entrypointFlags } from '../../bench/server-flags.ts'
import { configSchema } from '../../src/config/schema.ts'
import { documentSchema } from '../../src/posture/document.ts'
import { parseSigningKey } from '../../src/signing/signing-key.ts'
import { kubernetesFieldErrors } from '../helpers/kubernetes.ts'
import { fencedBlocks } from '../helpers/markdown.ts'
import { toolAvailable } from '../helpers/tools.ts'

const ROOT = join(import.meta.dirname, '..', '..')
const DEPLOYMENT = readFileSync(join(ROOT, 'docs', 'deployment.md'), 'utf8')

type Manifest = Record<string, unknown> & { kind: string, metadata: { name: string }, data?: Record<string, string>, spec?: unknown }

const manifests = fencedBlocks(DEPLOYMENT, 'yaml')
  .flatMap((text) => parseAllDocuments(text).map((doc) => doc.toJS() as unknown))
  .filter((doc): doc is Manifest => typeof doc === 'object' && doc !== null && 'apiVersion' in doc && 'kind' in doc)

function manifest (kind: string, name = 'cpxd'): Manifest {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name)
  if (found === undefined) throw new Error(`docs/deployment.md has no ${kind} ${name}`)
  return found
}

describe('the YAML in the docs', () => {
  it('parses, every block of every document', () => {
    const docs = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)]
    const problems = docs.flatMap((doc) => fencedBlocks(readFileSync(join(ROOT, doc), 'utf8'), 'yaml').flatMap((text, index) =>
      parseAllDocuments(text).flatMap((parsed) => parsed.errors.map((error) => `${doc}, YAML block ${index + 1}: ${error.message}`))))
    expect(problems).toEqual([])
  })
})

describe('the Kubernetes manifests in docs/deployment.md', () => {
  it('hold a Deployment, Service, both ConfigMaps, Secret, PodDisruptionBudget and NetworkPolicy', () => {
    expect(manifests.map((m) => `${m.kind}/${m.metadata.name}`).sort()).toEqual([
      'ConfigMap/cpxd-config', 'ConfigMap/cpxd-posture', 'Deployment/cpxd', 'NetworkPolicy/cpxd',
      'PodDisruptionBudget/cpxd', 'Secret/cpxd-keys', 'Service/cpxd'
    ])
  })

  it('use only field names (and types) the Kubernetes schema has', () => {
    expect(manifests.flatMap((m) => kubernetesFieldErrors(m).map((error) => `${m.kind}/${m.metadata.name}: ${error}`))).toEqual([])
  })

  it('are checked for real: a misspelt or misplaced field is found', () => {
    const deployment = structuredClone(manifest('Deployment')) as { spec: { template: { spec: { containers: Array<Record<string, unknown>> } } } }
    const container = deployment.spec.template.spec.containers[0] as Record<string, unknown>
    container.securityContxt = container.securityContext
    container.readinessProbe = { httpGet: { path: '/readyz', port: 'http' }, periodSecond: 5 }
    expect(kubernetesFieldErrors(deployment as unknown as Record<string, unknown>)).toEqual([
      'Deployment.spec.template.spec.containers[0].readinessProbe.periodSecond: not a field of V1Probe',
      'Deployment.spec.template.spec.containers[0].securityContxt: not a field of V1Container'
    ])
  })

  it('run cpxd non-root, read-only, without privilege escalation or capabilities, probed on /healthz and /readyz', () => {
    const pod = (manifest('Deployment').spec as { template: { spec: Record<string, unknown> & { containers: Array<Record<string, unknown>> } } }).template.spec
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } })
    expect(pod.automountServiceAccountToken).toBe(false)
    const [container] = pod.containers
    expect(container?.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, privileged: false, capabilities: { drop: ['ALL'] } })
    expect(container).toMatchObject({ livenessProbe: { httpGet: { path: '/healthz' } }, readinessProbe: { httpGet: { path: '/readyz' } } })
  })

  it('carry a cpxd config and a posture file that cpxd accepts, with a gateway key', () => {
    const config = configSchema.safeParse(parseAllDocuments(manifest('ConfigMap', 'cpxd-config').data?.['cpxd.yaml'] ?? '')[0]?.toJS())
    expect(config.error?.issues ?? []).toEqual([])
    expect(config.data?.evidence.gateway_key_file).toBe('/etc/cpxd/secrets/gateway.key')
    const posture = documentSchema.safeParse(parseAllDocuments(manifest('ConfigMap', 'cpxd-posture').data?.['_default.yaml'] ?? '')[0]?.toJS())
    expect(posture.error?.issues ?? []).toEqual([])
  })

  it('give the Secret placeholders cpxd refuses (shorter than 32 bytes, or not a key), so they cannot be deployed as they are', async () => {
    const { 'signing-key.jwk': signingKey, ...secrets } = manifest('Secret', 'cpxd-keys').stringData as Record<string, string>
    expect(Object.keys(secrets).sort()).toEqual(['audit.key', 'gateway.key'])
    for (const value of Object.values(secrets)) expect(Buffer.byteLength(value)).toBeLessThan(32)
    await expect(parseSigningKey(signingKey ?? '')).rejects.toThrow('must hold a private key')
  })
})

describe('the other recipes in docs/deployment.md', () => {
  it('show cpxd configs that cpxd accepts', () => {
    const configs = fencedBlocks(DEPLOYMENT, 'yaml').filter((text) => !text.includes('apiVersion:'))
    expect(configs.length).toBeGreaterThanOrEqual(4)
    for (const text of configs) expect(configSchema.safeParse(parseAllDocuments(text)[0]?.toJS()).error?.issues ?? []).toEqual([])
  })

  it.skipIf(!toolAvailable('systemd-analyze', ['--version'], 'systemd', 'the systemd unit in docs/deployment.md is verified with it'))('show a systemd unit that systemd-analyze verifies without a warning', () => {
    const [unit] = fencedBlocks(DEPLOYMENT, 'ini')
    const dir = mkdtempSync(join(tmpdir(), 'cpxd-unit-'))
    // verify checks that the programs exist: point it at the Node this test runs on.
    writeFileSync(join(dir, 'cpxd.service'), (unit ?? '').replaceAll('/usr/bin/node', process.execPath))
    const result = spawnSync('systemd-analyze', ['verify', '--man=no', join(dir, 'cpxd.service')], { encoding: 'utf8' })
    expect(result.stderr + result.stdout).toBe('')
    expect(result.status).toBe(0)
  })

  it('match the Dockerfile: cpxd on the PATH, the health check on /healthz, the state folders the docs mount', () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8')
    expect(dockerfile).toContain('ln -s /app/dist/cli/index.js /usr/local/bin/cpxd')
    expect(dockerfile).toMatch(/HEALTHCHECK[\s\S]*\/healthz/)
    for (const folder of ['/var/log/cpxd', '/var/lib/cpxd']) {
      expect(dockerfile).toContain(folder)
      expect(DEPLOYMENT).toContain(`:${folder}`)
    }
  })

  it('run Node with the same flags in the image, the systemd unit and the benchmarks', () => {
    const flags = entrypointFlags(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'))
    expect(flags).toEqual(['--max-semi-space-size=16'])
    expect(DEPLOYMENT).toContain(`ExecStart=/usr/bin/node ${flags.join(' ')} /opt/cpxd/dist/server.js`)
  })
})
