import { Migration } from '@mikro-orm/migrations';

/**
 * The dead-letter view of one queue (GET /v1/failures?queue=, and every read of a queue-scoped
 * token) reads that queue's most recently failed tasks. Through the index by (state, finalized_at)
 * alone, a rare queue's read walked every other queue's failures first. Partial: only failed tasks
 * have an entry, so a task that completes writes none. The same statement on every driver.
 */
export class FailedByQueueIndex extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create index dispatchr_task_failed_queue_idx on dispatchr_task (queue, finalized_at) where state = 'failed'`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop index dispatchr_task_failed_queue_idx`);
  }
}
