import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DispatchrApiError, DispatchrClient, DispatchrNetworkError } from '../../../src/client/index.js';
import { parseConfig } from '../../../src/config/load.js';
import { createTaskRepository, type TaskRepository } from '../../../src/db/task.repository.js';
import { startRecorderServer, type RecorderServer } from '../../../src/recorder/server.js';
import { createTestDatabase, type TestDatabase } from '../../support/databases.js';

/**
 * DispatchrClient against a real recorder (SQLite): every call, the typed errors carrying the API's
 * problem details, and a create whose answer is lost on the way back: the client's retry carries
 * the same Idempotency-Key, so the recorder answers the first task again and makes no second one.
 */
const TOKEN = 'client-test-token-0123456789';

describe('DispatchrClient against a real recorder', () => {
  let testDb: TestDatabase;
  let server: RecorderServer;
  let tasks: TaskRepository;
  let client: DispatchrClient;

  beforeAll(async () => {
    testDb = await createTestDatabase('sqlite');
    const db = await testDb.openMigrated();
    const config = parseConfig({
      database: { url: testDb.url },
      recorder: { host: '127.0.0.1', port: 0, tokens: [TOKEN] },
      queues: {
        emails: { target: 'http://127.0.0.1:9/tasks', allowPrivateNetwork: true },
        reports: { target: 'http://127.0.0.1:9/reports', allowPrivateNetwork: true },
      },
    });
    server = await startRecorderServer(config, { db });
    tasks = createTaskRepository(db);
    client = new DispatchrClient({ url: server.url, token: TOKEN, retryDelayMs: 10 });
  });
  afterAll(async () => {
    await server?.close();
    await testDb?.cleanup();
  });

  it('enqueues a task and reads it back with its attempts', async () => {
    const created = await client.enqueue('emails', {
      path: '/welcome',
      body: { to: 'a@example.com' },
      headers: { 'X-Tenant': 'acme' },
      maxAttempts: 5,
      timeout: '20s',
    });
    expect(created).toMatchObject({
      queue: 'emails',
      state: 'available',
      path: '/welcome',
      body: { to: 'a@example.com' },
      headers: { 'x-tenant': 'acme' },
      maxAttempts: 5,
      timeoutMs: 20_000,
      deduplicated: false,
    });
    const read = await client.get(created.id);
    expect(read).toMatchObject({ id: created.id, attempt: 0, attempts: [] });
  });

  it('sends bytes as they are', async () => {
    const created = await client.enqueue('emails', {
      body: Buffer.from([0, 1, 254, 255]),
      contentType: 'application/octet-stream',
    });
    expect(created.bodyBase64).toBe(Buffer.from([0, 1, 254, 255]).toString('base64'));
  });

  it('answers the holder of a key instead of a second task', async () => {
    const first = await client.enqueue('emails', { path: '/once', key: 'welcome:42' });
    const again = await client.enqueue('emails', { path: '/once', key: 'welcome:42' });
    expect(again).toMatchObject({ id: first.id, deduplicated: 'kept' });
  });

  it('steers a task: run, cancel, retry, delete', async () => {
    const later = await client.enqueue('emails', { path: '/later', delay: '1h' });
    expect(later.state).toBe('scheduled');
    expect((await client.run(later.id)).state).toBe('available');
    expect((await client.cancel(later.id)).state).toBe('cancelled');
    const refused = await client.cancel(later.id).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DispatchrApiError);
    expect(refused).toMatchObject({
      code: 'invalid_transition',
      status: 409,
      errors: [{ path: 'state', message: expect.stringContaining('cancelled') }],
    });
    expect((await client.retry(later.id)).state).toBe('available');
    await client.cancel(later.id);
    await client.delete(later.id);
    await expect(client.get(later.id)).rejects.toMatchObject({
      code: 'task_not_found',
      status: 404,
      title: expect.any(String),
      detail: expect.any(String),
    });
  });

  it('enqueues a batch all or nothing', async () => {
    const before = await tasks.countTasks({ queue: 'reports' });
    const batch = await client.enqueueMany('reports', [
      { path: '/a' },
      { path: '/b', key: 'r' },
      { path: '/c', delay: 60 },
    ]);
    expect(batch.map((t) => [t.path, t.state, t.deduplicated])).toEqual([
      ['/a', 'available', false],
      ['/b', 'available', false],
      ['/c', 'scheduled', false],
    ]);
    const refused = await client
      .enqueueMany('reports', [{ path: '/d' }, { path: '/../e' }])
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({
      code: 'validation_failed',
      status: 400,
      errors: [{ path: 'tasks.1.path', message: expect.any(String) }],
    });
    expect(await tasks.countTasks({ queue: 'reports' })).toBe(before + 3);
  });

  it('lists a queue newest first, page by page, filtered by state', async () => {
    for (const n of [1, 2, 3]) await client.enqueue('reports', { path: `/page/${n}` });
    const first = await client.list('reports', { limit: 2 });
    expect(first.tasks).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await client.list('reports', { limit: 2, cursor: first.nextCursor! });
    expect(second.tasks[0].id < first.tasks[1].id).toBe(true);
    const scheduled = await client.list('reports', { state: 'scheduled' });
    expect(scheduled.tasks.every((t) => t.state === 'scheduled')).toBe(true);
    await expect(client.list('reports', { cursor: 'not-ours' })).rejects.toMatchObject({ code: 'invalid_cursor' });
  });

  it('reads the basic view of a list and the full view of one task unless asked otherwise', async () => {
    const created = await client.enqueue('emails', { path: '/views', body: { n: 1 }, headers: { 'x-tenant': 'a' } });
    const [basic] = (await client.list('emails', { limit: 1 })).tasks;
    expect(basic).toMatchObject({ id: created.id, bodyBytes: 7 });
    expect(basic.headers).toBeUndefined();
    expect(basic.body).toBeUndefined();
    const [full] = (await client.list('emails', { limit: 1, view: 'full' })).tasks;
    expect(full).toMatchObject({ id: created.id, body: { n: 1 }, headers: { 'x-tenant': 'a' } });
    expect(await client.get(created.id)).toMatchObject({ body: { n: 1 }, headers: { 'x-tenant': 'a' } });
    const one = await client.get(created.id, { view: 'basic' });
    expect(one).toMatchObject({ id: created.id, bodyBytes: 7 });
    expect(one.body).toBeUndefined();
  });

  it('types the API errors: unknown queue, bad token, bad field', async () => {
    await expect(client.enqueue('nope', {})).rejects.toMatchObject({ code: 'queue_not_found', status: 404 });
    const stranger = new DispatchrClient({ url: server.url, token: 'wrong' });
    await expect(stranger.list('emails')).rejects.toMatchObject({ code: 'unauthorized', status: 401 });
    const bad = await client.enqueue('emails', { headers: { Host: 'evil' } }).catch((error: unknown) => error);
    expect(bad).toMatchObject({ code: 'validation_failed', errors: [{ path: 'headers.Host' }] });
  });

  it('makes one task when the answer to a create is lost and the client retries', async () => {
    const before = await tasks.countTasks({ queue: 'emails' });
    let calls = 0;
    const losing: typeof fetch = async (input, init) => {
      calls += 1;
      const response = await fetch(input, init);
      if (calls > 1) return response;
      await response.text(); // the recorder committed and answered; the answer never arrives
      throw Object.assign(new TypeError('fetch failed'), {
        cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      });
    };
    const flaky = new DispatchrClient({ url: server.url, token: TOKEN, fetch: losing, retryDelayMs: 10 });
    const created = await flaky.enqueue('emails', { path: '/lost-answer', body: { n: 1 } });
    expect(calls).toBe(2);
    expect(await tasks.countTasks({ queue: 'emails' })).toBe(before + 1);
    expect((await client.get(created.id)).path).toBe('/lost-answer');
  });

  it('reports an unreachable recorder as a network error after its retries', async () => {
    const nowhere = new DispatchrClient({ url: 'http://127.0.0.1:9', retries: 1, retryDelayMs: 1 });
    const error = await nowhere.get('x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DispatchrNetworkError);
    expect(error).toMatchObject({ code: 'network_error', attempts: 2 });
  });
});
