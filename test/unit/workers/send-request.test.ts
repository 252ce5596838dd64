import type { LookupAddress } from 'node:dns';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DispatchRequest } from '../../../src/workers/protocol.js';
import { utf8Excerpt } from '../../../src/workers/response-collector.js';
import { describeSendError } from '../../../src/workers/send-errors.js';
import {
  createDispatchAgents,
  sendBatch,
  sendRequest,
  type DispatchAgents,
} from '../../../src/workers/send-request.js';

/** sendRequest without piscina, against raw sockets that misbehave in ways node:http will not. */
let trickle: NetServer;
let trickleBase: string;
let http: HttpServer;
let httpPort: number;
const sockets = new Set<Socket>();
let httpHits = 0;

// A fake resolver: proves the Agent connects through the guarded lookup (no real DNS involved).
const fakeDns = (host: string, _opts: unknown, cb: (err: NodeJS.ErrnoException | null, a: LookupAddress[]) => void) => {
  if (host === 'loopback.test') cb(null, [{ address: '127.0.0.1', family: 4 }]);
  else cb(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }), []);
};
let agents: DispatchAgents;

beforeAll(async () => {
  // /headers trickles the header block, /body sends headers then one body byte every 50 ms.
  trickle = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.once('data', (data) => {
      const slowHeaders = data.toString().startsWith('POST /headers');
      const head = 'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n';
      const timer = setInterval(() => socket.write(slowHeaders ? 'x' : 'y'), 50);
      socket.on('close', () => clearInterval(timer));
      socket.write(slowHeaders ? head + 'x-slow: ' : head + 'content-length: 100000\r\n\r\n');
    });
  });
  await new Promise<void>((resolve) => trickle.listen(0, '127.0.0.1', resolve));
  trickleBase = `http://127.0.0.1:${(trickle.address() as AddressInfo).port}`;
  http = createHttpServer((_req, res) => {
    httpHits += 1;
    res.end('fine');
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  httpPort = (http.address() as AddressInfo).port;
  agents = createDispatchAgents({ baseLookup: fakeDns });
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  http.closeAllConnections();
  await agents.close();
  await Promise.all([new Promise((r) => trickle.close(r)), new Promise((r) => http.close(r))]);
});

function task(url: string, overrides: Partial<DispatchRequest> = {}): DispatchRequest {
  return {
    taskId: 'task_1',
    queue: 'q',
    attempt: 1,
    url,
    method: 'POST',
    headers: {},
    body: null,
    contentType: null,
    timeoutMs: 400,
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

describe('sendRequest deadline', () => {
  it('a header block that trickles in ends as a timeout on time', async () => {
    const result = await sendRequest(task(`${trickleBase}/headers`), agents);
    expect(result).toMatchObject({ status: null, errorKind: 'timeout' });
    expect(result.durationMs).toBeLessThan(400 + 300);
  });

  it('a body that trickles keeps the status and a partial excerpt, and ends on time', async () => {
    const result = await sendRequest(task(`${trickleBase}/body`), agents);
    expect(result).toMatchObject({ status: 200, errorKind: null });
    expect(result.responseExcerpt).toMatch(/^y+$/);
    expect(result.durationMs).toBeLessThan(400 + 300);
  });
});

/**
 * More attempts to one origin than the Agent has connections: the rest wait for one, and their
 * timeout only starts when they get it. A slow node:http target (200 ms per answer) that counts
 * what it received and how many it held at once; Agents with 1 or 2 connections per origin.
 */
describe('sendBatch beyond the connections per origin', () => {
  let slow: HttpServer;
  let slowUrl: string;
  let received = 0;
  let open = 0;
  let mostOpen = 0;
  beforeAll(async () => {
    slow = createHttpServer((req, res) => {
      received += 1;
      mostOpen = Math.max(mostOpen, ++open);
      req.resume();
      setTimeout(() => {
        open -= 1;
        res.end('slow');
      }, 200);
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    slowUrl = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    slow.closeAllConnections();
    await new Promise((r) => slow.close(r));
  });
  const counted = async <T>(connectionsPerOrigin: number, run: (few: DispatchAgents) => Promise<T>): Promise<T> => {
    received = 0;
    mostOpen = 0;
    const few = createDispatchAgents({ connectionsPerOrigin });
    try {
      return await run(few);
    } finally {
      await few.close();
    }
  };

  it("starts an attempt's timeout when it gets a connection, not when it was handed over", async () => {
    // 30 answers of 200 ms over two connections take 3 s; each attempt alone takes 200 ms of its 1 s.
    const results = await counted(2, (few) =>
      sendBatch(
        Array.from({ length: 30 }, (_, i) => task(slowUrl, { taskId: `t${i}`, timeoutMs: 1_000 })),
        few,
      ),
    );
    expect(results.map((r) => [r.status, r.errorKind])).toEqual(Array.from({ length: 30 }, () => [200, null]));
    // Each result's start is its own: the last pair got its connection 14 answers after the first.
    expect(results[29].startedAtMs - results[0].startedAtMs).toBeGreaterThanOrEqual(14 * 200 - 20);
    expect(received).toBe(30);
    expect(mostOpen).toBe(2);
  });

  it('gives back unsent an attempt that waited past the time its lease covers its whole timeout, and never shortens a timeout', async () => {
    // 100 ms to get a connection: the first gets it at once and keeps its whole 400 ms timeout (its
    // answer takes 200 ms); the others would get it after ~200 ms, when their lease no longer covers
    // 400 ms and the margin, so they are not sent at all.
    const results = await counted(1, (few) =>
      sendBatch(
        Array.from({ length: 3 }, (_, i) => task(slowUrl, { taskId: `t${i}`, timeoutMs: 400, sendWithinMs: 100 })),
        few,
      ),
    );
    expect(results[0]).toMatchObject({ status: 200, errorKind: null });
    for (const unsent of results.slice(1)) {
      expect(unsent).toMatchObject({ status: null, errorKind: 'aborted', durationMs: 0 });
      expect(unsent.error).toMatch(
        /^not sent: waited \d+ ms for a connection to its target, and its lease no longer covers its 400 ms timeout$/,
      );
    }
    expect(received).toBe(1);
  });

  it('sends an attempt that gets its connection with no wait left to spare, with its whole timeout', async () => {
    const [result] = await counted(1, (few) => sendBatch([task(slowUrl, { timeoutMs: 400, sendWithinMs: 0 })], few));
    expect(result).toMatchObject({ status: 200, errorKind: null, responseExcerpt: 'slow' });
    expect(received).toBe(1);
  });

  it('settles waiting attempts when their batch is aborted, without waiting for the connection or sending them', async () => {
    const outcome = await counted(1, async (few) => {
      const ahead = sendBatch([task(slowUrl, { taskId: 'ahead', timeoutMs: 2_000 })], few);
      const controller = new AbortController();
      const behind = sendBatch(
        Array.from({ length: 2 }, (_, i) => task(slowUrl, { taskId: `behind${i}`, timeoutMs: 2_000 })),
        few,
        controller.signal,
      );
      setTimeout(() => controller.abort(), 50);
      const first = await Promise.race([ahead.then(() => 'ahead'), behind.then(() => 'behind')]);
      return { first, ahead: await ahead, behind: await behind };
    });
    expect(outcome.first).toBe('behind'); // settled at the abort, before the connection came free
    expect(outcome.behind.map((r) => [r.errorKind, r.error])).toEqual([
      ['aborted', 'aborted before sending'],
      ['aborted', 'aborted before sending'],
    ]);
    expect(outcome.ahead[0]).toMatchObject({ status: 200 });
    expect(received).toBe(1);
  });
});

describe('sendRequest through the guarded lookup', () => {
  it('connects to the address the guarded lookup returns', async () => {
    const result = await sendRequest(task(`http://loopback.test:${httpPort}/`), agents);
    expect(result).toMatchObject({ status: 200, responseExcerpt: 'fine' });
  });

  it('refuses a name that resolves to a private address, without connecting', async () => {
    const hits = httpHits;
    const result = await sendRequest(task(`http://loopback.test:${httpPort}/`, { allowPrivateNetwork: false }), agents);
    expect(result).toMatchObject({ status: null, errorKind: 'guard-refused' });
    expect(httpHits).toBe(hits);
  });

  it('maps resolver failures to dns', async () => {
    expect(await sendRequest(task('http://missing.test/'), agents)).toMatchObject({ errorKind: 'dns' });
  });

  it('maps a TLS handshake against a plain HTTP port to tls', async () => {
    expect(await sendRequest(task(`https://127.0.0.1:${httpPort}/`), agents)).toMatchObject({ errorKind: 'tls' });
  });

  it('never throws, even for an invalid URL or method', async () => {
    expect(await sendRequest(task('not a url'), agents)).toMatchObject({ errorKind: 'network', error: 'invalid URL' });
    expect(await sendRequest(task(`http://127.0.0.1:${httpPort}/`, { method: 'BAD METHOD' }), agents)).toMatchObject({
      errorKind: 'network',
    });
  });
});

describe('describeSendError', () => {
  const kind = (error: unknown) => describeSendError(error).errorKind;
  const sys = (code: string, message = code) => Object.assign(new Error(message), { code });

  it('maps codes, including ones nested in cause or AggregateError', () => {
    expect(kind(sys('UND_ERR_HEADERS_TIMEOUT'))).toBe('timeout');
    expect(kind(sys('UND_ERR_BODY_TIMEOUT'))).toBe('timeout');
    expect(kind(sys('ECONNREFUSED'))).toBe('connection-refused');
    expect(kind(new AggregateError([sys('ECONNREFUSED')], 'all failed'))).toBe('connection-refused');
    expect(kind(sys('ECONNRESET'))).toBe('connection-reset');
    expect(kind(Object.assign(sys('UND_ERR_SOCKET', 'other side closed'), { cause: sys('ECONNRESET') }))).toBe(
      'connection-reset',
    );
    expect(kind(sys('UND_ERR_SOCKET', 'other side closed'))).toBe('connection-reset');
    expect(kind(sys('ENOTFOUND'))).toBe('dns');
    expect(kind(sys('EAI_AGAIN'))).toBe('dns');
    expect(kind(sys('CERT_HAS_EXPIRED'))).toBe('tls');
    expect(kind(sys('ERR_TLS_CERT_ALTNAME_INVALID'))).toBe('tls');
    expect(kind(sys('EHOSTUNREACH'))).toBe('network');
    expect(kind('weird')).toBe('network');
  });

  it('keeps messages short and drops URL credentials', () => {
    const { error } = describeSendError(
      sys('ECONNREFUSED', 'connect to http://user:s3cret@host/ failed ' + 'x'.repeat(500)),
    );
    expect(error).not.toContain('s3cret');
    expect(error!.length).toBeLessThanOrEqual(220);
  });
});

describe('utf8Excerpt', () => {
  it('stores at most 1,024 bytes of UTF-8 even when every byte read was invalid or NUL', () => {
    for (const bytes of [Buffer.alloc(1024, 0xff), Buffer.alloc(1024, 0), Buffer.from('é'.repeat(512))]) {
      const text = utf8Excerpt(bytes);
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(1024);
      expect(text.length).toBeGreaterThan(300); // cut, not emptied
      expect(text).not.toContain('\u0000');
    }
  });

  it('keeps a text that fits as it is', () => {
    expect(utf8Excerpt(Buffer.from('plain ascii'))).toBe('plain ascii');
    expect(utf8Excerpt(Buffer.from('a\u0000b'))).toBe('a\uFFFDb');
  });
});
