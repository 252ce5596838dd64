import { Migration } from '@mikro-orm/migrations';

/**
 * A bulk retry skips a task when a newer retryable task holds the same dedup key (task-retry.sql.ts):
 * one lookup by (queue, dedup_key) per candidate. Without an index for it that lookup read every
 * failed task of the queue, so a bulk retry was quadratic in them: 2,000 failed tasks with keys
 * took 0.5 s, 8,000 took 6.7 s, and a batch of 500 among 100,000 would outlive the query deadline.
 *
 * Partial on the states a retry leaves (the machine's `retry` sources: a test holds the two
 * together), so no claim and no settle to completed adds an entry: only a task with a dedup key
 * that fails or is cancelled does. The same statement on both dialects; the retry repeats the WHERE
 * term verbatim, which is what lets SQLite use a partial index. The build holds a write lock on
 * dispatchr_task while it reads the failed and cancelled rows.
 */
export const RETRY_DEDUP_INDEX_STATES = "state in ('failed','cancelled')";

export class RetryDedupIndex extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index dispatchr_task_retry_dedup_idx on dispatchr_task (queue, dedup_key, id) where dedup_key is not null and ${RETRY_DEDUP_INDEX_STATES}`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index dispatchr_task_retry_dedup_idx`);
  }
}
