import { copyFileSync, readFileSync, writeFileSync } from 'node:fs'
import { connect } from 'node:tls'
import { describe, expect, it } from 'vitest'
import { writeProject } from '../helpers/build.ts'
import { startServer } from '../helpers/process.ts'
import { makeCertificate, opensslAvailable } from '../helpers/tls.ts'

/** The certificate a new connection is served, by its subject's common name. */
function servedName (port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, servername: 'localhost' })
    socket.once('secureConnect', () => {
      resolve(String(socket.getPeerCertificate().subject.CN))
      socket.end()
    })
    socket.once('error', reject)
  })
}

describe.skipIf(!opensslAvailable)('the TLS certificate of the real process', () => {
  it('is reloaded on SIGHUP, and a pair that cannot be used keeps the last good one', async () => {
    const { dir, config } = writeProject([])
    writeFileSync(config, readFileSync(config, 'utf8').replace('server: { host: 127.0.0.1, port: 0 }', 'server: { host: 127.0.0.1, port: 0, tls: { cert_file: cert.pem, key_file: key.pem } }'))
    const first = makeCertificate('first')
    copyFileSync(first.certFile, `${dir}/cert.pem`)
    copyFileSync(first.keyFile, `${dir}/key.pem`)
    const server = await startServer(config)
    try {
      const port = Number(new URL(server.baseUrl).port)
      expect(server.baseUrl).toMatch(/^https:/)
      expect(await servedName(port)).toBe('first')

      const second = makeCertificate('second')
      copyFileSync(second.certFile, `${dir}/cert.pem`)
      copyFileSync(second.keyFile, `${dir}/key.pem`)
      const reloaded = server.nextLog('TLS certificate reloaded')
      server.child.kill('SIGHUP')
      await reloaded
      expect(await servedName(port)).toBe('second')

      copyFileSync(makeCertificate('third').certFile, `${dir}/cert.pem`)
      const failed = server.nextLog('config reload failed')
      server.child.kill('SIGHUP')
      await failed
      expect(server.stderr()).toContain('server.tls: the certificate and key cannot be used together')
      expect(await servedName(port)).toBe('second')
    } finally {
      server.child.kill('SIGTERM')
      await server.exited
    }
  })
})
