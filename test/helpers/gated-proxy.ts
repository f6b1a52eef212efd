import { connect, createServer, type Socket } from 'node:net'

export interface GatedProxy {
  readonly url: string
  /** Lets held and future connections through to the target. */
  open: () => void
  close: () => Promise<void>
}

/**
 * A TCP proxy on loopback that holds every connection until `open()`: a storage service that is
 * slow to answer, made without timing, so a test can look at a server while it waits.
 */
export async function gatedProxy (targetPort: number): Promise<GatedProxy> {
  let opened = false
  const held: Socket[] = []
  const sockets = new Set<Socket>()
  const pass = (client: Socket) => {
    const upstream = connect(targetPort, '127.0.0.1')
    sockets.add(upstream)
    client.pipe(upstream).pipe(client)
    client.on('error', () => upstream.destroy())
    upstream.on('error', () => client.destroy())
  }
  const server = createServer((client) => {
    sockets.add(client)
    client.pause()
    if (opened) pass(client)
    else held.push(client)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${port}`,
    open: () => {
      opened = true
      for (const client of held.splice(0)) pass(client)
    },
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}
