import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DispatchRequest } from '../../../src/workers/protocol.js';
import { packRequests, packResults, unpackRequests, unpackResults } from '../../../src/workers/protocol-pack.js';
import { createDispatchAgents, sendBatch, type DispatchAgents } from '../../../src/workers/send-request.js';

/**
 * keepBytes (docs/spec.md 11.4): the worker hands back the body's first keepBytes bytes and its
 * content type, past the 64 KB it otherwise drains; without it, only the excerpt, as before.
 */
const LARGE = Buffer.alloc(300_000);
for (let i = 0; i < LARGE.length; i++) LARGE[i] = i % 251;
let server: Server;
let base: string;
let agents: DispatchAgents;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/large') res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(LARGE);
    else if (req.url === '/empty') res.writeHead(204).end();
    else res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('small answer');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  agents = createDispatchAgents();
});

afterAll(async () => {
  server.closeAllConnections();
  await agents.close();
  await new Promise((resolve) => server.close(resolve));
});

function request(path: string, keepBytes?: number): DispatchRequest {
  return {
    taskId: `task-${path}`,
    queue: 'q',
    attempt: 1,
    url: `${base}${path}`,
    method: 'POST',
    headers: {},
    body: null,
    contentType: null,
    timeoutMs: 5_000,
    allowPrivateNetwork: true,
    signingSecrets: [],
    scheduledAt: new Date().toISOString(),
    previousStatus: null,
    traceparent: null,
    cron: null,
    cronFireAt: null,
    ...(keepBytes === undefined ? {} : { keepBytes }),
  };
}

describe('keepBytes', () => {
  it('returns up to keepBytes of the body (beyond the drain limit) and its content type', async () => {
    const [large, small, empty, plain] = await sendBatch(
      [request('/large', 200_000), request('/small', 1024), request('/empty', 1024), request('/large')],
      agents,
    );
    expect(large.status).toBe(200);
    expect(large.responseBody!.length).toBe(200_000);
    expect(Buffer.from(large.responseBody!).equals(LARGE.subarray(0, 200_000))).toBe(true);
    expect(large.responseContentType).toBe('application/octet-stream');
    // The excerpt is unchanged: the first 1 KB as text.
    expect(Buffer.byteLength(large.responseExcerpt!)).toBeLessThanOrEqual(1024);
    expect(Buffer.from(small.responseBody!).toString('utf8')).toBe('small answer');
    expect(small.responseContentType).toBe('text/plain; charset=utf-8');
    expect(empty.responseBody).toEqual(new Uint8Array(0));
    expect(plain.responseBody).toBeNull();
    expect(plain.responseContentType).toBeNull();
  });

  it('crosses the thread boundary as columns, and only when a request asked', async () => {
    const requests = [request('/small', 1024), request('/large')];
    expect(unpackRequests(packRequests(requests)).map((r) => r.keepBytes)).toEqual([1024, undefined]);
    const results = await sendBatch(requests, agents);
    const packed = packResults(results);
    expect(packed.kept?.contentType).toEqual(['text/plain; charset=utf-8', null]);
    const back = unpackResults(packed, requests);
    expect(Buffer.from(back[0].responseBody!).toString('utf8')).toBe('small answer');
    expect(back[1].responseBody).toBeNull();
    // A batch that asked for no body carries no column for it.
    expect(packResults(await sendBatch([request('/large')], agents)).kept).toBeUndefined();
  });
});
