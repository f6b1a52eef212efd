import * as k8s from '@kubernetes/client-node'

/** The kinds the deployment docs use, with their API group version and generated model. */
const KINDS: Readonly<Record<string, { apiVersion: string, model: string }>> = {
  ConfigMap: { apiVersion: 'v1', model: 'V1ConfigMap' },
  Secret: { apiVersion: 'v1', model: 'V1Secret' },
  Service: { apiVersion: 'v1', model: 'V1Service' },
  ServiceAccount: { apiVersion: 'v1', model: 'V1ServiceAccount' },
  Deployment: { apiVersion: 'apps/v1', model: 'V1Deployment' },
  PodDisruptionBudget: { apiVersion: 'policy/v1', model: 'V1PodDisruptionBudget' },
  NetworkPolicy: { apiVersion: 'networking.k8s.io/v1', model: 'V1NetworkPolicy' },
  Ingress: { apiVersion: 'networking.k8s.io/v1', model: 'V1Ingress' }
}

interface Attribute { readonly baseName: string, readonly type: string }
type Model = { getAttributeTypeMap: () => Attribute[] }

const SCALARS = new Set(['string', 'number', 'boolean', 'Date', 'IntOrString', 'any', 'object'])

function modelNamed (name: string): Model | undefined {
  const model = (k8s as unknown as Record<string, unknown>)[name]
  return typeof model === 'function' && 'getAttributeTypeMap' in model ? model as Model : undefined
}

/**
 * Every field of a manifest that its kind's schema does not have, as `path: problem`. The field
 * names and types come from the official Kubernetes client's models, which are generated from the
 * Kubernetes OpenAPI document; `kubectl apply` would refuse (strict) or drop these fields.
 */
export function kubernetesFieldErrors (manifest: Record<string, unknown>): string[] {
  const kind = KINDS[String(manifest.kind)]
  if (kind === undefined) return [`kind: ${String(manifest.kind)} is not one the docs are checked for`]
  const errors = manifest.apiVersion === kind.apiVersion ? [] : [`apiVersion: ${String(manifest.apiVersion)} is not ${kind.apiVersion}`]
  return [...errors, ...check(manifest, kind.model, String(manifest.kind))]
}

function check (value: unknown, type: string, path: string): string[] {
  if (SCALARS.has(type)) return checkScalar(value, type, path)
  const array = /^Array<(.+)>$/.exec(type)
  if (array !== null) {
    if (!Array.isArray(value)) return [`${path}: must be a list`]
    return value.flatMap((item, index) => check(item, array[1] as string, `${path}[${index}]`))
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type)
  if (map !== null) {
    if (!isObject(value)) return [`${path}: must be a mapping`]
    return Object.entries(value).flatMap(([key, item]) => check(item, map[1] as string, `${path}.${key}`))
  }
  const model = modelNamed(type)
  if (model === undefined) return [`${path}: no model for type ${type}`]
  if (!isObject(value)) return [`${path}: must be a mapping (${type})`]
  const fields = new Map(model.getAttributeTypeMap().map((attribute) => [attribute.baseName, attribute.type]))
  return Object.entries(value).flatMap(([key, item]) => {
    const fieldType = fields.get(key)
    return fieldType === undefined ? [`${path}.${key}: not a field of ${type}`] : check(item, fieldType, `${path}.${key}`)
  })
}

function checkScalar (value: unknown, type: string, path: string): string[] {
  const ok = type === 'string' || type === 'Date'
    ? typeof value === 'string'
    : type === 'number'
      ? typeof value === 'number'
      : type === 'boolean'
        ? typeof value === 'boolean'
        : type === 'IntOrString'
          ? typeof value === 'string' || Number.isInteger(value)
          : true
  return ok ? [] : [`${path}: must be a ${type}, not ${JSON.stringify(value)}`]
}

function isObject (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
