import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bodyParser } from '@koa/bodyparser';
import express from 'express';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyDispatchr, verifyRequest, withDispatchr, type VerifiedDispatch } from '../../../src/handler/index.js';
import { SECRET, signedRequest } from './signed-request.js';

/**
 * verifyDispatchr on real Koa and Express servers, and withDispatchr / verifyRequest on node:http:
 * genuine requests reach the handler with the verified task and the body; anything else is answered
 * 401 (413 when too large) and never reaches it; a body a parser consumed is a setup error.
 */
interface Seen {
  dispatch: VerifiedDispatch | undefined;
  body: unknown;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function serve(listener: RequestListener): Promise<string> {
  const server = createServer(listener);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const fresh = () => signedRequest({}, Math.floor(Date.now() / 1000));

async function post(url: string, request: { body: Buffer; headers: Record<string, string> }) {
  const response = await fetch(`${url}/tasks/welcome`, {
    method: 'POST',
    headers: request.headers,
    body: request.body,
  });
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    body: text ? JSON.parse(text) : undefined,
  };
}

const tampered = () => {
  const request = fresh();
  return { ...request, body: Buffer.from(request.body.toString().replace('a@', 'e@')) };
};

/** The same assertions for every framework. */
async function expectGuarded(url: string, seen: Seen[]) {
  const genuine = await post(url, fresh());
  expect(genuine.status).toBe(204);
  expect(seen).toHaveLength(1);
  expect(seen[0].dispatch).toMatchObject({
    taskId: fresh().headers['webhook-id'],
    queue: 'emails',
    attempt: 1,
    previousStatus: null,
  });
  expect(seen[0].dispatch?.scheduledAt).toBeInstanceOf(Date);
  expect(seen[0].body).toEqual({ to: 'a@example.com' });

  const forged = await post(url, tampered());
  expect(forged).toMatchObject({
    status: 401,
    type: 'application/problem+json',
    body: { code: 'invalid_signature', status: 401 },
  });
  const { 'webhook-signature': _dropped, ...unsigned } = fresh().headers;
  const missing = await post(url, { body: fresh().body, headers: unsigned });
  expect(missing).toMatchObject({ status: 401, body: { code: 'missing_header' } });
  expect(seen).toHaveLength(1);
}

describe('verifyDispatchr on Koa', () => {
  const koaApp = (seen: Seen[], setup: (app: Koa) => void = () => undefined, maxBodyBytes?: number) => {
    const app = new Koa();
    setup(app);
    app.use(verifyDispatchr({ secret: SECRET, maxBodyBytes }));
    app.use((ctx) => {
      seen.push({ dispatch: ctx.state.dispatchr, body: (ctx.request as { body?: unknown }).body });
      ctx.status = 204;
    });
    return app;
  };

  it('reads the raw body itself when it runs first', async () => {
    const seen: Seen[] = [];
    await expectGuarded(await serve(koaApp(seen).callback()), seen);
  });

  it('uses ctx.request.rawBody kept by @koa/bodyparser when a parser ran first', async () => {
    const seen: Seen[] = [];
    await expectGuarded(await serve(koaApp(seen, (app) => app.use(bodyParser())).callback()), seen);
  });

  it('lets a body parser mounted after it pass without waiting for a body', async () => {
    const seen: Seen[] = [];
    const app = new Koa();
    app.use(verifyDispatchr({ secret: SECRET }));
    app.use(bodyParser());
    app.use((ctx) => {
      seen.push({ dispatch: ctx.state.dispatchr, body: (ctx.request as { body?: unknown }).body });
      ctx.status = 204;
    });
    await expectGuarded(await serve(app.callback()), seen);
  });

  it('answers 413 to a body over maxBodyBytes', async () => {
    const seen: Seen[] = [];
    const url = await serve(koaApp(seen, undefined, 10).callback());
    expect(await post(url, fresh())).toMatchObject({ status: 413, body: { code: 'payload_too_large' } });
    expect(seen).toHaveLength(0);
  });
});

describe('verifyDispatchr on Express', () => {
  const expressApp = (seen: Seen[], ...before: express.RequestHandler[]) => {
    const app = express();
    app.post('/tasks/welcome', ...before, verifyDispatchr({ secret: SECRET }), (req, res) => {
      seen.push({
        dispatch: req.dispatchr,
        body: Buffer.isBuffer(req.body) ? JSON.parse(req.body.toString()) : req.body,
      });
      res.sendStatus(204);
    });
    return app;
  };

  it('reads the raw body itself when no parser ran, and sets req.body', async () => {
    const seen: Seen[] = [];
    await expectGuarded(await serve(expressApp(seen)), seen);
  });

  it('verifies the Buffer left by express.raw()', async () => {
    const seen: Seen[] = [];
    await expectGuarded(await serve(expressApp(seen, express.raw({ type: '*/*' }))), seen);
  });

  it('refuses to guess when express.json() consumed the body: a 500, never the handler', async () => {
    const seen: Seen[] = [];
    const url = await serve(expressApp(seen, express.json()));
    const reply = await fetch(`${url}/tasks/welcome`, { method: 'POST', headers: fresh().headers, body: fresh().body });
    expect(reply.status).toBe(500);
    await reply.text();
    expect(seen).toHaveLength(0);
  });
});

describe('node:http', () => {
  it('withDispatchr calls the handler with the verified task and the exact bytes', async () => {
    const seen: Seen[] = [];
    const url = await serve(
      withDispatchr({ secret: SECRET }, (_req, res, { dispatch, body }) => {
        seen.push({ dispatch, body: JSON.parse(body.toString('utf8')) });
        res.writeHead(204).end();
      }),
    );
    await expectGuarded(url, seen);
  });

  it('withDispatchr answers 500 when the handler throws (Dispatchr retries it)', async () => {
    const url = await serve(
      withDispatchr({ secret: SECRET }, () => {
        throw new Error('boom');
      }),
    );
    expect(await post(url, fresh())).toMatchObject({ status: 500, body: { code: 'internal_error' } });
  });

  it('verifyRequest returns the task and body, or throws the signature error', async () => {
    const outcomes: unknown[] = [];
    const url = await serve(async (req, res) => {
      try {
        const { dispatch, body } = await verifyRequest(req, { secret: [SECRET] });
        outcomes.push({ taskId: dispatch.taskId, bytes: body.length });
      } catch (error) {
        outcomes.push((error as { code: string }).code);
      }
      res.writeHead(204).end();
    });
    await post(url, fresh());
    await post(url, tampered());
    expect(outcomes).toEqual([
      { taskId: fresh().headers['webhook-id'], bytes: fresh().body.length },
      'invalid_signature',
    ]);
  });

  it('refuses to start without a usable secret', () => {
    expect(() => verifyDispatchr({ secret: '' })).toThrow(TypeError);
    expect(() => withDispatchr({ secret: [] }, () => undefined)).toThrow(TypeError);
  });
});
