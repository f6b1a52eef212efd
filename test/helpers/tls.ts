import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { scratchDir } from './tmp.ts'
import { toolAvailable } from './tools.ts'

/** Whether Debian's `openssl` is here (the TLS tests make their certificates with it). */
export const opensslAvailable = toolAvailable('openssl', ['version'], 'openssl', 'the TLS tests make their certificates with it')

export interface TestCertificate {
  readonly certFile: string
  readonly keyFile: string
  readonly cert: string
}

/** A self-signed P-256 certificate for localhost and 127.0.0.1, made now, valid for a day. */
export function makeCertificate (name = 'localhost'): TestCertificate {
  const dir = scratchDir()
  const certFile = join(dir, 'cert.pem')
  const keyFile = join(dir, 'key.pem')
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', `/CN=${name}`, '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout', keyFile, '-out', certFile
  ], { stdio: 'ignore' })
  return { certFile, keyFile, cert: readFileSync(certFile, 'utf8') }
}
