import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDispatchPool, type DispatchPool } from '../../src/workers/pool.js';
import type { DispatchRequest } from '../../src/workers/protocol.js';

/** Real node:http target on 127.0.0.1; every route a behaviour the dispatcher must map. */
interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

let server: Server;
let base: string;
const received: Received[] = [];
// A second target that only the guard tests address: no other test's traffic (undici opens a
// stray empty connection after an aborted request) can reach it, so its counts are exact.
let guarded: Server;
let guardedBase: string;
const guardedSeen = { connections: 0, requests: 0 };
const FIVE_MB = Buffer.alloc(5 * 1024 * 1024, 'x');

function route(path: string, res: import('node:http').ServerResponse, req: import('node:http').IncomingMessage): void {
  if (path === '/ok') return void res.end('hello from target');
  if (path === '/fail') return void res.writeHead(500).end('boom');
  if (path === '/busy') return void res.writeHead(429, { 'retry-after': '2' }).end();
  if (path === '/slow') return void setTimeout(() => res.end('late'), 3_000).unref();
  if (path === '/destroy') return void req.socket.destroy();
  if (path === '/redirect') return void res.writeHead(301, { location: `${base}/redirect-target` }).end();
  if (path === '/big') return void res.end(FIVE_MB);
  if (path.startsWith('/n/')) {
    const n = path.slice(3);
    return void setTimeout(() => res.end(n), Math.floor(Math.random() * 20));
  }
  res.end('ok');
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks) });
      route(path, res, req);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  guarded = createServer((_req, res) => {
    guardedSeen.requests += 1;
    res.end('reached');
  });
  guarded.on('connection', () => {
    guardedSeen.connections += 1;
  });
  await new Promise<void>((resolve) => guarded.listen(0, '127.0.0.1', resolve));
  guardedBase = `http://127.0.0.1:${(guarded.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const target of [server, guarded]) {
    target.closeAllConnections();
    await new Promise((resolve) => target.close(resolve));
  }
});

beforeEach(() => {
  received.length = 0;
});

let seq = 0;
function task(path: string, overrides: Partial<DispatchRequest> = {}): DispatchRequest {
  seq += 1;
  return {
    taskId: `task_${seq}`,
    queue: 'default',
    attempt: 1,
    url: path.startsWith('http') ? path : `${base}${path}`,
    method: 'POST',
    headers: {},
    body: new TextEncoder().encode(JSON.stringify({ seq })),
    contentType: 'application/json',
    timeoutMs: 5_000,
    allowPrivateNetwork: true,
    signingSecrets: [],
    scheduledAt: new Date().toISOString(),
    previousStatus: null,
    traceparent: null,
    cron: null,
    cronFireAt: null,
    ...overrides,
  };
}

async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe.each([
  { name: 'piscina, 1 thread', threads: 1 },
  { name: 'main thread', threads: 0 },
])('dispatch pool ($name)', ({ threads }) => {
  let pool: DispatchPool;
  beforeAll(() => {
    pool = createDispatchPool({ threads });
  });
  afterAll(async () => {
    await pool.destroy();
  });
  const one = async (request: DispatchRequest) => (await pool.dispatch([request]))[0];

  it('200 → status and excerpt', async () => {
    const request = task('/ok');
    const result = await one(request);
    expect(result).toMatchObject({
      taskId: request.taskId,
      attempt: 1,
      status: 200,
      errorKind: null,
      error: null,
      responseExcerpt: 'hello from target',
      retryAfterMs: null,
    });
    expect(result.finishedAtMs).toBeGreaterThanOrEqual(result.startedAtMs);
    expect(Math.abs(result.startedAtMs - Date.now())).toBeLessThan(60_000); // epoch milliseconds, not a monotonic clock
  });

  it('500 → status 500', async () => {
    expect(await one(task('/fail'))).toMatchObject({ status: 500, errorKind: null, responseExcerpt: 'boom' });
  });

  it('429 with Retry-After: 2 → retryAfterMs 2000', async () => {
    expect(await one(task('/busy'))).toMatchObject({ status: 429, retryAfterMs: 2000 });
  });

  it('a reply slower than the timeout → timeout within timeout + 1s', async () => {
    const result = await one(task('/slow', { timeoutMs: 300 }));
    expect(result).toMatchObject({ status: null, errorKind: 'timeout', responseExcerpt: null });
    expect(result.durationMs).toBeLessThan(1_300);
    expect(result.durationMs).toBeGreaterThanOrEqual(290);
  });

  it('a server that destroys the socket → connection-reset', async () => {
    expect(await one(task('/destroy'))).toMatchObject({ status: null, errorKind: 'connection-reset' });
  });

  it('a closed port → connection-refused', async () => {
    const port = await closedPort();
    const result = await one(task(`http://127.0.0.1:${port}/x`));
    expect(result).toMatchObject({ status: null, errorKind: 'connection-refused' });
    expect(result.error).toMatch(/ECONNREFUSED/);
  });

  it('301 is returned as is, never followed', async () => {
    const result = await one(task('/redirect'));
    expect(result.status).toBe(301);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(received.map((r) => r.path)).toEqual(['/redirect']);
  });

  it('a 5 MB body → excerpt of at most 1 KB, promptly', async () => {
    const result = await one(task('/big'));
    expect(result.status).toBe(200);
    expect(result.responseExcerpt).toBe('x'.repeat(1024));
    expect(result.durationMs).toBeLessThan(1_000);
  });

  it('sendWithinMs crosses to the worker: a request past its send window (-1) is not sent, one with room (2 s) is', async () => {
    // 0 would race the hand-over to the worker thread: its window may close before the worker reads it.
    const [unsent, sent] = await pool.dispatch([
      task('/ok', { sendWithinMs: -1 }),
      task('/ok', { sendWithinMs: 2_000, timeoutMs: 5_000 }),
    ]);
    expect(unsent).toMatchObject({ status: null, errorKind: 'aborted', durationMs: 0 });
    expect(unsent.error).toMatch(/^not sent: /);
    expect(sent).toMatchObject({ status: 200, errorKind: null });
    expect(received).toHaveLength(1);
  });

  it('169.254.169.254 with allowPrivateNetwork → guard-refused, no connection, fast', async () => {
    const result = await one(
      task('http://169.254.169.254/latest/meta-data/', { allowPrivateNetwork: true, timeoutMs: 10_000 }),
    );
    expect(result).toMatchObject({ status: null, errorKind: 'guard-refused' });
    expect(result.error).toMatch(/metadata/);
    expect(result.durationMs).toBeLessThan(50);
  });

  it('127.0.0.1 without allowPrivateNetwork → guard-refused, the server sees nothing', async () => {
    const result = await one(task(`${guardedBase}/ok`, { allowPrivateNetwork: false }));
    expect(result).toMatchObject({ status: null, errorKind: 'guard-refused' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(guardedSeen).toEqual({ connections: 0, requests: 0 });
  });

  it('localhost without allowPrivateNetwork → guard-refused by name (RFC 6761, as config validation does), the server sees nothing', async () => {
    const url = guardedBase.replace('127.0.0.1', 'localhost') + '/ok';
    const result = await one(task(url, { allowPrivateNetwork: false }));
    expect(result).toMatchObject({ status: null, errorKind: 'guard-refused' });
    expect(result.error).toMatch(/localhost \(loopback\) needs allowPrivateNetwork/);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(guardedSeen).toEqual({ connections: 0, requests: 0 });
  });

  it('localhost with allowPrivateNetwork is reached (the refusal above was the guard, not DNS)', async () => {
    const url = base.replace('127.0.0.1', 'localhost') + '/ok';
    expect(await one(task(url, { allowPrivateNetwork: true }))).toMatchObject({ status: 200, errorKind: null });
  });

  it('sends every Dispatchr-* and webhook-* header, and the signature verifies over the raw body', async () => {
    const secret = 'whsec_' + randomBytes(24).toString('base64');
    const rotated = 'whsec_' + randomBytes(24).toString('base64');
    const request = task('/echo', {
      attempt: 2,
      queue: 'emails',
      previousStatus: 503,
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      signingSecrets: [secret, rotated],
      headers: { 'X-App': 'demo' },
      body: new TextEncoder().encode('{"to":"ü@example.com"}'),
    });
    const before = Math.floor(Date.now() / 1000);
    expect((await one(request)).status).toBe(200);
    const [hit] = received;
    expect(hit.headers).toMatchObject({
      'dispatchr-task-id': request.taskId,
      'dispatchr-queue': 'emails',
      'dispatchr-attempt': '2',
      'dispatchr-scheduled-at': request.scheduledAt,
      'dispatchr-previous-status': '503',
      traceparent: request.traceparent,
      'content-type': 'application/json',
      'webhook-id': request.taskId,
      'x-app': 'demo',
    });
    expect(Number(hit.headers['webhook-timestamp'])).toBeGreaterThanOrEqual(before);
    expect(Number(hit.headers['webhook-timestamp'])).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    const headers = hit.headers as Record<string, string>;
    const raw = hit.body.toString('utf8');
    expect(new Webhook(secret).verify(raw, headers)).toEqual({ to: 'ü@example.com' });
    expect(new Webhook(rotated).verify(raw, headers)).toEqual({ to: 'ü@example.com' });
  });

  it('omits optional headers and keeps webhook-id stable across attempts', async () => {
    const first = task('/echo', { signingSecrets: [], contentType: null, body: null, method: 'GET' });
    await one(first);
    await one({ ...first, attempt: 2, previousStatus: 500 });
    const [a, b] = received;
    expect(a.headers['webhook-id']).toBe(first.taskId);
    expect(b.headers['webhook-id']).toBe(first.taskId);
    expect(a.headers['webhook-signature']).toBeUndefined();
    expect(a.headers['dispatchr-previous-status']).toBeUndefined();
    expect(a.headers.traceparent).toBeUndefined();
    expect(b.headers['dispatchr-previous-status']).toBe('500');
  });

  it('returns a batch of 200 in request order', async () => {
    const requests = Array.from({ length: 200 }, (_, i) => task(`/n/${i}`));
    const results = await pool.dispatch(requests);
    expect(results.map((r) => r.taskId)).toEqual(requests.map((r) => r.taskId));
    expect(results.map((r) => r.responseExcerpt)).toEqual(requests.map((_, i) => String(i)));
    expect(results.every((r) => r.status === 200)).toBe(true);
  });

  it('an abort signal cuts in-flight requests; the batch resolves with aborted results', async () => {
    const controller = new AbortController();
    const pending = pool.dispatch([task('/slow'), task('/ok')], { signal: controller.signal });
    setTimeout(() => controller.abort(), 200);
    const started = Date.now();
    const [slow, ok] = await pending;
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(slow).toMatchObject({ status: null, errorKind: 'aborted' });
    expect(ok.status).toBe(200);
  });

  it('an already-aborted signal sends nothing', async () => {
    const [result] = await pool.dispatch([task('/ok')], { signal: AbortSignal.abort() });
    expect(result.errorKind).toBe('aborted');
    expect(received).toEqual([]);
  });

  it('abortAll cuts every batch in flight and leaves later batches alone', async () => {
    const pending = Promise.all([pool.dispatch([task('/slow')]), pool.dispatch([task('/slow'), task('/slow')])]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    pool.abortAll();
    const results = (await pending).flat();
    expect(results.map((r) => r.errorKind)).toEqual(['aborted', 'aborted', 'aborted']);
    expect((await one(task('/ok'))).status).toBe(200);
  });
});

describe('dispatch pool lifecycle', () => {
  it('destroy aborts in-flight batches, which resolve; later calls reject', async () => {
    const pool = createDispatchPool({ threads: 1 });
    const pending = pool.dispatch([task('/slow')]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await pool.destroy();
    expect((await pending)[0].errorKind).toBe('aborted');
    await expect(pool.dispatch([task('/ok')])).rejects.toMatchObject({ code: 'pool_destroyed' });
  });

  it('rejects a bad thread count', () => {
    expect(() => createDispatchPool({ threads: -1 })).toThrow(/threads/);
  });
});

// The main-thread pool loads its module (undici) on first use: an abort or a cancel heard before
// that load must still cut the request, not let it be sent once the load ends.
describe('a main-thread pool cut before its module loaded', () => {
  it.each(['abortAll', 'cancel'] as const)('%s: the request is not sent and resolves aborted', async (how) => {
    const pool = createDispatchPool({ threads: 0 });
    try {
      const request = task('/ok');
      const pending = pool.dispatch([request]);
      if (how === 'abortAll') pool.abortAll();
      else pool.cancel(request.taskId, request.attempt);
      const [result] = await pending;
      expect(result).toMatchObject({ taskId: request.taskId, status: null, errorKind: 'aborted' });
      expect(received.filter((r) => r.path === '/ok')).toEqual([]);
    } finally {
      await pool.destroy();
    }
  });
});
