/**
 * The kit's own target: the HTTP server the implementation's scheduler sends its requests to.
 * It records every request and answers by a script written into the path, so a case states the
 * answers it needs in the task it creates (no shared mutable state between concurrent cases).
 *
 * A path containing `/r/<steps>` answers its n-th request (counted per path without query) with
 * step n, the last step repeating. Steps, comma separated:
 *   `<status>`          that status, body "ok";
 *   `<status>ra<secs>`  the same with `Retry-After: <secs>`;
 *   `hang`              reads the request and never answers, until the client closes the socket;
 *   `reset`             destroys the socket after reading the request;
 *   `sleep<ms>`         waits, then 200.
 * Any other path answers 200 "ok".
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import { KitFailure } from './assert.js';

export interface KitRequest {
  method: string;
  /** With query. */
  path: string;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
  /** Date.now() when the whole request had arrived. */
  at: number;
}

export interface KitTarget {
  baseUrl: string;
  /** The requests whose path contains marker, in arrival order. */
  received(marker: string): KitRequest[];
  /** Waits until `count` requests whose path contains marker arrived (default 15 s); throws KitFailure on timeout. */
  waitFor(marker: string, count: number, timeoutMs?: number): Promise<KitRequest[]>;
}

export interface RunningTarget extends KitTarget {
  port: number;
  close(): Promise<void>;
}

type Step =
  | { kind: 'status'; status: number; retryAfter?: string }
  | { kind: 'hang' }
  | { kind: 'reset' }
  | { kind: 'sleep'; ms: number };

const STEP = /^(?:(\d{3})(?:ra(\d+))?|(hang)|(reset)|sleep(\d+))$/;

/** The step for the n-th (0-based) request of a scripted path; null when the path has no script. */
export function stepFor(path: string, n: number): Step | null {
  const match = /\/r\/([^/?#]+)/.exec(path);
  if (!match) return null;
  const steps = decodeURIComponent(match[1]).split(',');
  const text = steps[Math.min(n, steps.length - 1)];
  const parsed = STEP.exec(text);
  if (!parsed) return { kind: 'status', status: 200 };
  if (parsed[1]) return { kind: 'status', status: Number(parsed[1]), retryAfter: parsed[2] };
  if (parsed[3]) return { kind: 'hang' };
  if (parsed[4]) return { kind: 'reset' };
  return { kind: 'sleep', ms: Number(parsed[5]) };
}

export async function startTarget(port: number, host = '127.0.0.1'): Promise<RunningTarget> {
  const requests: KitRequest[] = [];
  const counts = new Map<string, number>();
  const waiters = new Set<() => void>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      const request: KitRequest = {
        method: req.method ?? '',
        path,
        headers: flatten(req.headers),
        body: Buffer.concat(chunks),
        at: Date.now(),
      };
      const bare = path.split('?')[0];
      const n = counts.get(bare) ?? 0;
      counts.set(bare, n + 1);
      requests.push(request);
      for (const waiter of [...waiters]) waiter();
      answer(stepFor(bare, n), req, res);
    });
    req.on('error', () => undefined);
  });

  const answer = (step: Step | null, req: http.IncomingMessage, res: http.ServerResponse) => {
    if (step?.kind === 'hang') return; // the client's timeout ends it
    if (step?.kind === 'reset') return req.socket.destroy();
    if (step?.kind === 'sleep') {
      const timer = setTimeout(() => {
        timers.delete(timer);
        reply(res, 200);
      }, step.ms);
      timers.add(timer);
      return;
    }
    if (step === null) return reply(res, 200);
    reply(res, step.status, step.retryAfter);
  };

  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(
              `the kit's target cannot listen on ${host}:${port}: the port is in use (choose another with --port)`,
            )
          : error,
      ),
    );
    server.listen(port, host, () => resolve());
  });
  const actualPort = (server.address() as { port: number }).port;

  const received = (marker: string) => requests.filter((r) => r.path.includes(marker));
  return {
    port: actualPort,
    baseUrl: `http://${host}:${actualPort}`,
    received,
    waitFor(marker, count, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = received(marker);
          if (found.length < count) return;
          finish();
          resolve(found);
        };
        const timer = setTimeout(() => {
          finish();
          const got = received(marker).length;
          reject(
            new KitFailure(
              `expected ${count} request(s) at the target for ${marker} within ${timeoutMs} ms, got ${got}`,
            ),
          );
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function reply(res: http.ServerResponse, status: number, retryAfter?: string): void {
  if (res.destroyed) return;
  const headers: Record<string, string> = { 'content-type': 'text/plain' };
  if (retryAfter !== undefined) headers['retry-after'] = retryAfter;
  // 1xx, 204 and 304 carry no body.
  const bodiless = status < 200 || status === 204 || status === 304;
  if (status < 200 || status > 999) status = 200;
  res.writeHead(status, headers);
  res.end(bodiless ? undefined : 'ok');
}

function flatten(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}
