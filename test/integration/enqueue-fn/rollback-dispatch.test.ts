import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { silentLogger } from '../../../src/logger.js';
import { createScheduler, type Scheduler } from '../../../src/scheduler/scheduler.js';
import { postgresAvailable } from '../../support/postgres.js';
import { startTargetServer, waitFor, type TargetServer } from '../../support/target-server.js';
import { openAppDatabase, type AppDatabase } from '../client/pg-support.js';
import { schemaClients, sqlEnqueue, type SchemaClients } from './support.js';

/**
 * dispatchr_enqueue() is part of the caller's transaction: rolled back, the task never existed and
 * a running scheduler never sends it; committed, it is sent to a real target, its body the
 * canonical bytes of the JSON the caller wrote.
 */
describe.runIf(postgresAvailable())('dispatchr_enqueue() inside a transaction', () => {
  let app: AppDatabase;
  let clients: SchemaClients;
  let client: pg.Client;
  let target: TargetServer;
  let scheduler: Scheduler;

  beforeAll(async () => {
    target = await startTargetServer();
    app = await openAppDatabase();
    clients = schemaClients(app.schema);
    client = await clients.client();
    const config = parseConfig({
      database: { url: app.testDb.url },
      // Polled every second besides the NOTIFY: a task that existed would be found quickly.
      scheduler: { pollInterval: '1s', leaseDuration: '10s', heartbeatInterval: '1s', shutdownTimeout: '2s' },
      queues: { jobs: { target: `${target.url}/hooks`, allowPrivateNetwork: true, timeout: '2s' } },
    });
    scheduler = await createScheduler({ config, db: app.db, logger: silentLogger });
    await scheduler.start();
  });
  afterAll(async () => {
    await scheduler?.stop({ timeoutMs: 1000 });
    await target?.close();
    await clients?.close();
    await app?.close();
  });

  it('rolled back: no row and no dispatch; committed: dispatched with the canonical body', async () => {
    await client.query('begin');
    await client.query('create temporary table orders (id int)');
    await client.query('insert into orders values (1)');
    const [rolledBack] = await sqlEnqueue(client, 'jobs', '[{"path": "/rolled-back", "body": {"n": 1}}]');
    await client.query('rollback');

    await client.query('begin');
    const [committed] = await sqlEnqueue(
      client,
      'jobs',
      '[{"path": "/committed", "body": { "b": 2, "a": [1.50, "x"] }, "headers": {"X-App": "yes"}}]',
    );
    await client.query('commit');

    const arrival = await waitFor(async () => target.for('/hooks/committed')[0], 10_000, 'the committed task');
    expect(arrival.body.toString('utf8')).toBe('{"a":[1.5,"x"],"b":2}');
    expect(arrival.headers['x-app']).toBe('yes');
    expect(arrival.headers['content-type']).toBe('application/json');
    await waitFor(
      async () =>
        (await client.query(`select state from dispatchr_task where id = $1`, [committed.id])).rows[0]?.state ===
        'completed',
      5_000,
      'the committed task to complete',
    );

    // Three more polls: a rolled-back task that had somehow been written would have been sent.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(target.for('/hooks/rolled-back')).toEqual([]);
    expect(
      (await client.query('select count(*)::int as n from dispatchr_task where id = $1', [rolledBack.id])).rows[0].n,
    ).toBe(0);
    expect((await client.query(`select count(*)::int as n from pg_tables where tablename = 'orders'`)).rows[0].n).toBe(
      0,
    );
  });
});
