import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchResponse, taskResource } from '../../../src/recorder/schemas/resource.schema.js';
import { drivers } from '../../support/databases.js';
import { startTestRecorder, type TestRecorder } from './support.js';

/** POST /v1/queues/:queue/tasks and /batch: what is stored, what is answered, and de-duplication. */
describe.each(drivers())('creating tasks on %s', (driver) => {
  let recorder: TestRecorder;
  beforeAll(async () => {
    recorder = await startTestRecorder(driver);
  });
  afterAll(async () => recorder.close());

  it('answers 201 with the task, available when due now, and stores exactly what was sent', async () => {
    const reply = await recorder.call('POST', '/v1/queues/emails/tasks', {
      body: {
        path: '/send?lang=en',
        method: 'PUT',
        headers: { 'X-Tenant': 'a', Authorization: 'Bearer s3cret', 'X-Api-Key': 'k' },
        body: { to: 'a@example.com' },
        maxAttempts: 3,
        timeout: 20,
        key: 'welcome-1',
      },
      headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
    });
    expect(reply.status).toBe(201);
    expect(reply.headers['content-type']).toMatch(/^application\/json/);
    const task = taskResource.parse(reply.body); // the response matches the documented shape
    expect(task).toMatchObject({
      queue: 'emails',
      state: 'available',
      path: '/send?lang=en',
      method: 'PUT',
      body: { to: 'a@example.com' },
      contentType: 'application/json',
      attempt: 0,
      maxAttempts: 3,
      timeoutMs: 20_000, // a bare number is seconds in the API
      key: 'welcome-1',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      finalizedAt: null,
    });
    // Sensitive headers are shown redacted but stored (and sent) as given.
    expect(task.headers).toEqual({ 'x-tenant': 'a', authorization: '[redacted]', 'x-api-key': '[redacted]' });
    expect(reply.headers.location).toBe(`/v1/tasks/${task.id}`);
    expect(task.runAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const stored = await recorder.tasks.findTask(task.id);
    expect(stored?.headers.authorization).toBe('Bearer s3cret');
    expect(stored?.body?.toString('utf8')).toBe('{"to":"a@example.com"}');
  });

  it('creates a task with a later runAt or delay as scheduled, and a past runAt as due now', async () => {
    const later = await recorder.call('POST', '/v1/queues/emails/tasks', { body: { delay: '10m' } });
    expect(later.body.state).toBe('scheduled');
    // The delay counts from when the request was read; the row's createdAt is stamped at insert, a moment later.
    const delayMs = Date.parse(later.body.runAt) - Date.parse(later.body.createdAt);
    expect(delayMs).toBeGreaterThan(599_000);
    expect(delayMs).toBeLessThanOrEqual(600_000);
    const at = new Date(Date.now() + 3_600_000).toISOString();
    expect((await recorder.call('POST', '/v1/queues/emails/tasks', { body: { runAt: at } })).body).toMatchObject({
      state: 'scheduled',
      runAt: at,
    });
    const past = await recorder.call('POST', '/v1/queues/emails/tasks', { body: { runAt: '2001-01-01T00:00:00Z' } });
    expect(past.body.state).toBe('available');
    expect(Date.parse(past.body.runAt)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('accepts every number that survives as written, other spellings of the same value, and surrogate pairs', async () => {
    // Raw text: JSON.stringify in the test would already have normalised what the server must read.
    const raw =
      '{"body": {"max": 9007199254740991, "exact": 9007199254740992, "tenth": 0.1, "one": 1.0, "hundred": 1E2, "big": 1e300, "tiny": 5e-324, "emoji": "\\ud83d\\ude00"}}';
    const reply = await recorder.call('POST', '/v1/queues/emails/tasks', { raw });
    expect(reply.status).toBe(201);
    const stored = await recorder.tasks.findTask(reply.body.id);
    // Stored as sent: the RFC 8785 text (spec 5.2): members sorted, each number as ECMAScript writes
    // the parsed double, which denotes the number that was written.
    expect(stored?.body?.toString('utf8')).toBe(
      '{"big":1e+300,"emoji":"\u{1f600}","exact":9007199254740992,"hundred":100,"max":9007199254740991,"one":1,"tenth":0.1,"tiny":5e-324}',
    );
    expect(reply.body.body.emoji).toBe('\u{1f600}');
  });

  it('keeps bodyBase64 bytes exact and shows non-JSON bodies as base64', async () => {
    const bytes = Buffer.from([0, 1, 2, 253, 254, 255]);
    const reply = await recorder.call('POST', '/v1/queues/emails/tasks', {
      body: { bodyBase64: bytes.toString('base64') },
    });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ bodyBase64: bytes.toString('base64'), contentType: 'application/octet-stream' });
    expect(reply.body.body).toBeUndefined();
    expect((await recorder.tasks.findTask(reply.body.id))?.body?.equals(bytes)).toBe(true);
  });

  it('joins paths to the target with one slash and accepts absolute URLs inside the target', async () => {
    const create = async (path: string, queue = 'emails') =>
      (await recorder.call('POST', `/v1/queues/${queue}/tasks`, { body: { path } })).body.path;
    expect(await create('email')).toBe('/email');
    expect(await create('/reports/x', 'reports')).toBe('/reports/x');
    expect(await create('http://127.0.0.1:9/tasks/inside?a=1')).toBe('/inside?a=1');
    expect((await recorder.call('POST', '/v1/queues/emails/tasks', { body: {} })).body.path).toBe(''); // the target itself
  });

  it('answers the unfinished task holding a key with 200 and Dispatchr-Deduplicated', async () => {
    const first = await recorder.call('POST', '/v1/queues/emails/tasks', { body: { key: 'once' } });
    const second = await recorder.call('POST', '/v1/queues/emails/tasks', { body: { key: 'once', path: '/other' } });
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.headers['dispatchr-deduplicated']).toBe('kept');
    expect(second.body.id).toBe(first.body.id);
    // The key is free again once the holder is finished.
    await recorder.call('POST', `/v1/tasks/${first.body.id}/cancel`);
    expect((await recorder.call('POST', '/v1/queues/emails/tasks', { body: { key: 'once' } })).status).toBe(201);
  });

  it('makes exactly one task from 50 concurrent creates with one key', async () => {
    const before = await recorder.count();
    const replies = await Promise.all(
      Array.from({ length: 50 }, () =>
        recorder.call('POST', '/v1/queues/emails/tasks', { body: { key: 'stampede', body: { n: 1 } } }),
      ),
    );
    expect(replies.filter((r) => r.status === 201)).toHaveLength(1);
    const deduplicated = replies.filter((r) => r.status === 200);
    expect(deduplicated).toHaveLength(49);
    expect(deduplicated.every((r) => r.headers['dispatchr-deduplicated'] === 'kept')).toBe(true);
    expect(new Set(replies.map((r) => r.body.id)).size).toBe(1);
    expect(await recorder.count()).toBe(before + 1);
  });

  it('answers a batch with exactly what was stored: tricky bodies and headers survive byte for byte', async () => {
    const binary = Buffer.from([0x7b, 0xff, 0x00, 0x22, 0x5c]); // "JSON" by content type, not by its bytes
    const tasks = [
      { path: '/a', body: { quote: 'say "hi"\\ \n', emoji: '✓ 𝄞', nested: { list: [1, null, true, 2.5] } } },
      { path: '/b', bodyBase64: binary.toString('base64'), contentType: 'application/json' },
      { path: '/c', bodyBase64: Buffer.from('plain, "quoted" text').toString('base64'), contentType: 'text/plain' },
      {
        path: '/d',
        body: 'a JSON string',
        headers: { 'X-Note': 'a "b" \\ c', 'x-token': 'secret' },
        maxAttempts: 3,
        timeout: 7,
        delay: '1h',
      },
      { path: '/e' },
    ];
    const reply = await recorder.call('POST', '/v1/queues/reports/tasks/batch', { body: { tasks } });
    expect(reply.status).toBe(201);
    // A batch answers the basic view (spec 4.7): the same fields as a basic read, no headers or body.
    const created = batchResponse.parse(reply.body).tasks;
    const full = [];
    for (const [i, answered] of created.entries()) {
      const read = await recorder.call('GET', `/v1/tasks/${answered.id}?view=basic`);
      const { attempts: _attempts, waiting: _waiting, ...stored } = read.body;
      expect({ ...answered, deduplicated: undefined }, `task ${i}`).toEqual({ ...stored, deduplicated: undefined });
      expect(answered).not.toHaveProperty('headers');
      full.push((await recorder.call('GET', `/v1/tasks/${answered.id}`)).body);
    }
    expect(full[0].body).toEqual(tasks[0].body);
    expect((await recorder.tasks.findTask(created[1].id))?.body?.equals(binary)).toBe(true);
    expect((await recorder.tasks.findTask(created[2].id))?.body?.toString('utf8')).toBe('plain, "quoted" text');
    expect(created[3]).toMatchObject({
      state: 'scheduled',
      maxAttempts: 3,
      timeoutMs: 7_000,
      bodyBytes: Buffer.byteLength('"a JSON string"'),
    });
    expect(full[3]).toMatchObject({ body: 'a JSON string' });
    expect(full[3].headers).toEqual({ 'x-note': 'a "b" \\ c', 'x-token': '[redacted]' });
    expect((await recorder.tasks.findTask(created[3].id))?.headers['x-token']).toBe('secret');
  });

  it('creates a batch in request order, all or nothing', async () => {
    const tasks = Array.from({ length: 5 }, (_, i) => ({ path: `/n/${i}`, body: { i } }));
    const reply = await recorder.call('POST', '/v1/queues/reports/tasks/batch', { body: { tasks } });
    expect(reply.status).toBe(201);
    const { tasks: created } = batchResponse.parse(reply.body);
    expect(created.map((t) => t.path)).toEqual(tasks.map((t) => t.path));
    expect(created.every((t) => t.deduplicated === false && t.state === 'available')).toBe(true);

    const before = await recorder.count();
    const bad = await recorder.call('POST', '/v1/queues/reports/tasks/batch', {
      body: { tasks: [{ path: '/ok' }, { path: '/ok' }, { maxAttempts: 0 }] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ path: 'tasks.2.maxAttempts', message: expect.stringContaining('>= 1') }]);
    expect(await recorder.count()).toBe(before);
  });

  it('takes 1,000 tasks in one batch and refuses 1,001', async () => {
    const before = await recorder.count('reports');
    const thousand = await recorder.call('POST', '/v1/queues/reports/tasks/batch', {
      body: { tasks: Array.from({ length: 1000 }, () => ({})) },
    });
    expect(thousand.status).toBe(201);
    expect(thousand.body.tasks).toHaveLength(1000);
    const over = await recorder.call('POST', '/v1/queues/reports/tasks/batch', {
      body: { tasks: Array.from({ length: 1001 }, () => ({})) },
    });
    expect(over.status).toBe(400);
    expect(over.body.errors[0]).toEqual({ path: 'tasks', message: expect.stringContaining('at most 1000') });
    expect(await recorder.count('reports')).toBe(before + 1000);
  });

  it('answers 404 for a queue that is not configured, and creates nothing', async () => {
    const before = await recorder.count();
    const reply = await recorder.call('POST', '/v1/queues/nope/tasks', { body: {} });
    expect(reply.status).toBe(404);
    expect(reply.body.code).toBe('queue_not_found');
    expect(await recorder.count()).toBe(before);
  });
});
