import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueWithin } from '../../../src/client/index.js';
import { postgresAvailable } from '../../support/postgres.js';
import { openAppDatabase, type AppDatabase } from '../client/pg-support.js';

/**
 * enqueueWithin through dispatchr_enqueue(): its `now` option still sets the creation time (through
 * dispatchr_enqueue_at), and without it the creation time is the transaction's now(), as before;
 * the task's JSON reaches the function intact through every library's placeholder handling.
 */
describe.runIf(postgresAvailable())('enqueueWithin calls dispatchr_enqueue()', () => {
  let app: AppDatabase;
  beforeAll(async () => {
    app = await openAppDatabase();
  });
  afterAll(async () => app?.close());

  const times = async (id: string) =>
    (await app.pool.query('select created_at, updated_at, run_at, state from dispatchr_task where id = $1', [id]))
      .rows[0];

  it('now: created_at is the time given, and a delay counts from it', async () => {
    const now = new Date(Date.now() - 3_600_000);
    const client = await app.pgClient();
    await client.query('begin');
    const { id } = await enqueueWithin(client, 'jobs', { path: '/x', delay: '2h' }, { now });
    await client.query('commit');
    const row = await times(id);
    expect(row.created_at.toISOString()).toBe(now.toISOString());
    expect(row.updated_at.toISOString()).toBe(now.toISOString());
    expect(row.run_at.getTime() - now.getTime()).toBe(7_200_000);
    expect(row.state).toBe('scheduled');
    // The id's timestamp is the creation time too (UUIDv7: its first 48 bits are Unix ms).
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(now.getTime());
  });

  it("without now: the transaction's now()", async () => {
    const client = await app.pgClient();
    await client.query('begin');
    const {
      rows: [{ started }],
    } = await client.query('select now() as started');
    await client.query('select pg_sleep(0.05)');
    const { id } = await enqueueWithin(client, 'jobs', { path: '/y' });
    await client.query('commit');
    const row = await times(id);
    expect(row.created_at.getTime()).toBe(started.getTime());
    expect(row.state).toBe('available');
  });

  it('MikroORM and knex, which rewrite placeholders: question marks in the task survive', async () => {
    const task = { path: '/a?b=1&c=?', body: { q: 'what? $1 ?' } };
    let viaOrm = '';
    await (await app.db.orm()).em.fork().transactional(async (em) => {
      viaOrm = (await enqueueWithin(em, 'jobs', task, { now: new Date() })).id;
    });
    const viaKnex = await app.knex.transaction(async (trx) => (await enqueueWithin(trx, 'jobs', task)).id);
    for (const id of [viaOrm, viaKnex]) {
      const { rows } = await app.pool.query('select path, body from dispatchr_task where id = $1', [id]);
      expect(rows[0].path).toBe('/a?b=1&c=?');
      expect(rows[0].body.toString('utf8')).toBe('{"q":"what? $1 ?"}');
    }
  });
});
