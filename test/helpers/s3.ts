import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
// s3rver ships no types; this is the slice the tests use.
// @ts-expect-error no declaration file
import S3rver from 's3rver'

/** s3rver's built-in account; it serves any signature, which is why tests check SigV4 themselves. */
export const S3_ACCESS_KEY = 'S3RVER'
export const S3_SECRET_KEY = 'S3RVER'
export const S3_REGION = 'us-east-1'
export const S3_BUCKET = 'cpxd-evidence'

export interface S3Peer {
  readonly endpoint: string
  readonly client: S3Client
  put: (key: string, body: string) => Promise<void>
  close: () => Promise<void>
}

/** A real S3-compatible server on loopback, with one bucket. */
export async function startS3 (): Promise<S3Peer> {
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: mkdtempSync(join(tmpdir(), 'cpxd-s3rver-')),
    configureBuckets: [{ name: S3_BUCKET }]
  }) as { run: () => Promise<{ port: number }>, close: () => Promise<void> }
  const { port } = await server.run()
  const endpoint = `http://127.0.0.1:${port}`
  const client = new S3Client({
    region: S3_REGION,
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: S3_ACCESS_KEY, secretAccessKey: S3_SECRET_KEY }
  })
  return {
    endpoint,
    client,
    put: async (key, body) => { await client.send(new PutObjectCommand({ Bucket: S3_BUCKET, Key: key, Body: body })) },
    close: async () => { client.destroy(); await server.close() }
  }
}
