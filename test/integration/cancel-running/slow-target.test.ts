import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import type { Orm } from '../../../src/db/orm.js';
import { createTaskRepository, type TaskRepository } from '../../../src/db/task.repository.js';
import { silentLogger } from '../../../src/logger.js';
import { startRecorderServer, type RecorderServer } from '../../../src/recorder/server.js';
import { createScheduler, type Scheduler } from '../../../src/scheduler/scheduler.js';
import { createTestDatabase, drivers, type TestDatabase } from '../../support/databases.js';
import { startTargetServer, waitFor, type TargetServer } from '../../support/target-server.js';
import { call } from '../recorder/support.js';

/**
 * Cancelling a running task end to end (spec 11.6): a real recorder and scheduler over one
 * database, and a target that holds its first answer for 30 s. The cancel answers 200 at once; the
 * scheduler cuts the request (the target sees its socket close, unanswered) through PostgreSQL's
 * NOTIFY, or SQLite's poll of the ids in flight; its settle loses to the cancel and it gives the
 * lease up, counting no retry and no failure; a retry is then allowed and delivers again.
 *
 * PostgreSQL polls every 20 s here, so a cut well before that can only come from the NOTIFY; SQLite
 * polls every 250 ms.
 */
const HOLD_MS = 30_000;

describe.each(drivers())('cancelling a running task on %s', (driver) => {
  let testDb: TestDatabase;
  let db: Orm;
  let target: TargetServer;
  let recorder: RecorderServer;
  let scheduler: Scheduler;
  let tasks: TaskRepository;
  /** Per webhook-id: when the target's socket closed, and whether it had answered by then. */
  const closed = new Map<string, { at: number; answered: boolean }>();

  beforeAll(async () => {
    target = await startTargetServer({
      '/hooks/slow': (req, res, n) => {
        const id = String(req.headers['webhook-id']);
        res.on('close', () => closed.set(id, { at: Date.now(), answered: res.writableFinished }));
        // Only the first request is slow: the retry's delivery is answered at once.
        if (n > 1) return void res.writeHead(200).end('ok');
        const timer = setTimeout(() => res.writeHead(200).end('too late'), HOLD_MS);
        res.on('close', () => clearTimeout(timer));
      },
    });
    testDb = await createTestDatabase(driver);
    db = await testDb.openMigrated();
    const config = parseConfig({
      database: { url: testDb.url },
      recorder: { host: '127.0.0.1', port: 0 },
      scheduler: {
        leaseDuration: '60s',
        pollInterval: driver === 'postgresql' ? '20s' : '250ms',
        heartbeatInterval: '1s',
        shutdownTimeout: '1s',
      },
      queues: {
        hooks: { target: `${target.url}/hooks`, allowPrivateNetwork: true, timeout: '45s', retry: { maxAttempts: 3 } },
      },
    });
    recorder = await startRecorderServer(config, { db, logger: silentLogger });
    scheduler = await createScheduler({ config, db, logger: silentLogger });
    await scheduler.start();
    tasks = createTaskRepository(db);
  });
  afterAll(async () => {
    await scheduler?.stop({ timeoutMs: 0 });
    await recorder?.close();
    await target?.close();
    await testDb?.cleanup();
  });

  it('cuts the request in flight, records the attempt as cancelled, lets go of the lease, and may be retried', async () => {
    const created = await call(recorder.url, 'POST', '/v1/queues/hooks/tasks', { body: { path: '/slow' } });
    expect(created.status).toBe(201);
    const id: string = created.body.id;
    await waitFor(async () => target.for('/hooks/slow').length === 1, 15_000, 'the slow request to arrive');
    expect((await tasks.findTask(id))?.state).toBe('running');

    const cancelledAt = Date.now();
    const cancel = await call(recorder.url, 'POST', `/v1/tasks/${id}/cancel`);
    expect(cancel.status).toBe(200);
    expect(cancel.body).toMatchObject({ id, state: 'cancelled', attempt: 1, finalizedAt: expect.any(String) });

    // The target sees its socket close without an answer, long before its 30 s answer and (on
    // PostgreSQL) before the 20 s poll: the NOTIFY cut it.
    const cut = await waitFor(async () => closed.get(id), 15_000, 'the request to be cut');
    expect(cut.answered).toBe(false);
    expect(cut.at - cancelledAt).toBeLessThan(driver === 'postgresql' ? 10_000 : 15_000);

    // The holder's settle lost to the cancel: it gave the lease up and wrote nothing else.
    const released = await waitFor(
      async () => {
        const row = await tasks.findTask(id);
        return row?.leaseOwner === null ? row : undefined;
      },
      15_000,
      'the lease to be given up',
    );
    expect(released).toMatchObject({ state: 'cancelled', attempt: 1, attemptsGivenBack: 0, leaseExpiresAt: null });

    const shown = await call(recorder.url, 'GET', `/v1/tasks/${id}`);
    expect(shown.body).toMatchObject({ state: 'cancelled', attempt: 1, lastStatus: null });
    expect(shown.body.attempts).toEqual([
      expect.objectContaining({ number: 1, outcome: 'cancelled', status: null, finishedAt: expect.any(String) }),
    ]);

    // Let go of: a retry delivers again, once, and completes.
    const retried = await call(recorder.url, 'POST', `/v1/tasks/${id}/retry`);
    expect(retried.status).toBe(200);
    expect(retried.body.state).toBe('available');
    await waitFor(async () => (await tasks.findTask(id))?.state === 'completed', 15_000, 'the retry to complete');
    expect(target.for('/hooks/slow')).toHaveLength(2);
    const history = (await call(recorder.url, 'GET', `/v1/tasks/${id}`)).body.attempts;
    expect(history.map((a: { outcome: string }) => a.outcome)).toEqual(['cancelled', 'completed']);
  });

  it('answers a cancel of a finished task as before: 409 naming its state', async () => {
    const created = await call(recorder.url, 'POST', '/v1/queues/hooks/tasks', { body: { path: '/quick' } });
    await waitFor(async () => (await tasks.findTask(created.body.id))?.state === 'completed', 15_000, 'completion');
    const cancel = await call(recorder.url, 'POST', `/v1/tasks/${created.body.id}/cancel`);
    expect(cancel.status).toBe(409);
    expect(cancel.body).toMatchObject({
      code: 'invalid_transition',
      errors: [{ path: 'state', message: 'the task is completed' }],
    });
  });
});
