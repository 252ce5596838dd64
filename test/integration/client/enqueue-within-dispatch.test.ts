import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueWithin } from '../../../src/client/index.js';
import { parseConfig } from '../../../src/config/load.js';
import { createTaskRepository } from '../../../src/db/task.repository.js';
import { withDispatchr, type VerifiedDispatch } from '../../../src/handler/index.js';
import { createLogger, silentLogger } from '../../../src/logger.js';
import { createScheduler, type Scheduler } from '../../../src/scheduler/scheduler.js';
import { postgresAvailable } from '../../support/postgres.js';
import { waitFor } from '../../support/target-server.js';
import { openAppDatabase, type AppDatabase } from './pg-support.js';

/**
 * End to end: a task enqueued in the app's own committed transaction is dispatched by a running
 * scheduler to a real target, which verifies the signature with the handler kit. The scheduler
 * polls only every 30 s and enqueueWithin sends no in-process signal, so an arrival within 3 s of
 * the commit can only come from the NOTIFY the commit fired.
 */
const SECRET = `whsec_${Buffer.from('enqueue-within-end-to-end-secret').toString('base64')}`;

interface Arrival {
  dispatch: VerifiedDispatch;
  body: string;
  at: number;
}

describe.runIf(postgresAvailable())('a task enqueued within a transaction is dispatched', () => {
  let app: AppDatabase;
  let scheduler: Scheduler;
  let target: Server;
  const arrivals: Arrival[] = [];

  beforeAll(async () => {
    target = createServer(
      withDispatchr({ secret: SECRET }, (_req, res, { dispatch, body }) => {
        arrivals.push({ dispatch, body: body.toString('utf8'), at: Date.now() });
        res.writeHead(204).end();
      }),
    );
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    app = await openAppDatabase();
    const config = parseConfig({
      database: { url: app.testDb.url },
      scheduler: { pollInterval: '30s', leaseDuration: '10s', heartbeatInterval: '1s', shutdownTimeout: '2s' },
      queues: {
        signups: {
          target: `http://127.0.0.1:${(target.address() as AddressInfo).port}/hooks`,
          allowPrivateNetwork: true,
          timeout: '2s',
          signingSecret: SECRET,
        },
      },
    });
    // By the database's clock, which stamps backend_start below.
    const {
      rows: [{ startedAt }],
    } = await app.pool.query('select clock_timestamp() as "startedAt"');
    scheduler = await createScheduler({
      config,
      db: app.db,
      logger: process.env.DEBUG_SCHEDULER ? createLogger({ level: 'debug' }) : silentLogger,
    });
    await scheduler.start();
    // Wait until a wake-up connection LISTENs, then for its first wake-up pass to finish, so the
    // only thing that can wake the producer below is the NOTIFY of our commit.
    await waitFor(
      async () => {
        const { rows } = await app.pool.query(
          `select count(*)::int as n from pg_stat_activity where query ilike 'listen dispatchr_due%' and backend_start >= $1`,
          [startedAt],
        );
        return rows[0].n > 0;
      },
      10_000,
      'the scheduler to LISTEN',
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
  });

  afterAll(async () => {
    await scheduler?.stop({ timeoutMs: 1000 });
    await new Promise((resolve) => target?.close(resolve));
    await app?.close();
  });

  it('arrives signed, within 3 s of the commit, and completes', async () => {
    const client = await app.pgClient();
    await client.query('begin');
    await client.query('create temporary table signups (email text)');
    await client.query(`insert into signups values ('a@example.com')`);
    const { id } = await enqueueWithin(client, 'signups', { path: '/welcome', body: { email: 'a@example.com' } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(arrivals).toHaveLength(0); // not visible, so not dispatched, before the commit
    await client.query('commit');
    const committedAt = Date.now();

    const arrival = await waitFor(async () => arrivals.find((a) => a.dispatch.taskId === id), 10_000, 'the dispatch');
    expect(arrival.at - committedAt).toBeLessThan(3_000);
    expect(arrival.dispatch).toMatchObject({ taskId: id, queue: 'signups', attempt: 1, previousStatus: null });
    expect(JSON.parse(arrival.body)).toEqual({ email: 'a@example.com' });

    const tasks = createTaskRepository(app.db);
    const done = await waitFor(
      async () => {
        const task = await tasks.findTask(id);
        return task?.state === 'completed' ? task : undefined;
      },
      5_000,
      'the task to complete',
    );
    expect(done).toMatchObject({ attempt: 1, lastStatus: 204 });
  });
});
