import { Migration } from '@mikro-orm/migrations';

/** SQLite schema v1: the same shape as PostgreSQL, times stored as integer milliseconds. */
export class SqliteInitial extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create table dispatchr_task (
  id text primary key,
  queue text not null,
  state text not null check (state in ('scheduled','available','running','retryable','completed','failed','cancelled')),
  path text not null,
  method text not null,
  headers text not null default '{}',
  body blob,
  content_type text,
  run_at integer not null,
  attempt integer not null default 0,
  max_attempts integer,
  timeout_ms integer,
  dedup_key text,
  lease_owner text,
  lease_expires_at integer,
  attempted_at integer,
  traceparent text,
  first_attempt_at integer,
  last_status integer,
  last_error text,
  created_at integer not null,
  updated_at integer not null,
  finalized_at integer
)`);
    this.addSql(
      `create index dispatchr_task_due_idx on dispatchr_task (queue, run_at) where state in ('scheduled','available','retryable')`,
    );
    this.addSql(`create index dispatchr_task_queue_state_idx on dispatchr_task (queue, state, id desc)`);
    this.addSql(`create index dispatchr_task_queue_idx on dispatchr_task (queue, id desc)`);
    this.addSql(`create index dispatchr_task_state_idx on dispatchr_task (state, id desc)`);
    this.addSql(
      `create unique index dispatchr_task_dedup_idx on dispatchr_task (queue, dedup_key) where dedup_key is not null and state in ('scheduled','available','retryable','running')`,
    );
    this.addSql(`create index dispatchr_task_lease_idx on dispatchr_task (lease_expires_at) where state = 'running'`);
    this.addSql(
      `create index dispatchr_task_running_idx on dispatchr_task (queue, lease_owner) where state = 'running'`,
    );
    this.addSql(
      `create index dispatchr_task_finalized_idx on dispatchr_task (state, finalized_at) where finalized_at is not null`,
    );
    this.addSql(`
create table dispatchr_attempt (
  id integer primary key autoincrement,
  task_id text not null references dispatchr_task (id) on delete cascade,
  number integer not null,
  started_at integer not null,
  finished_at integer,
  status integer,
  outcome text not null,
  duration_ms integer,
  error text,
  response_excerpt text
)`);
    this.addSql(`create index dispatchr_attempt_task_idx on dispatchr_attempt (task_id, id)`);
    this.addSql(
      `create table dispatchr_queue_state (name text primary key, paused integer not null default 0, updated_at integer not null)`,
    );
    this.addSql(`
create table dispatchr_scheduler (
  id text primary key,
  host text not null,
  pid integer not null,
  queues text not null,
  started_at integer not null,
  heartbeat_at integer not null
)`);
    this.addSql(`
create table dispatchr_idempotency_key (
  scope text not null,
  key text not null,
  request_hash text not null,
  status integer not null,
  response text not null,
  created_at integer not null,
  expires_at integer not null,
  primary key (scope, key)
)`);
    this.addSql(`create index dispatchr_idempotency_key_expires_idx on dispatchr_idempotency_key (expires_at)`);
  }
}
