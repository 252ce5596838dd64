import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable } from '../../support/postgres.js';
import { openAppDatabase, type AppDatabase } from '../client/pg-support.js';
import { schemaClients, sqlEnqueue, type SchemaClients } from './support.js';

/**
 * Key modes through dispatchr_enqueue() (docs/spec.md 11.2): keep answers the holder, replace and
 * debounce change a holder never delivered and answer `replaced` / `debounced`, a delivered holder
 * is kept, a finished holder past its keyRetention is released; concurrent calls make one task.
 */
describe.runIf(postgresAvailable())('dispatchr_enqueue() key modes', () => {
  let app: AppDatabase;
  let clients: SchemaClients;
  let client: pg.Client;

  beforeAll(async () => {
    app = await openAppDatabase();
    clients = schemaClients(app.schema);
    client = await clients.client();
  });
  afterAll(async () => {
    await clients?.close();
    await app?.close();
  });

  const one = async (task: Record<string, unknown>) => (await sqlEnqueue(client, 'jobs', JSON.stringify([task])))[0];
  const task = async (id: string) =>
    (
      await client.query(
        `select path, state, extract(epoch from run_at - created_at)::int as due_in_s, dedup_key from dispatchr_task where id = $1`,
        [id],
      )
    ).rows[0];
  const keyed = async (key: string) =>
    (await client.query('select count(*)::int as n from dispatchr_task where dedup_key = $1', [key])).rows[0].n;

  it('keep answers kept with the holder id, across calls and within one call', async () => {
    const first = await one({ key: 'keep-1', path: '/a' });
    expect(first.deduplicated).toBeNull();
    const second = await one({ key: 'keep-1', path: '/b' });
    expect(second).toMatchObject({ id: first.id, deduplicated: 'kept' });
    expect((await task(first.id)).path).toBe('/a');
    const both = await sqlEnqueue(client, 'jobs', JSON.stringify([{ key: 'keep-2' }, { key: 'keep-2' }]));
    expect(both.map((row) => row.deduplicated)).toEqual([null, 'kept']);
    expect(both[1].id).toBe(both[0].id);
    expect(await keyed('keep-2')).toBe(1);
  });

  it('replace rewrites a holder never delivered and answers replaced', async () => {
    const first = await one({ key: 'rep-1', keyMode: 'replace', path: '/old', delay: '1h' });
    const second = await one({ key: 'rep-1', keyMode: 'replace', path: '/new' });
    expect(second).toMatchObject({ id: first.id, deduplicated: 'replaced' });
    expect(await task(first.id)).toMatchObject({ path: '/new', state: 'available' });
    expect(await keyed('rep-1')).toBe(1);
  });

  it('debounce moves a holder never delivered later and answers debounced', async () => {
    const first = await one({ key: 'deb-1', keyMode: 'debounce', delay: '1m' });
    const second = await one({ key: 'deb-1', keyMode: 'debounce', delay: '10m' });
    expect(second).toMatchObject({ id: first.id, deduplicated: 'debounced' });
    // The holder's created_at is the first call's: due about 10 minutes after it.
    expect((await task(first.id)).due_in_s).toBeGreaterThanOrEqual(600);
    expect((await task(first.id)).due_in_s).toBeLessThan(610);
  });

  it('replace and debounce keep a holder that was delivered', async () => {
    const first = await one({ key: 'run-1', keyMode: 'replace', path: '/first' });
    await client.query(
      `update dispatchr_task set state = 'running', attempt = 1, first_attempt_at = now() where id = $1`,
      [first.id],
    );
    expect(await one({ key: 'run-1', keyMode: 'replace', path: '/second' })).toMatchObject({
      id: first.id,
      deduplicated: 'kept',
    });
    expect(await one({ key: 'run-1', keyMode: 'debounce', delay: '1h' })).toMatchObject({
      id: first.id,
      deduplicated: 'kept',
    });
    expect((await task(first.id)).path).toBe('/first');
  });

  it('a finished holder keeps its key for keyRetention, then a create releases it', async () => {
    const first = await one({ key: 'ret-1', keyRetention: '1h' });
    await client.query(`update dispatchr_task set state = 'completed', finalized_at = now() where id = $1`, [first.id]);
    expect(await one({ key: 'ret-1' })).toMatchObject({ id: first.id, deduplicated: 'kept' });
    await client.query(`update dispatchr_task set finalized_at = now() - interval '2 hours' where id = $1`, [first.id]);
    const after = await one({ key: 'ret-1' });
    expect(after.deduplicated).toBeNull();
    expect(after.id).not.toBe(first.id);
    const { rows } = await client.query('select key_released from dispatchr_task where id = $1', [first.id]);
    expect(rows[0].key_released).toBe(true);
  });

  it.each(['keep', 'replace', 'debounce'])('concurrent %s calls with one key make one task', async (mode) => {
    const key = `race-${mode}`;
    const racers = await Promise.all(Array.from({ length: 8 }, () => clients.client()));
    await Promise.all(racers.map((racer) => racer.query('begin')));
    const answers = await Promise.all(
      racers.map(async (racer, i) => {
        const [row] = await sqlEnqueue(racer, 'jobs', JSON.stringify([{ key, keyMode: mode, path: `/r${i}` }]));
        await racer.query('commit');
        return row;
      }),
    );
    expect(await keyed(key)).toBe(1);
    expect(new Set(answers.map((row) => row.id)).size).toBe(1);
    expect(answers.filter((row) => row.deduplicated === null)).toHaveLength(1);
  });
});
