import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drivers } from '../../support/databases.js';
import { call, startTestRecorder, type TestRecorder } from './support.js';

/** recorder.basePath: every route, probes included, lives under it; nothing answers outside it. */
describe.each(drivers())('recorder.basePath on %s', (driver) => {
  let recorder: TestRecorder;
  let origin: string;
  beforeAll(async () => {
    recorder = await startTestRecorder(driver, { recorder: { basePath: '/api/dispatchr/' } });
    origin = new URL(recorder.url).origin;
  });
  afterAll(async () => recorder.close());

  it('serves the API under the base path, with Location and the OpenAPI server under it too', async () => {
    expect(recorder.url).toBe(`${origin}/api/dispatchr`);
    const created = await call(origin, 'POST', '/api/dispatchr/v1/queues/emails/tasks', { body: { path: '/x' } });
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe(`/api/dispatchr/v1/tasks/${created.body.id}`);
    expect((await call(origin, 'GET', created.headers.location)).body.id).toBe(created.body.id);
    expect((await call(origin, 'GET', '/api/dispatchr/healthz')).status).toBe(200);
    expect((await call(origin, 'GET', '/api/dispatchr/v1/openapi.json')).body.servers).toEqual([
      { url: '/api/dispatchr' },
    ]);
  });

  it('answers 404 problem+json outside the base path', async () => {
    for (const path of ['/v1/queues', '/healthz', '/api/v1/queues']) {
      const reply = await call(origin, 'GET', path);
      expect(reply.status, path).toBe(404);
      expect(reply.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
  });
});
