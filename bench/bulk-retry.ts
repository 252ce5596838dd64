/**
 * A bulk retry of N failed tasks that all carry dedup keys, in one queue: the case where the retry's
 * dedup check (a lookup by key per candidate) decides the cost. Prints the wall time of
 * `retryMatching({ queue })` on a fresh store. `DIALECT=sqlite` for SQLite (default PostgreSQL);
 * `EXTRA='sql;sql'` runs statements after the migration, e.g. `drop index
 * dispatchr_task_retry_dedup_idx` to price migration 0008.
 *
 *   N=8000 node --import tsx bench/bulk-retry.ts
 *   N=8000 DIALECT=sqlite node --import tsx bench/bulk-retry.ts
 */
import { createBenchDatabase, freshStore } from './lib/db.js';
import { initOrm } from '../src/db/orm.js';
import { migrate } from '../src/db/migrate.js';
import { createTaskRepository } from '../src/db/task.repository.js';
import { systemClock } from '../src/clock.js';

const dialect = process.env.DIALECT === 'sqlite' ? 'sqlite' : 'pg';
const N = Number(process.env.N ?? 8000);
if (dialect === 'pg') await createBenchDatabase();
const store = await freshStore(dialect, 'retry');
const db = await initOrm({ url: store.url, poolSize: 2 });
try {
  await migrate(db);
  for (const s of (process.env.EXTRA ?? '').split(';').filter(Boolean)) await db.sql.execute(s, []);
  const now = Date.now();
  // N failed tasks of queue 'q', keys k0..k(N-1), ids in creation order; written by the database.
  if (dialect === 'pg') {
    await db.sql.execute(
      `insert into dispatchr_task (id, queue, state, path, method, headers, run_at, created_at, updated_at, finalized_at, dedup_key, attempt)
       select (lpad(to_hex($1::bigint), 12, '0') || '7000' || '8' || lpad(to_hex(i), 15, '0'))::uuid, 'q', 'failed', '/x', 'POST', '{}'::jsonb,
              now(), now(), now(), now(), 'k' || i, 1
       from generate_series(0, $2::int - 1) as i`,
      [now, N],
    );
    await db.sql.execute('vacuum analyze dispatchr_task');
  } else {
    await db.sql.execute(
      `with recursive s(i) as (select 0 union all select i + 1 from s where i < ? - 1)
       insert into dispatchr_task (id, queue, state, path, method, headers, run_at, created_at, updated_at, finalized_at, dedup_key, attempt)
       select printf('%08x-%04x-7000-8000-%012x', ? / 65536, ? % 65536, i), 'q', 'failed', '/x', 'POST', '{}', ?, ?, ?, ?, 'k' || i, 1 from s`,
      [N, now, now, now, now, now, now],
    );
    await db.sql.execute('analyze');
  }
  const tasks = createTaskRepository(db, systemClock);
  const t0 = performance.now();
  const retried = await tasks.retryMatching({ queue: 'q' });
  const ms = performance.now() - t0;
  console.log(`${dialect} ${N.toLocaleString('en')} failed tasks with dedup keys: retried ${retried.toLocaleString('en')} in ${ms.toFixed(0)} ms${process.env.EXTRA ? ` (after: ${process.env.EXTRA})` : ''}`);
} finally {
  await db.close();
  await store.drop();
}
