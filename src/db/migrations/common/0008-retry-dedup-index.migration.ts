import { Migration } from '@mikro-orm/migrations';

/**
 * A bulk retry skips a task when a newer retryable task holds the same dedup key (task-retry.sql.ts):
 * one lookup by (queue, dedup_key) per candidate. Without an index for it that lookup read every
 * failed task of the queue, so a bulk retry was quadratic in them: 2,000 failed tasks with keys
 * took 0.5 s, 8,000 about 7 s, and a batch of 500 among 100,000 would outlive the query deadline.
 *
 * Partial on the states a retry leaves (the machine's `retry` sources), so no claim and no settle
 * to completed adds an entry: only a task with a dedup key that fails or is cancelled does. The
 * same statement on every driver; the retry repeats the WHERE term verbatim (RETRY_DEDUP_INDEX_STATES
 * in task-retry.sql.ts), which is what lets SQLite use a partial index. Written out here, not
 * imported: a shipped migration never changes, and a new retry source needs a new migration (a
 * test holds the machine, the retry's term and the SQLite plan together). The build reads the
 * table under a write lock (81 ms for 500,000 tasks with no failed ones).
 */

export class RetryDedupIndex extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create index dispatchr_task_retry_dedup_idx on dispatchr_task (queue, dedup_key, id) where dedup_key is not null and state in ('failed','cancelled')`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop index dispatchr_task_retry_dedup_idx`);
  }
}
