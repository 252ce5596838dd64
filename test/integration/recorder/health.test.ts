import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { migrate } from '../../../src/db/migrate.js';
import { createRecorder, type Recorder } from '../../../src/recorder/app.js';
import { createTestDatabase, drivers } from '../../support/databases.js';
import { call, QUEUES } from './support.js';

/**
 * The probes and the 503 contract. A recorder pointed at a closed port is a database that is down:
 * the process stays alive (/healthz), says it is not ready (/readyz), and answers API calls with 503
 * and Retry-After, promptly and without naming the host it could not reach.
 */
async function serve(recorder: Recorder): Promise<{ url: string; server: Server }> {
  const server = createServer(recorder.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('a recorder whose database is down', () => {
  const config = parseConfig({ database: { url: 'postgres://dispatchr@127.0.0.1:1/nowhere' }, queues: QUEUES });
  const recorder = createRecorder({ config }); // no db passed: it opens one from the config, lazily
  let served: { url: string; server: Server };
  afterAll(async () => {
    served?.server.close();
    await recorder.close();
  });

  it('answers 503 with Retry-After on API calls, 503 on /readyz and 200 on /healthz', async () => {
    served = await serve(recorder);
    // The header timeout turns a hanging answer into a failure: the 503 must come within 5 s.
    const created = await call(served.url, 'POST', '/v1/queues/emails/tasks', { body: {}, timeoutMs: 5_000 });
    expect(created.status).toBe(503);
    expect(created.headers['retry-after']).toMatch(/^\d+$/);
    expect(created.body).toMatchObject({ code: 'database_unavailable', status: 503 });
    expect(created.text).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|nowhere|dispatchr@/);
    for (const path of ['/v1/queues', '/v1/tasks/01900000-0000-7000-8000-000000000000', '/v1/queues/emails/tasks']) {
      const reply = await call(served.url, 'GET', path, { timeoutMs: 5_000 });
      expect(reply.status, path).toBe(503);
    }
    const ready = await call(served.url, 'GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ code: 'not_ready', detail: 'the database is unreachable' });
    expect(ready.headers['retry-after']).toBeDefined();
    expect((await call(served.url, 'GET', '/healthz')).body).toEqual({ status: 'ok' });
  });

  it('still validates before it needs the database (400 beats 503)', async () => {
    const reply = await call(served.url, 'POST', '/v1/queues/emails/tasks', { body: { maxAttempts: 0 } });
    expect(reply.status).toBe(400);
  });
});

describe.each(drivers())('/readyz on %s', (driver) => {
  it('is not ready until the schema is migrated, then ready', async () => {
    const testDb = await createTestDatabase(driver);
    const db = await testDb.open();
    const recorder = createRecorder({ config: parseConfig({ database: { url: testDb.url }, queues: QUEUES }), db });
    const { url, server } = await serve(recorder);
    try {
      const before = await call(url, 'GET', '/readyz');
      expect(before.status).toBe(503);
      expect(before.body.detail).toContain('run dispatchr migrate');
      await migrate(db);
      expect((await call(url, 'GET', '/readyz')).body).toEqual({ status: 'ready' });
    } finally {
      server.close();
      await recorder.close();
      await testDb.cleanup();
    }
  });
});
