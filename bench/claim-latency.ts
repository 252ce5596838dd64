/**
 * The claim's own latency on PostgreSQL, one due task at a time (as an idle scheduler claims when
 * a task is created): the repository's claim, one call of `dispatchr_claim()` (migration 0009),
 * alternated with the form before it, written out here: BEGIN, the queue's advisory lock, the
 * same UPDATE, COMMIT (four round trips). N claims of each (default 300) after 100 discarded.
 *
 *   node --import tsx bench/claim-latency.ts
 */
import { createDispatchRepository } from '../src/db/dispatch.repository.js';
import { claimColumnsAsEpoch } from '../src/db/drivers/postgresql/dispatch.sql.js';
import { percentile } from './lib/common.js';
import { scratchStore, seedTasks } from './lib/db.js';

const N = Number(process.env.N ?? 300);
const WARM = 100;
const { db, dialect, drop } = await scratchStore('claimlat', 2);
if (dialect !== 'pg') throw new Error('claim-latency compares PostgreSQL claim forms');
const repo = createDispatchRepository(db);
const UPDATE = `update dispatchr_task set state = 'running', attempt = attempt + 1, lease_owner = $1, lease_expires_at = $2,
    attempted_at = $3, first_attempt_at = coalesce(first_attempt_at, $3), updated_at = $3
  where id = any(array(
    select id from dispatchr_task where queue = $4 and state in ('scheduled','available','retryable') and run_at <= $3
    order by run_at, id
    limit greatest(0, least($5, $6 - (select count(*) from dispatchr_task where queue = $4 and state = 'running')))
    for update skip locked))
  returning ${claimColumnsAsEpoch()}`;
const earlierForm = (now: Date) =>
  db.sql.transaction(async (tx) => {
    await tx.query(`select pg_advisory_xact_lock(hashtext('dispatchr.claim.' || $1::text))`, ['bench']);
    return tx.query(UPDATE, ['o', new Date(now.getTime() + 60_000), now, 'bench', 250, 1000]);
  });
const oneCall: number[] = [],
  fourTrips: number[] = [];
try {
  for (let i = 0; i < 2 * (N + WARM); i++) {
    await seedTasks(db, 1, { runAt: new Date(Date.now() - 1000), state: 'available' });
    const now = new Date();
    const t0 = performance.now();
    const rows =
      i % 2 === 0
        ? await repo.claim({ queue: 'bench', limit: 250, owner: 'o', now, leaseMs: 60_000, maxConcurrent: 1000 })
        : await earlierForm(now);
    const ms = performance.now() - t0;
    if (rows.length !== 1) throw new Error(`claimed ${rows.length}, expected 1`);
    if (i >= 2 * WARM) (i % 2 === 0 ? oneCall : fourTrips).push(ms);
    await db.sql.execute(
      `update dispatchr_task set state = 'completed', lease_owner = null, lease_expires_at = null, finalized_at = now() where state = 'running'`,
    );
  }
  const line = (values: number[]) => [50, 95, 99].map((p) => percentile(values, p).toFixed(2)).join(' / ');
  console.log(`claim of one due task, ms p50 / p95 / p99 (${N} each, alternated):`);
  console.log(`  dispatchr_claim(), one call:        ${line(oneCall)}`);
  console.log(`  BEGIN, lock, UPDATE, COMMIT (before): ${line(fourTrips)}`);
} finally {
  await drop();
}
