import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import express from 'express';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyDispatchr, verifyRequest, withDispatchr } from '../../../src/handler/index.js';
import { SECRET, signedRequest } from './signed-request.js';

/**
 * The receiver kit judges the webhook headers before it reads a body: a request that is unsigned,
 * stale or carries no v1 signature is answered 401 (with `Connection: close`) while its body is
 * still arriving. The client here sends the head of an 8 MB request (under the 10 MB limit) and
 * 64 KB of it, then stalls: a kit that buffered first would never answer.
 */
const servers: Server[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** Serves `listener`, noting for each answer whether anything had started reading the request body. */
async function serve(listener: RequestListener): Promise<{ port: number; bodyReadBeforeAnswer: boolean[] }> {
  const bodyReadBeforeAnswer: boolean[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.end = ((...args: unknown[]) => {
      bodyReadBeforeAnswer.push(req.readableDidRead);
      return end(...args);
    }) as ServerResponse['end'];
    listener(req, res);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, bodyReadBeforeAnswer };
}

/** Sends the head and 64 KB of an 8 MB body, then nothing more; resolves with the answer once the server closes. */
function stalledPost(
  port: number,
  headers: Record<string, string>,
): Promise<{ status: number; head: string; body: { code?: string } }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head, body = ''] = text.split('\r\n\r\n');
      resolve({
        status: Number(head.split(' ')[1]),
        head: head.toLowerCase(),
        body: body ? (JSON.parse(body) as { code?: string }) : {},
      });
    });
    const lines = Object.entries({
      ...headers,
      'content-type': 'application/json',
      'content-length': String(8 * 1024 * 1024),
    }).map(([name, value]) => `${name}: ${value}`);
    socket.write(`POST /tasks/welcome HTTP/1.1\r\nhost: 127.0.0.1\r\n${lines.join('\r\n')}\r\n\r\n`);
    socket.write(Buffer.alloc(64 * 1024, 'x'));
  });
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const { 'webhook-signature': _signature, ...unsigned } = signedRequest({}, nowSeconds()).headers;
const stale = signedRequest({}, nowSeconds() - 600).headers;
const noV1 = { ...signedRequest({}, nowSeconds()).headers, 'webhook-signature': 'v2,abc' };

function koa(): RequestListener {
  const app = new Koa();
  app.use(verifyDispatchr({ secret: SECRET }));
  app.use((ctx) => void (ctx.status = 204));
  return app.callback();
}

function expressApp(): RequestListener {
  const app = express();
  app.post('/tasks/welcome', verifyDispatchr({ secret: SECRET }), (_req, res) => void res.sendStatus(204));
  return app;
}

function plain(): RequestListener {
  return withDispatchr({ secret: SECRET }, (_req, res) => void res.writeHead(204).end());
}

/** verifyRequest throws before reading; the app answers, closing the connection as the kit's docs say. */
function manual(): RequestListener {
  return (req, res) => {
    verifyRequest(req, { secret: SECRET }).then(
      () => res.writeHead(204).end(),
      (error: { code: string }) => {
        const body = JSON.stringify({ code: error.code });
        res
          .writeHead(401, {
            connection: 'close',
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          })
          .end(body);
      },
    );
  };
}

const cases: [string, () => RequestListener, Record<string, string>, string][] = [
  ['Koa, unsigned', koa, unsigned, 'missing_header'],
  ['Koa, stale', koa, stale, 'timestamp_too_old'],
  ['Express, unsigned', expressApp, unsigned, 'missing_header'],
  ['Express, no v1 signature', expressApp, noV1, 'invalid_signature'],
  ['withDispatchr, unsigned', plain, unsigned, 'missing_header'],
  ['withDispatchr, stale', plain, stale, 'timestamp_too_old'],
  ['verifyRequest, unsigned', manual, unsigned, 'missing_header'],
];

describe('the receiver kit checks headers before reading the body', () => {
  it.each(cases)(
    '%s: 401 before the body is read, and the connection closed',
    async (_name, listener, headers, code) => {
      const server = await serve(listener());
      const answer = await stalledPost(server.port, headers);
      expect(answer.status).toBe(401);
      expect(answer.body.code).toBe(code);
      expect(answer.head).toContain('connection: close');
      expect(server.bodyReadBeforeAnswer).toEqual([false]);
    },
  );
});
