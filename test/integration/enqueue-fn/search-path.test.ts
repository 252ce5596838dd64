import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable, TEST_PG_URL } from '../../support/postgres.js';
import { openAppDatabase, type AppDatabase } from '../client/pg-support.js';

/**
 * dispatchr_enqueue() finds its own tables and helpers in the schema it was installed in, whatever
 * the caller's search_path (spec 14): called schema-qualified from an app's own path, with another
 * deployment's schema ahead on the path, with a temporary table of the same name, or with a
 * same-named function shadowing one of its checks, it writes to its own deployment with its own
 * rules. Two real migrated schemas on one database.
 */
const available = await postgresAvailable();

describe.skipIf(!available)('dispatchr_enqueue() and the caller search_path', () => {
  let a: AppDatabase;
  let b: AppDatabase;
  let client: pg.Client;
  const shadow = `shadow_${process.pid}_${Date.now()}`;

  beforeAll(async () => {
    [a, b] = await Promise.all([openAppDatabase(), openAppDatabase()]);
    client = new pg.Client({ connectionString: TEST_PG_URL });
    await client.connect();
  }, 60_000);

  afterAll(async () => {
    await client?.query(`drop schema if exists "${shadow}" cascade`).catch(() => undefined);
    await client?.end().catch(() => undefined);
    await Promise.all([a?.close(), b?.close()]);
  });

  const count = async (schema: string, path: string) =>
    Number(
      (await client.query(`select count(*)::int as n from "${schema}".dispatchr_task where path = $1`, [path])).rows[0]
        .n,
    );

  it('works when called schema-qualified from a path that does not hold Dispatchr', async () => {
    await client.query('set search_path = public');
    const { rows } = await client.query(`select * from "${a.schema}".dispatchr_enqueue('q', '[{"path": "/one"}]')`);
    expect(rows).toHaveLength(1);
    expect(await count(a.schema, '/one')).toBe(1);
  });

  it("writes to its own schema when another deployment's schema comes first on the path", async () => {
    await client.query(`set search_path = "${b.schema}", "${a.schema}"`);
    await client.query(`select * from "${a.schema}".dispatchr_enqueue('q', '[{"path": "/two"}]')`);
    expect(await count(a.schema, '/two')).toBe(1);
    expect(await count(b.schema, '/two')).toBe(0);
  });

  it('reads its own queue defaults, not a temporary table of the same name', async () => {
    await client.query(
      `insert into "${a.schema}".dispatchr_queue_state (name, default_priority, updated_at) values ('qq', 3, now())
       on conflict (name) do update set default_priority = 3`,
    );
    await client.query(`set search_path = "${a.schema}"`);
    await client.query('create temp table dispatchr_queue_state (name text, default_priority int)');
    await client.query(`insert into pg_temp.dispatchr_queue_state values ('qq', 9)`);
    await client.query(`select * from dispatchr_enqueue('qq', '[{"path": "/three"}]')`);
    const { rows } = await client.query(`select priority from "${a.schema}".dispatchr_task where path = '/three'`);
    expect(rows).toEqual([{ priority: 3 }]);
    await client.query('drop table pg_temp.dispatchr_queue_state');
  });

  it('keeps its own path check when a same-named function comes first on the path', async () => {
    await client.query(`create schema "${shadow}"`);
    await client.query(
      `create function "${shadow}".dispatchr_check_path(value text, field text) returns text language sql as $$ select value $$`,
    );
    await client.query(`set search_path = "${shadow}", "${a.schema}"`);
    const refused = await client.query(`select * from dispatchr_enqueue('q', '[{"path": "/four/../../admin"}]')`).then(
      () => null,
      (error: { code?: string; message: string }) => error,
    );
    expect(refused?.code).toBe('22023');
    expect(refused?.message).toMatch(/^tasks\.0\.path: /);
    expect(await count(a.schema, '/four/../../admin')).toBe(0);
  });
});
