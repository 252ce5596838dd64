import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueWithin } from '../../../src/client/enqueue-within.js';
import { postgresAvailable } from '../../support/postgres.js';
import { openAppDatabase, type AppDatabase } from '../client/pg-support.js';

/**
 * Several enqueueWithin calls in flight at once on one transaction (Promise.all on one client):
 * each runs in its own savepoint, and releasing one savepoint also releases every later one, so
 * they must take turns. All land, the transaction stays usable, and a refused one in the middle
 * leaves the others and the transaction intact.
 */
const available = await postgresAvailable();

describe.skipIf(!available)('enqueueWithin: concurrent calls on one transaction', () => {
  let app: AppDatabase;
  beforeAll(async () => {
    app = await openAppDatabase();
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  it('writes every task and leaves the transaction usable, a refused call included', async () => {
    const client = await app.pgClient();
    await client.query('begin');
    const results = await Promise.allSettled([
      enqueueWithin(client, 'conc', { path: '/first' }),
      enqueueWithin(client, 'conc', { path: '/second', body: { b: 1, a: 2 } }),
      enqueueWithin(client, 'conc', { path: '/a/../escape' }),
      enqueueWithin(client, 'conc', { path: '/third' }),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    const { rows } = await client.query(
      `select path, convert_from(body, 'utf8') as body from dispatchr_task where queue = 'conc' order by path`,
    );
    expect(rows).toEqual([
      { path: '/first', body: null },
      { path: '/second', body: '{"a":2,"b":1}' },
      { path: '/third', body: null },
    ]);
    await client.query('commit');
    const committed = await client.query(`select count(*)::int as n from dispatchr_task where queue = 'conc'`);
    expect(committed.rows[0].n).toBe(3);
  });
});
