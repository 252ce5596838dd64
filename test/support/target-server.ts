import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real HTTP target on 127.0.0.1 that answers by script and records every request it receives
 * (method, path, headers, raw body bytes, arrival time), so tests assert on what went over the wire.
 */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  at: number;
}

export type Reply = (req: ReceivedRequest, res: http.ServerResponse, count: number) => unknown;

export interface TargetServer {
  url: string;
  port: number;
  received: ReceivedRequest[];
  /** Requests seen for a path (without query). */
  for(path: string): ReceivedRequest[];
  maxConcurrent: number;
  close(): Promise<void>;
}

export async function startTargetServer(routes: Record<string, Reply> = {}, fallback?: Reply): Promise<TargetServer> {
  const received: ReceivedRequest[] = [];
  const counts = new Map<string, number>();
  let concurrent = 0;
  const state = { maxConcurrent: 0 };
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    concurrent += 1;
    state.maxConcurrent = Math.max(state.maxConcurrent, concurrent);
    res.on('close', () => {
      concurrent -= 1;
    });
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0];
      const entry: ReceivedRequest = {
        method: req.method ?? 'GET',
        path,
        headers: req.headers,
        body: Buffer.concat(chunks),
        at: Date.now(),
      };
      received.push(entry);
      const count = (counts.get(path) ?? 0) + 1;
      counts.set(path, count);
      const reply = routes[path] ?? fallback ?? ((_r, response) => response.writeHead(200).end('ok'));
      Promise.resolve(reply(entry, res, count)).catch(() => res.destroy());
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    for: (path) => received.filter((r) => r.path === path),
    get maxConcurrent() {
      return state.maxConcurrent;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined | false | null>,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
