import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problemResource } from '../../../src/recorder/schemas/resource.schema.js';
import { drivers } from '../../support/databases.js';
import { startTestRecorder, type TestRecorder } from './support.js';

/**
 * Every error status of the contract, answered as application/problem+json by the one error
 * middleware: 404, 405, 413, 415 and 500 here; 400 in bad-input, 401/403 in auth, 409 in tasks,
 * 422 in idempotency, 503 in unavailable.
 */
describe.each(drivers())('error answers on %s', (driver) => {
  let recorder: TestRecorder;
  beforeAll(async () => {
    recorder = await startTestRecorder(driver, { recorder: { maxBodySize: '1kb' } });
  });
  afterAll(async () => recorder.close());

  /** Sends raw bytes and resolves with what the server answered, without ever finishing the request. */
  function rawExchange(head: string, firstBytes: string): Promise<string> {
    const { port } = new URL(recorder.url);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1');
      let received = '';
      socket.on('data', (chunk) => {
        received += chunk.toString('latin1');
        if (received.includes('\r\n\r\n') && received.includes('"code"')) {
          socket.destroy();
          resolve(received);
        }
      });
      socket.on('error', reject);
      socket.on('close', () => resolve(received));
      socket.write(`${head}\r\n\r\n${firstBytes}`); // the rest of the body never comes
    });
  }

  it('answers 404 problem+json for unknown routes and 405 with Allow for wrong methods', async () => {
    const missing = await recorder.call('GET', '/v2/nothing');
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(problemResource.parse(missing.body)).toMatchObject({ code: 'not_found', status: 404, errors: [] });

    for (const [method, path, allow] of [
      ['DELETE', '/v1/queues/emails/tasks', 'GET, HEAD, POST, OPTIONS'],
      ['GET', '/v1/tasks/01900000-0000-7000-8000-000000000000/cancel', 'POST, OPTIONS'],
      ['PUT', '/v1/tasks/01900000-0000-7000-8000-000000000000', 'GET, HEAD, DELETE, OPTIONS'],
      ['POST', '/healthz', 'GET, HEAD, OPTIONS'],
    ]) {
      const reply = await recorder.call(method, path);
      expect(reply.status, `${method} ${path}`).toBe(405);
      expect(reply.headers.allow).toBe(allow);
      expect(reply.body.code).toBe('method_not_allowed');
    }
    const options = await recorder.call('OPTIONS', '/v1/queues');
    expect(options.status).toBe(204);
    expect(options.headers.allow).toBe('GET, HEAD, OPTIONS');
  });

  it('answers 415 for bodies that are not JSON', async () => {
    const before = await recorder.count();
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/json; charset=latin1',
      'application/jsonx',
    ]) {
      const reply = await recorder.call('POST', '/v1/queues/emails/tasks', {
        raw: '{}',
        headers: { 'content-type': type },
      });
      expect(reply.status, type).toBe(415);
      expect(reply.body.code).toBe('unsupported_media_type');
    }
    expect(
      (
        await recorder.call('POST', '/v1/queues/emails/tasks', {
          raw: '{}',
          headers: { 'content-type': 'application/merge-patch+json' },
        })
      ).status,
    ).toBe(201);
    expect(await recorder.count()).toBe(before + 1);
  });

  it('answers 413 from Content-Length before reading the body', async () => {
    const before = await recorder.count();
    const reply = await recorder.call('POST', '/v1/queues/emails/tasks', { body: { body: 'x'.repeat(2000) } });
    expect(reply.status).toBe(413);
    expect(reply.body.code).toBe('payload_too_large');
    // A declared gigabyte with a few bytes sent: the answer comes without waiting for the rest.
    const raw = await rawExchange(
      `POST /v1/queues/emails/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000000000`,
      '{"body": "',
    );
    expect(raw).toMatch(/^HTTP\/1\.1 413 /);
    expect(raw.toLowerCase()).toContain('connection: close');
    expect(await recorder.count()).toBe(before);
  });

  it('answers 413 while streaming a chunked body as soon as it passes the limit', async () => {
    const chunk = 'a'.repeat(1500);
    const raw = await rawExchange(
      `POST /v1/queues/emails/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked`,
      `${chunk.length.toString(16)}\r\n${chunk}\r\n`, // no terminating chunk: the body never ends
    );
    expect(raw).toMatch(/^HTTP\/1\.1 413 /);
    expect((await recorder.call('GET', '/healthz')).status).toBe(200);
  });

  it('answers a generic 500 without SQL or internals when a query fails unexpectedly', async () => {
    const broken = await startTestRecorder(driver);
    try {
      await broken.db.sql.execute('drop table dispatchr_queue_state');
      const reply = await broken.call('GET', '/v1/queues');
      expect(reply.status).toBe(500);
      expect(problemResource.parse(reply.body)).toMatchObject({
        code: 'internal_error',
        detail: expect.stringContaining('unexpected'),
      });
      expect(reply.text).not.toMatch(/dispatchr_|select|relation|sqlite|at .*\.ts|127\.0\.0\.1/i);
      expect((await broken.call('GET', '/healthz')).status).toBe(200);
    } finally {
      await broken.close();
    }
  });
});
