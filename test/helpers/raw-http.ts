import { connect } from 'node:net'

export interface RawAnswer { status: number, headers: Record<string, string>, body: string }

/** Sends `request` as raw bytes to 127.0.0.1:`port` and reads one answer to its end. */
export function rawRequest (port: number, request: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let answer = ''
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => {
      answer += chunk
      const end = answer.indexOf('\r\n\r\n')
      if (end === -1) return
      const length = /content-length: (\d+)/i.exec(answer.slice(0, end))?.[1]
      if (length !== undefined && Buffer.byteLength(answer.slice(end + 4)) >= Number(length)) socket.end()
    })
    socket.on('end', () => {
      const end = answer.indexOf('\r\n\r\n')
      const [statusLine = '', ...lines] = answer.slice(0, end).split('\r\n')
      const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]))
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: answer.slice(end + 4) })
    })
    socket.on('error', reject)
    socket.write(request)
  })
}

/** A GET with `headers` (each `Name: value`), closing the connection after the answer. */
export function rawGet (port: number, path: string, headers: readonly string[] = ['Host: cpxd.test']): Promise<RawAnswer> {
  return rawRequest(port, [`GET ${path} HTTP/1.1`, ...headers, 'Connection: close', '', ''].join('\r\n'))
}
