/**
 * The claim's plan with a big history: FINISHED completed tasks (default 1,000,000) and DUE due
 * ones (default 20,000) in a fresh schema of the bench database, VACUUM ANALYZE, then the
 * repository's own claim (limit 200). The claim is a call of `dispatchr_claim()` (migration 0009),
 * whose UPDATE an EXPLAIN of the call would not show: the repository is called on a session with
 * auto_explain loaded (nested statements, ANALYZE, BUFFERS) and its plans sent to the client as
 * notices (client_min_messages = log). Needs a superuser for LOAD (the bench's role is one).
 *
 *   node --import tsx bench/explain-claim.ts
 */
import { createDispatchRepository } from '../src/db/dispatch.repository.js';
import { migrate } from '../src/db/migrate.js';
import { initOrm, type Orm } from '../src/db/orm.js';
import pg from 'pg';
import { parsePostgresUrl } from '../src/db/drivers/postgresql/open.js';
import type { SqlPool } from '../src/db/sql-session.js';
import { createBenchDatabase, freshStore, QUEUE, seedTasks } from './lib/db.js';

const FINISHED = Number(process.env.FINISHED ?? 1_000_000);
const DUE = Number(process.env.DUE ?? 20_000);

await createBenchDatabase();
const store = await freshStore('pg', 'explain');
const db = await initOrm({ url: store.url, poolSize: 2 });
try {
  await migrate(db);
  const started = Date.now();
  await db.sql.execute(
    `insert into dispatchr_task (id, queue, state, path, method, headers, body, content_type, run_at, attempt, created_at, updated_at, finalized_at)
     select (lpad(to_hex(1700000000000 + i), 12, '0') || '7000' || '8' || lpad(to_hex(i), 15, '0'))::uuid,
            $1, 'completed', '/noop', 'POST', '{}'::jsonb, convert_to('{}', 'UTF8'), 'application/json', now(), 1, now(), now(), now()
     from generate_series(1, $2::int) as i`,
    [QUEUE, FINISHED],
  );
  await seedTasks(db, DUE, { runAt: new Date(Date.now() - 1_000), state: 'available' });
  await db.sql.execute('vacuum analyze dispatchr_task', []);
  console.log(
    `${FINISHED.toLocaleString('en-US')} completed + ${DUE.toLocaleString('en-US')} due tasks written in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );

  const plan: string[] = [];
  if (!store.url.startsWith('postgres')) throw new Error('explain-claim runs on PostgreSQL');
  const target = parsePostgresUrl(store.url);
  const client = new pg.Client({ connectionString: target.url });
  await client.connect();
  client.on('notice', (notice) => {
    if (/dispatchr_claim|update dispatchr_task/i.test(notice.message ?? '')) plan.push(notice.message ?? '');
  });
  await client.query(`set search_path = "${target.schema}"`);
  await client.query(`load 'auto_explain'`);
  for (const setting of [
    'log_min_duration = 0',
    'log_analyze = on',
    'log_buffers = on',
    'log_timing = on',
    'log_nested_statements = on',
  ]) {
    await client.query(`set auto_explain.${setting}`);
  }
  const explaining: Orm = {
    ...db,
    sql: {
      ...db.sql,
      query: async (text: string, values?: readonly unknown[]) =>
        (await client.query(text, values ? [...values] : [])).rows,
    } as SqlPool,
  };
  try {
    // PL/pgSQL plans a statement for its parameters' values at first and may switch to a generic
    // plan (one for any values) from the sixth call on, as a long-running scheduler's session may:
    // the plan shown is the generic one, forced.
    await client.query('set plan_cache_mode = force_generic_plan');
    await client.query('set client_min_messages = log');
    const claimed = await createDispatchRepository(explaining).claim({
      queue: QUEUE,
      limit: 200,
      owner: 'explain',
      now: new Date(),
      leaseMs: 60_000,
      maxConcurrent: 1_000_000,
    });
    console.log(`claimed ${claimed.length}; the claim's UPDATE inside dispatchr_claim():\n`);
  } finally {
    await client.end();
  }
  console.log(plan.join('\n'));
} finally {
  await db.close();
  await store.drop();
}
