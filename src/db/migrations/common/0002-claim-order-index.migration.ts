import { Migration } from '@mikro-orm/migrations';

/**
 * The claim reads due tasks `order by run_at, id`. On (queue, run_at) alone every due row with the
 * same run_at (a batch insert, a campaign scheduled for one instant) had to be sorted before the
 * first could be taken; with id in the index the claim reads exactly `limit` index entries.
 * The same statements on every driver (both have partial indexes), so one class serves both lists.
 */
export class ClaimOrderIndex extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create index dispatchr_task_due_order_idx on dispatchr_task (queue, run_at, id) where state in ('scheduled','available','retryable')`,
    );
    this.addSql(`drop index dispatchr_task_due_idx`);
  }

  override async down(): Promise<void> {
    this.addSql(
      `create index dispatchr_task_due_idx on dispatchr_task (queue, run_at) where state in ('scheduled','available','retryable')`,
    );
    this.addSql(`drop index dispatchr_task_due_order_idx`);
  }
}
