import { createServer, type AddressInfo, type Socket } from 'node:net';

/**
 * A target that misbehaves on purpose, written on raw sockets (node:http would refuse to send most
 * of these answers). The last segment of the request path picks the behaviour; everything it
 * receives is recorded with its arrival time, and every connection with the bytes written to it
 * before the scheduler closed it.
 *
 *   endless             200, then a chunked body that never ends
 *   endless-binary      500, then never-ending 0xff bytes (invalid UTF-8)
 *   trickle-head        the status line and headers at 1 byte a second
 *   trickle-body        200 with a 100,000-byte body sent at 1 byte a second
 *   huge-headers        200 with 100 KB of header lines
 *   redirect-metadata   302 to the cloud metadata address
 *   retry-after/<v>     503 with `Retry-After: <v>` (v URL-decoded)
 */
export interface HostileRequest {
  path: string;
  headers: Record<string, string>;
  at: number;
}

export interface HostileTarget {
  url: string;
  requests: HostileRequest[];
  for(path: string): HostileRequest[];
  /** Bytes written to each connection by the time it closed, for the endless answers. */
  endlessBytesAtClose: number[];
  close(): Promise<void>;
}

const CHUNK = Buffer.alloc(16 * 1024, 'a');
const BINARY = Buffer.alloc(16 * 1024, 0xff);
const HUGE_HEADERS = Array.from({ length: 1_000 }, (_, i) => `x-pad-${i}: ${'p'.repeat(90)}\r\n`).join(''); // ~100 KB

export async function startHostileTarget(): Promise<HostileTarget> {
  const requests: HostileRequest[] = [];
  const endlessBytesAtClose: number[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    let head = '';
    const onData = (data: Buffer) => {
      head += data.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      socket.resume(); // the request body, if any, is not needed
      const [requestLine, ...lines] = head.slice(0, end).split('\r\n');
      const path = requestLine.split(' ')[1] ?? '/';
      const headers = Object.fromEntries(
        lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
      );
      requests.push({ path, headers, at: Date.now() });
      answer(socket, path);
    };
    socket.on('data', onData);
    socket.on('close', () => sockets.delete(socket));
  });

  function every(ms: number, tick: () => void, socket: Socket): void {
    const timer = setInterval(tick, ms);
    timers.add(timer);
    socket.on('close', () => {
      clearInterval(timer);
      timers.delete(timer);
    });
  }

  /** Writes `chunk` for as long as the peer reads, then notes how much went out. */
  function pourForever(socket: Socket, chunk: Buffer, chunked: boolean): void {
    const framed = chunked
      ? Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')])
      : chunk;
    const pour = () => {
      while (!socket.destroyed && socket.write(framed));
    };
    socket.on('drain', pour);
    socket.on('close', () => endlessBytesAtClose.push(socket.bytesWritten));
    pour();
  }

  function answer(socket: Socket, path: string): void {
    const name = path.split('/').pop() ?? '';
    if (path.includes('/retry-after/')) {
      const value = decodeURIComponent(name);
      return void socket.end(
        `HTTP/1.1 503 Service Unavailable\r\nretry-after: ${value}\r\ncontent-length: 4\r\nconnection: close\r\n\r\nbusy`,
      );
    }
    switch (name) {
      case 'endless':
        socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n\r\n');
        return pourForever(socket, CHUNK, true);
      case 'endless-binary':
        socket.write(
          'HTTP/1.1 500 Internal Server Error\r\ncontent-type: application/octet-stream\r\nconnection: close\r\n\r\n',
        );
        return pourForever(socket, BINARY, false);
      case 'trickle-head': {
        const bytes = Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
        let sent = 0;
        return every(1_000, () => void (sent < bytes.length && socket.write(bytes.subarray(sent, ++sent))), socket);
      }
      case 'trickle-body':
        socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 100000\r\n\r\n');
        return every(1_000, () => void socket.write('t'), socket);
      case 'huge-headers':
        return void socket.end(`HTTP/1.1 200 OK\r\n${HUGE_HEADERS}content-length: 2\r\nconnection: close\r\n\r\nok`);
      case 'redirect-metadata':
        return void socket.end(
          'HTTP/1.1 302 Found\r\nlocation: http://169.254.169.254/latest/meta-data/iam/security-credentials/\r\ncontent-length: 0\r\nconnection: close\r\n\r\n',
        );
      default:
        return void socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    for: (path) => requests.filter((r) => r.path === path),
    endlessBytesAtClose,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearInterval(timer);
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
