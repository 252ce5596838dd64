import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { parseConfig, type ResolvedConfig } from '../../../src/config/load.js';
import { createTaskRepository, type TaskRepository } from '../../../src/db/task.repository.js';
import type { Orm } from '../../../src/db/orm.js';
import { createLogger, silentLogger } from '../../../src/logger.js';
import { startRecorderServer, type RecorderServer } from '../../../src/recorder/server.js';
import { createScheduler, type Scheduler } from '../../../src/scheduler/scheduler.js';
import type { NewTask, TaskRecord } from '../../../src/task.js';
import { createTestDatabase, drivers, type TestDatabase } from '../../support/databases.js';
import { newTask } from '../../support/new-task.js';
import { startTargetServer, waitFor, type TargetServer } from '../../support/target-server.js';

const SECRET = `whsec_${Buffer.from('a-test-signing-secret-of-32-bytes!').toString('base64')}`;

function task(path: string, overrides: Partial<NewTask> = {}): NewTask {
  return newTask('hooks', {
    path,
    headers: { 'x-custom': 'yes' },
    body: Buffer.from(JSON.stringify({ path })),
    contentType: 'application/json',
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    ...overrides,
  });
}

describe.each(drivers())('dispatch outcomes end to end on %s', (driver) => {
  let testDb: TestDatabase;
  let db: Orm;
  let target: TargetServer;
  let scheduler: Scheduler;
  let tasks: TaskRepository;
  let config: ResolvedConfig;
  let recorder: RecorderServer;

  beforeAll(async () => {
    target = await startTargetServer({
      '/hooks/ok': (_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('done'),
      '/hooks/flaky': (_req, res, n) => res.writeHead(n === 1 ? 500 : 200).end(n === 1 ? 'boom' : 'ok'),
      '/hooks/bad': (_req, res) => res.writeHead(400).end('no such thing'),
      '/hooks/binary': (_req, res) =>
        res
          .writeHead(200, { 'content-type': 'application/octet-stream' })
          .end(Buffer.from([0x6f, 0x6b, 0x00, 0xff, 0x00])),
      '/hooks/binary-error': (_req, res) => res.writeHead(422).end(Buffer.from('bad\u0000input')),
      '/hooks/busy': (_req, res, n) =>
        n === 1 ? res.writeHead(429, { 'retry-after': '2' }).end() : res.writeHead(200).end(),
      '/hooks/slow': async (_req, res) => {
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        res.writeHead(200).end();
      },
      '/hooks/reset': (_req, res) => res.socket?.destroy(),
      '/hooks/redirect': (_req, res) => res.writeHead(301, { location: '/hooks/redirected' }).end(),
      '/hooks/unavailable': (_req, res, n) =>
        n === 1 ? res.writeHead(503).end('down for\n  maintenance') : res.writeHead(204).end(),
      // 500, then no answer within the timeout, then 200: what does the third request say came before?
      '/hooks/then-silent': async (_req, res, n) => {
        if (n === 2) await new Promise((resolve) => setTimeout(resolve, 3_000));
        res.writeHead(n === 1 ? 500 : 200).end();
      },
    });
    testDb = await createTestDatabase(driver);
    db = await testDb.openMigrated();
    config = parseConfig({
      database: { url: testDb.url },
      recorder: { host: '127.0.0.1', port: 0 },
      scheduler: { leaseDuration: '10s', pollInterval: '200ms', heartbeatInterval: '1s', shutdownTimeout: '2s' },
      queues: {
        hooks: {
          target: `${target.url}/hooks`,
          allowPrivateNetwork: true,
          timeout: '1s',
          signingSecret: SECRET,
          // Retry-After is capped by the strategy's maximum delay, so the maximum here is well above 2 s.
          retry: {
            strategy: 'exponential',
            options: { initialDelay: '100ms', maxDelay: '10s', jitter: 'none' },
            maxAttempts: 3,
          },
        },
        metadata: { target: 'http://metadata.example.com/latest', timeout: '1s', allowPrivateNetwork: true },
      },
    });
    // As if the name now resolved to the metadata service: config validation cannot see that, so the
    // connect-time guard has to refuse it (config refuses the literal address up front).
    config.queues.metadata.target = 'http://169.254.169.254/latest';
    tasks = createTaskRepository(db);
    scheduler = await createScheduler({
      config,
      db,
      logger: process.env.DEBUG_SCHEDULER ? createLogger({ level: 'debug' }) : silentLogger,
      queues: ['hooks', 'metadata'],
    });
    await scheduler.start();
    recorder = await startRecorderServer(config, { db });
  });

  afterAll(async () => {
    await recorder?.close();
    await scheduler?.stop({ timeoutMs: 1000 });
    await target?.close();
    await testDb?.cleanup();
  });

  async function runToEnd(newTask: NewTask, states = ['completed', 'failed']): Promise<TaskRecord> {
    const [{ task: created }] = await tasks.insertTasks([newTask]);
    return waitFor(
      async () => {
        const current = await tasks.findTask(created.id);
        return current && states.includes(current.state) ? current : undefined;
      },
      20_000,
      `task ${newTask.path} to finish`,
    );
  }

  it('completes on 200 and sends the documented headers with a verifiable signature', async () => {
    const done = await runToEnd(task('/ok'));
    expect(done).toMatchObject({ state: 'completed', attempt: 1, lastStatus: 200 });
    const attempts = await tasks.findAttempts(done.id);
    expect(attempts).toEqual([
      expect.objectContaining({ number: 1, status: 200, outcome: 'completed', responseExcerpt: 'done' }),
    ]);
    const [received] = target.for('/hooks/ok');
    expect(received.headers).toMatchObject({
      'dispatchr-task-id': done.id,
      'dispatchr-queue': 'hooks',
      'dispatchr-attempt': '1',
      'webhook-id': done.id,
      'x-custom': 'yes',
      'content-type': 'application/json',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    });
    expect(received.headers['dispatchr-previous-status']).toBeUndefined();
    expect(Date.parse(String(received.headers['dispatchr-scheduled-at']))).toBeGreaterThan(0);
    const verified = new Webhook(SECRET).verify(
      received.body.toString('utf8'),
      received.headers as Record<string, string>,
    );
    expect(verified).toEqual({ path: '/ok' });
  });

  it('retries a 500 and completes on the second attempt, telling the target the previous status', async () => {
    const done = await runToEnd(task('/flaky'));
    expect(done).toMatchObject({ state: 'completed', attempt: 2 });
    expect((await tasks.findAttempts(done.id)).map((a) => [a.number, a.status, a.outcome])).toEqual([
      [1, 500, 'retry'],
      [2, 200, 'completed'],
    ]);
    const [first, second] = target.for('/hooks/flaky');
    expect(first.headers['webhook-id']).toBe(second.headers['webhook-id']); // stable across attempts
    expect(second.headers['dispatchr-attempt']).toBe('2');
    expect(second.headers['dispatchr-previous-status']).toBe('500');
  });

  it('fails at once on 400 without retrying', async () => {
    const done = await runToEnd(task('/bad'));
    expect(done).toMatchObject({ state: 'failed', attempt: 1, lastStatus: 400 });
    expect(done.lastError).toContain('400');
    expect(target.for('/hooks/bad')).toHaveLength(1);
  });

  it('records a response body with NUL bytes: the excerpt keeps its text with U+FFFD for NUL', async () => {
    // PostgreSQL text cannot hold NUL: stored as is, the outcome could never be written, and the
    // task would be sent again at every lease expiry though the target answered.
    const done = await runToEnd(task('/binary'));
    expect(done).toMatchObject({ state: 'completed', attempt: 1, lastStatus: 200 });
    const [attempt] = await tasks.findAttempts(done.id);
    expect(attempt.responseExcerpt).toBe('ok\uFFFD\uFFFD\uFFFD');
    const failed = await runToEnd(task('/binary-error'));
    expect(failed).toMatchObject({ state: 'failed', lastStatus: 422 });
    expect(failed.lastError).toBe('HTTP 422 Unprocessable Entity: bad\uFFFDinput');
    expect(target.for('/hooks/binary')).toHaveLength(1);
  });

  it('honours Retry-After on 429: the next attempt comes at least 2 s later', async () => {
    const done = await runToEnd(task('/busy'));
    expect(done).toMatchObject({ state: 'completed', attempt: 2 });
    const [first, second] = target.for('/hooks/busy');
    expect(second.at - first.at).toBeGreaterThanOrEqual(2_000);
  });

  it('ends a reply slower than the timeout within timeout + 1 s, and fails after maxAttempts', async () => {
    const done = await runToEnd(task('/slow'));
    expect(done).toMatchObject({ state: 'failed', attempt: 3 });
    const attempts = await tasks.findAttempts(done.id);
    expect(attempts.map((a) => a.outcome)).toEqual(['retry', 'retry', 'failed']);
    for (const attempt of attempts) {
      expect(attempt.status).toBeNull();
      expect(attempt.error).toMatch(/no response within 1000 ?ms/);
      expect(attempt.durationMs!).toBeLessThan(2_000);
    }
  });

  it('retries a reset connection as a network failure', async () => {
    const done = await runToEnd(task('/reset'));
    expect(done).toMatchObject({ state: 'failed', attempt: 3 });
    expect((await tasks.findAttempts(done.id)).every((a) => a.status === null && a.outcome !== 'completed')).toBe(true);
  });

  it('does not follow a 301: the task fails and the redirect target receives nothing', async () => {
    const done = await runToEnd(task('/redirect'));
    expect(done).toMatchObject({ state: 'failed', attempt: 1, lastStatus: 301 });
    expect(target.for('/hooks/redirected')).toHaveLength(0);
  });

  it('never connects to a metadata address: the task fails with the guard as its reason', async () => {
    const done = await runToEnd(task('/x', { queue: 'metadata' }));
    expect(done.state).toBe('failed');
    expect(done.attempt).toBe(1);
    expect(done.lastError).toMatch(/metadata|refused|guard|private/i);
  });
  it('says in the API why every attempt that got a status failed: the status, its reason phrase and the body', async () => {
    const retried = await runToEnd(task('/unavailable'));
    const bad = await runToEnd(task('/bad'));
    type Shown = {
      lastError: string | null;
      attempts: Array<{ status: number | null; outcome: string; error: string | null }>;
    };
    const read = async (id: string) => (await (await fetch(`${recorder.url}/v1/tasks/${id}`)).json()) as Shown;
    const shownRetried = await read(retried.id);
    expect(shownRetried.attempts.map((a) => [a.status, a.outcome, a.error])).toEqual([
      [503, 'retry', 'HTTP 503 Service Unavailable: down for maintenance'],
      [204, 'completed', null],
    ]);
    const shownBad = await read(bad.id);
    expect(shownBad.attempts).toEqual([
      expect.objectContaining({ status: 400, outcome: 'failed', error: 'HTTP 400 Bad Request: no such thing' }),
    ]);
    expect(shownBad.lastError).toBe('HTTP 400 Bad Request: no such thing');
  });

  it('sends no Previous-Status after an attempt that got none, rather than an older status', async () => {
    const done = await runToEnd(task('/then-silent'));
    expect(done).toMatchObject({ state: 'completed', attempt: 3, lastStatus: 200 });
    const [, second, third] = target.for('/hooks/then-silent');
    expect(second.headers['dispatchr-previous-status']).toBe('500');
    expect(third.headers['dispatchr-attempt']).toBe('3');
    expect(third.headers['dispatchr-previous-status']).toBeUndefined();
    expect((await tasks.findAttempts(done.id)).map((a) => [a.number, a.status])).toEqual([
      [1, 500],
      [2, null],
      [3, 200],
    ]);
  });
});

/**
 * An attempt whose lease no longer covers its timeout when it would be sent is given back unsent
 * (spec 5.4), and keeps its number: the next attempt takes the next one (4.8, 5.2). The scheduler's
 * clock steps 9 s on every reading while `step` is set, so between its claim and its send the
 * 10 s lease of a 1 s timeout runs short; runOnce() makes each pass one awaited cycle.
 */
describe.each(drivers())('an attempt given back unsent on %s', (driver) => {
  let testDb: TestDatabase;
  let target: TargetServer;
  let scheduler: Scheduler;
  let tasks: TaskRepository;
  const clock = { offset: 0, step: 0, now: () => new Date(Date.now() + (clock.offset += clock.step)) };

  beforeAll(async () => {
    target = await startTargetServer({ '/lease/flaky': (_req, res, n) => res.writeHead(n === 1 ? 500 : 200).end() });
    testDb = await createTestDatabase(driver);
    const db = await testDb.openMigrated();
    const config = parseConfig({
      database: { url: testDb.url },
      scheduler: { leaseDuration: '10s', pollInterval: '200ms', heartbeatInterval: '1s' },
      queues: {
        lease: {
          target: `${target.url}/lease`,
          allowPrivateNetwork: true,
          timeout: '1s',
          retry: { strategy: 'fixed', options: { delay: '100ms' }, maxAttempts: 2 },
        },
      },
    });
    tasks = createTaskRepository(db);
    scheduler = await createScheduler({ config, db, clock, logger: silentLogger });
  });

  afterAll(async () => {
    await scheduler?.stop({ timeoutMs: 1000 });
    await target?.close();
    await testDb?.cleanup();
  });

  it('records it as interrupted without sending it or spending the budget, and numbers the next attempts on', async () => {
    const [{ task: created }] = await tasks.insertTasks([newTask('lease', { path: '/flaky' })]);
    clock.step = 9_000;
    await scheduler.runOnce();
    clock.step = 0;
    expect(target.received).toHaveLength(0);
    expect(await tasks.findTask(created.id)).toMatchObject({
      state: 'available',
      attempt: 1,
      attemptsGivenBack: 1,
      lastStatus: null,
    });

    // Sent as attempt 2 (500), then, past the 100 ms backoff, as attempt 3: two attempts counted
    // against maxAttempts 2, so the budget holds both although three numbers were used.
    await scheduler.runOnce();
    clock.offset += 1_000;
    await scheduler.runOnce();
    const done = await tasks.findTask(created.id);
    expect(done).toMatchObject({ state: 'completed', attempt: 3, attemptsGivenBack: 1 });
    const attempts = await tasks.findAttempts(created.id);
    expect(attempts.map((a) => [a.number, a.outcome, a.status])).toEqual([
      [1, 'interrupted', null],
      [2, 'retry', 500],
      [3, 'completed', 200],
    ]);
    expect(attempts[0].error).toMatch(/^not sent: \d+ ms of lease left, less than its 1000 ms timeout and the margin$/);
    const [second, third] = target.for('/lease/flaky');
    expect([second.headers['dispatchr-attempt'], third.headers['dispatchr-attempt']]).toEqual(['2', '3']);
    expect(second.headers['dispatchr-previous-status']).toBeUndefined(); // attempt 1 got no status
    expect(third.headers['dispatchr-previous-status']).toBe('500');
  });
});
