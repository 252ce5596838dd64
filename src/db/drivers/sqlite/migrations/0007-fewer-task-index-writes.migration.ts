import { Migration } from '@mikro-orm/migrations';

/**
 * SQLite's side of PostgreSQL's 0006: fewer index writes per claim and settle. SQLite updates only
 * the indexes that read a changed column (the partial ones' WHERE included), and both statements
 * change `state`, so every index on state paid a delete and an insert per task, per statement.
 *
 * - `(queue, state, id desc)` and `(state, id desc)` leave out running rows: a claim now only
 *   deletes from them, a settle only inserts. Running rows (at most the queues' concurrency) are
 *   found through `dispatchr_task_running_idx`. SQLite's planner uses a partial index only when the
 *   query repeats its WHERE term, so the searches say `state <> 'running'` (task-filter.sql.ts).
 * - `(lease_expires_at) where running` goes, as on PostgreSQL: the rescuer reads every running row
 *   anyway, through `dispatchr_task_running_idx`.
 * - `(queue, id desc)` stays: no claim or settle changes its columns, so it costs them nothing.
 *
 * Measured (`DIALECT=sqlite IN_FLIGHT=4 MAX=1000 B=250 node --import tsx bench/statements.ts`, the
 * old indexes put back through EXTRA, three interleaved pairs): CPU per task for claim + settle
 * 50–58 → 33–35 µs, the settle alone 32–36 → 17–18 µs; SQLite dispatch in `npm run bench`
 * 12,000 → 15,100 tasks/s.
 */
export class SqliteFewerTaskIndexWrites extends Migration {
  override async up(): Promise<void> {
    this.addSql(`drop index dispatchr_task_lease_idx`);
    this.addSql(`drop index dispatchr_task_queue_state_idx`);
    this.addSql(
      `create index dispatchr_task_queue_state_idx on dispatchr_task (queue, state, id desc) where state <> 'running'`,
    );
    this.addSql(`drop index dispatchr_task_state_idx`);
    this.addSql(`create index dispatchr_task_state_idx on dispatchr_task (state, id desc) where state <> 'running'`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index dispatchr_task_state_idx`);
    this.addSql(`create index dispatchr_task_state_idx on dispatchr_task (state, id desc)`);
    this.addSql(`drop index dispatchr_task_queue_state_idx`);
    this.addSql(`create index dispatchr_task_queue_state_idx on dispatchr_task (queue, state, id desc)`);
    this.addSql(`create index dispatchr_task_lease_idx on dispatchr_task (lease_expires_at) where state = 'running'`);
  }
}
