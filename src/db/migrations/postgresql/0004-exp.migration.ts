import { Migration } from '@mikro-orm/migrations';
export class PostgresExp extends Migration {
  override async up(): Promise<void> {
    this.addSql(`drop index dispatchr_task_state_idx`);
    this.addSql(`drop index dispatchr_task_lease_idx`);
    this.addSql(`alter table dispatchr_attempt drop constraint dispatchr_attempt_pkey`);
    this.addSql(`drop index dispatchr_attempt_task_idx`);
    this.addSql(`alter table dispatchr_attempt add primary key (task_id, id)`);
  }
}
