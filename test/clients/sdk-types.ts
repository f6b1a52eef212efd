// The upstream OpenCPX TypeScript SDK's document types, written out here in our own words for a
// client-side check: an answer, as an object literal, must satisfy PostureData (excess property
// checks included). Statuses are the SDK enums' values.
export type CompliancePosture = 'compliant' | 'partially_compliant' | 'non_compliant' | 'unknown'
export type Status = 'compliant' | 'partial' | 'non_compliant'

export interface Organization { name: string, domain?: string, contact?: string }
export interface EvidenceRef { type?: string, description?: string, url: string, expires?: string, hash?: string, size_bytes?: number }
export interface Control { id: string, title?: string, status: Status, reason?: string, remediation_date?: string, evidence_refs?: string[] }
export interface Framework {
  name: string
  version?: string
  status: Status
  score: number
  last_audit?: string
  auditor?: string
  report_ref?: string
  certificate_ref?: string
  controls?: Control[]
}
export interface PostureData {
  version: string
  timestamp: string
  compliance_posture: CompliancePosture
  organization?: Organization
  frameworks: Framework[]
  evidence_refs?: Array<string | EvidenceRef>
  extensions?: Record<string, unknown>
}
