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
import { QUEUE, scratchStore, seedTasks } from './lib/db.js';
import { createTaskRepository } from '../src/db/task.repository.js';
import { systemClock } from '../src/clock.js';

const N = Number(process.env.N ?? 8000);
const { db, dialect, drop } = await scratchStore('retry', 2);
try {
  await seedTasks(db, N, { runAt: new Date(), state: 'failed', dedupKeys: true });
  await db.sql.execute(dialect === 'pg' ? 'vacuum analyze dispatchr_task' : 'analyze');
  const tasks = createTaskRepository(db, systemClock);
  const t0 = performance.now();
  const retried = await tasks.retryMatching({ queue: QUEUE });
  const ms = performance.now() - t0;
  console.log(
    `${dialect} ${N.toLocaleString('en')} failed tasks with dedup keys: retried ${retried.toLocaleString('en')} in ${ms.toFixed(0)} ms${process.env.EXTRA ? ` (after: ${process.env.EXTRA})` : ''}`,
  );
} finally {
  await drop();
}
