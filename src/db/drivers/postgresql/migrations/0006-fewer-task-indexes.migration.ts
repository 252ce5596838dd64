import { Migration } from '@mikro-orm/migrations';

/**
 * Fewer index entries per claim and settle. Neither update is HOT (`state` is indexed), so each
 * adds an entry to every index whose predicate the new row meets: 6 for the claim and 5 for the
 * settle before this migration, 2 and 3 after. PostgreSQL's CPU per dispatched task fell by about a
 * third (`bench/statements.ts`, 96–98 → 64–66 µs in a slow window).
 *
 * - `(queue, id desc)` and `(state, id desc)` go: searches by queue or by state now walk one
 *   ordered scan per (queue, state) pair of the remaining listing index and merge them
 *   (task-search.sql.ts), a page per pair at most; a search by neither reads the primary key.
 * - The listing index `(queue, state, id desc)` leaves out running rows, so a claim adds nothing
 *   to it. Running rows are few (at most the queues' concurrency) and are searched through
 *   `dispatchr_task_running_idx`, sorted after.
 * - `(lease_expires_at) where running` goes: the rescuer reads every running row anyway (an owner
 *   without a heartbeat is rescued whatever its lease), through `dispatchr_task_running_idx`.
 *
 * Building the listing index takes a write lock on dispatchr_task for as long as it runs (seconds
 * per million rows): run `dispatchr migrate` in a quiet moment on a large table.
 */
export class PostgresFewerTaskIndexes extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create index dispatchr_task_listing_idx on dispatchr_task (queue, state, id desc) where state <> 'running'`,
    );
    this.addSql(`drop index dispatchr_task_queue_state_idx`);
    this.addSql(`drop index dispatchr_task_queue_idx`);
    this.addSql(`drop index dispatchr_task_state_idx`);
    this.addSql(`drop index dispatchr_task_lease_idx`);
  }

  override async down(): Promise<void> {
    this.addSql(`create index dispatchr_task_lease_idx on dispatchr_task (lease_expires_at) where state = 'running'`);
    this.addSql(`create index dispatchr_task_state_idx on dispatchr_task (state, id desc)`);
    this.addSql(`create index dispatchr_task_queue_idx on dispatchr_task (queue, id desc)`);
    this.addSql(`create index dispatchr_task_queue_state_idx on dispatchr_task (queue, state, id desc)`);
    this.addSql(`drop index dispatchr_task_listing_idx`);
  }
}
