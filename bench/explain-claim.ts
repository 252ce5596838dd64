/**
 * The claim's plan with a big history: FINISHED completed tasks (default 1,000,000) and DUE due
 * ones (default 20,000) in a fresh schema of the bench database, VACUUM ANALYZE, then the
 * repository's own claim statement (limit 200) under EXPLAIN (ANALYZE, BUFFERS). The statement is
 * the one the scheduler runs: the repository is called, and its UPDATE is prefixed with EXPLAIN.
 *
 *   node --import tsx bench/explain-claim.ts
 */
import { createDispatchRepository } from '../src/db/dispatch.repository.js';
import { migrate } from '../src/db/migrate.js';
import { initOrm, type Orm } from '../src/db/orm.js';
import type { SqlSession } from '../src/db/sql-pool.js';
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
  console.log(`${FINISHED.toLocaleString('en-US')} completed + ${DUE.toLocaleString('en-US')} due tasks written in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);

  const plan: string[] = [];
  const explaining: Orm = {
    ...db,
    sql: {
      ...db.sql,
      transaction: (fn) =>
        db.sql.transaction((tx) =>
          fn({
            ...tx,
            query: async (text: string, values?: unknown[]) => {
              if (!/^\s*update dispatchr_task set state = 'running'/.test(text)) return tx.query(text, values);
              const rows = await tx.query(`explain (analyze, buffers) ${text}`, values);
              plan.push(...rows.map((row) => String(row['QUERY PLAN'])));
              return [];
            },
          } as SqlSession),
        ),
    },
  };
  await createDispatchRepository(explaining).claim({ queue: QUEUE, limit: 200, owner: 'explain', now: new Date(), leaseMs: 60_000, maxConcurrent: 1_000 });
  console.log(plan.join('\n'));
} finally {
  await db.close();
  await store.drop();
}
