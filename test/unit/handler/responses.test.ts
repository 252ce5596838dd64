import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { doNotRetry, retryAfter } from '../../../src/handler/index.js';
import { classifyResult } from '../../../src/workers/classify.js';
import { parseRetryAfter } from '../../../src/workers/retry-after.js';

/**
 * retryAfter() and doNotRetry() answer alike on Koa, Express and node:http, and the scheduler's own
 * classifier reads those answers as intended: retry no sooner than asked, or fail now.
 */
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function answer(listener: RequestListener) {
  const server = createServer(listener);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { method: 'POST' });
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    type: response.headers.get('content-type'),
    body: await response.json(),
  };
}

const frameworks: [string, (reply: (target: never) => void) => RequestListener][] = [
  ['node:http', (reply) => (_req, res) => reply(res as never)],
  [
    'Express',
    (reply) => {
      const app = express();
      app.post('/', (_req, res) => reply(res as never));
      return app;
    },
  ],
  [
    'Koa',
    (reply) => {
      const app = new Koa();
      app.use((ctx) => reply(ctx as never));
      return app.callback();
    },
  ],
];

describe.each(frameworks)('on %s', (_name, appWith) => {
  it('retryAfter(target, seconds) answers 503 with Retry-After, which Dispatchr honours', async () => {
    const reply = await answer(appWith((target) => retryAfter(target, 42.2, 'the mail server is down')));
    expect(reply).toMatchObject({ status: 503, retryAfter: '43', type: 'application/problem+json' });
    expect(reply.body).toEqual({
      code: 'retry_later',
      title: 'Retry later',
      status: 503,
      detail: 'the mail server is down',
      errors: [],
    });
    const outcome = classifyResult({
      status: reply.status,
      errorKind: null,
      retryAfterMs: parseRetryAfter(reply.retryAfter),
    });
    expect(outcome).toMatchObject({ outcome: 'retry', retryAfterMs: 43_000 });
  });

  it('doNotRetry(target, reason) answers 422, which Dispatchr fails at once', async () => {
    const reply = await answer(appWith((target) => doNotRetry(target, 'no such user')));
    expect(reply).toMatchObject({ status: 422, retryAfter: null, type: 'application/problem+json' });
    expect(reply.body).toMatchObject({ code: 'do_not_retry', detail: 'no such user' });
    expect(classifyResult({ status: reply.status, errorKind: null, retryAfterMs: null }).outcome).toBe('failed');
  });
});

it('retryAfter refuses a negative or non-finite delay', () => {
  const res = { setHeader() {}, end() {} } as never;
  expect(() => retryAfter(res, -1)).toThrow(TypeError);
  expect(() => retryAfter(res, Number.NaN)).toThrow(TypeError);
});
