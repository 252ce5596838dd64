import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drivers } from '../../support/databases.js';
import { startTestRecorder, TOKEN, type TestRecorder } from './support.js';

/**
 * The auth matrix. The route walk reads the router itself, so a route added later without auth,
 * or a new public route nobody meant to make public, fails here.
 */
const HASHED = 'hashed-token-0123456789abcdef';
const READER = 'reader-token-0123456789abcdef';
const SCOPED = 'scoped-token-0123456789abcdef';
const PUBLIC = ['GET /healthz', 'HEAD /healthz', 'GET /readyz', 'HEAD /readyz'];

describe.each(drivers())('auth on %s', (driver) => {
  let recorder: TestRecorder;
  beforeAll(async () => {
    recorder = await startTestRecorder(driver, {
      recorder: {
        tokens: [
          TOKEN,
          `sha256:${createHash('sha256').update(HASHED).digest('hex')}`,
          { token: READER, readOnly: true },
          { token: SCOPED, queues: ['reports'], name: 'reports-only' },
        ],
      },
    });
  });
  afterAll(async () => recorder.close());

  const concrete = (path: string) =>
    path.replace(':queue', 'emails').replace(':id', '01900000-0000-7000-8000-000000000000');

  it('refuses every route of the router without a token or with a wrong one, except the probes', async () => {
    const routes = recorder.server.recorder.routes;
    expect(routes.length).toBeGreaterThanOrEqual(16);
    expect(
      routes
        .filter((r) => r.public)
        .map((r) => `${r.method} ${r.path}`)
        .sort(),
    ).toEqual([...PUBLIC].sort());
    for (const route of routes.filter((r) => !r.public)) {
      for (const token of [null, 'wrong-token-0123456789abcdef']) {
        const reply = await recorder.call(route.method, concrete(route.path), {
          token,
          ...(route.method === 'POST' ? { body: {} } : {}),
        });
        expect(reply.status, `${route.method} ${route.path} with ${token ?? 'no token'}`).toBe(401);
        if (route.method !== 'HEAD') expect(reply.body.code).toBe('unauthorized');
        // RFC 6750 3.1: a presented token that is not valid says so; a missing one only names the scheme.
        expect(reply.headers['www-authenticate']).toBe(
          token ? 'Bearer realm="dispatchr", error="invalid_token"' : 'Bearer realm="dispatchr"',
        );
      }
    }
    for (const probe of ['/healthz', '/readyz']) expect((await recorder.call('GET', probe)).status).toBe(200);
  });

  it('refuses unknown paths and wrong methods with 401 before saying 404 or 405', async () => {
    expect((await recorder.call('GET', '/v1/secret-route')).status).toBe(401);
    expect((await recorder.call('PUT', '/v1/queues')).status).toBe(401);
    expect((await recorder.call('PUT', '/v1/queues', { token: TOKEN })).status).toBe(405);
  });

  it('accepts a plain token, a sha256 token, and refuses other schemes', async () => {
    expect((await recorder.call('GET', '/v1/queues', { token: TOKEN })).status).toBe(200);
    expect((await recorder.call('GET', '/v1/queues', { token: HASHED })).status).toBe(200);
    const hashItself = `sha256:${createHash('sha256').update(HASHED).digest('hex')}`;
    expect((await recorder.call('GET', '/v1/queues', { token: hashItself })).status).toBe(401); // the hash is not the token
    const basic = await recorder.call('GET', '/v1/queues', {
      headers: { authorization: `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}` },
    });
    expect(basic.status).toBe(401);
    expect(basic.headers['www-authenticate']).toBe('Bearer realm="dispatchr"'); // no bearer token was presented
    expect((await recorder.call('GET', '/v1/queues', { headers: { authorization: `bearer ${TOKEN}` } })).status).toBe(
      200,
    );
  });

  it('lets a read-only token read but not write (403)', async () => {
    const created = await recorder.call('POST', '/v1/queues/emails/tasks', { body: {}, token: TOKEN });
    expect((await recorder.call('GET', `/v1/tasks/${created.body.id}`, { token: READER })).status).toBe(200);
    expect((await recorder.call('GET', '/v1/queues/emails/tasks', { token: READER })).status).toBe(200);
    const before = await recorder.count();
    for (const [method, path] of [
      ['POST', '/v1/queues/emails/tasks'],
      ['POST', `/v1/tasks/${created.body.id}/cancel`],
      ['DELETE', `/v1/tasks/${created.body.id}`],
      ['POST', '/v1/queues/emails/pause'],
      ['POST', '/v1/queues/emails/purge'],
    ]) {
      const reply = await recorder.call(method, path, { token: READER, ...(method === 'POST' ? { body: {} } : {}) });
      expect(reply.status, path).toBe(403);
      expect(reply.body.code).toBe('forbidden');
      expect(reply.body.detail).toMatch(
        /^this token's role is "read": (POST|DELETE) \S+ needs role "(enqueue|admin)"$/,
      );
    }
    expect(await recorder.count()).toBe(before);
    expect((await recorder.call('GET', `/v1/tasks/${created.body.id}`, { token: READER })).body.state).toBe(
      'available',
    );
  });

  it('keeps a scoped token to its queues: 403 on other queues, their tasks invisible', async () => {
    expect((await recorder.call('POST', '/v1/queues/reports/tasks', { body: {}, token: SCOPED })).status).toBe(201);
    const other = await recorder.call('POST', '/v1/queues/emails/tasks', { body: {}, token: SCOPED });
    expect(other.status).toBe(403);
    expect(other.body.detail).toContain('emails');
    expect((await recorder.call('GET', '/v1/queues/emails/tasks', { token: SCOPED })).status).toBe(403);
    expect((await recorder.call('POST', '/v1/queues/emails/pause', { token: SCOPED })).status).toBe(403);
    const queues = await recorder.call('GET', '/v1/queues', { token: SCOPED });
    expect(queues.body.queues.map((q: { name: string }) => q.name)).toEqual(['reports']);
    // A task id from another queue is answered like a task that does not exist.
    const foreign = await recorder.call('POST', '/v1/queues/emails/tasks', { body: {}, token: TOKEN });
    expect((await recorder.call('GET', `/v1/tasks/${foreign.body.id}`, { token: SCOPED })).status).toBe(404);
    expect((await recorder.call('POST', `/v1/tasks/${foreign.body.id}/cancel`, { token: SCOPED })).status).toBe(404);
    expect((await recorder.call('GET', `/v1/tasks/${foreign.body.id}`, { token: TOKEN })).body.state).toBe('available');
  });
});
