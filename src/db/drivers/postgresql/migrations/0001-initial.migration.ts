import { Migration } from '@mikro-orm/migrations';

/** PostgreSQL schema v1. Partial indexes keep the claim an index scan however many tasks finished. */
export class PostgresInitial extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create table dispatchr_task (
  id uuid primary key,
  queue text not null,
  state text not null check (state in ('scheduled','available','running','retryable','completed','failed','cancelled')),
  path text not null,
  method text not null,
  headers jsonb not null default '{}'::jsonb,
  body bytea,
  body_json jsonb,
  content_type text,
  run_at timestamptz not null,
  attempt integer not null default 0,
  max_attempts integer,
  timeout_ms integer,
  dedup_key text,
  lease_owner text,
  lease_expires_at timestamptz,
  attempted_at timestamptz,
  traceparent text,
  first_attempt_at timestamptz,
  last_status integer,
  last_error text,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  finalized_at timestamptz
)`);
    // "Due tasks of queue Q": only waiting rows are in this index.
    this.addSql(
      `create index dispatchr_task_due_idx on dispatchr_task (queue, run_at) where state in ('scheduled','available','retryable')`,
    );
    // "Tasks of queue Q in state S, newest first" (UUIDv7 ids sort by creation time).
    this.addSql(`create index dispatchr_task_queue_state_idx on dispatchr_task (queue, state, id desc)`);
    this.addSql(`create index dispatchr_task_queue_idx on dispatchr_task (queue, id desc)`);
    this.addSql(`create index dispatchr_task_state_idx on dispatchr_task (state, id desc)`);
    // The dedup key is unique per queue among unfinished tasks only.
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
  id bigserial primary key,
  task_id uuid not null references dispatchr_task (id) on delete cascade,
  number integer not null,
  started_at timestamptz not null,
  finished_at timestamptz,
  status integer,
  outcome text not null,
  duration_ms integer,
  error text,
  response_excerpt text
)`);
    this.addSql(`create index dispatchr_attempt_task_idx on dispatchr_attempt (task_id, id)`);
    this.addSql(
      `create table dispatchr_queue_state (name text primary key, paused boolean not null default false, updated_at timestamptz not null)`,
    );
    this.addSql(`
create table dispatchr_scheduler (
  id text primary key,
  host text not null,
  pid integer not null,
  queues jsonb not null,
  started_at timestamptz not null,
  heartbeat_at timestamptz not null
)`);
    this.addSql(`
create table dispatchr_idempotency_key (
  scope text not null,
  key text not null,
  request_hash text not null,
  status integer not null,
  response text not null,
  created_at timestamptz not null,
  expires_at timestamptz not null,
  primary key (scope, key)
)`);
    this.addSql(`create index dispatchr_idempotency_key_expires_idx on dispatchr_idempotency_key (expires_at)`);
    // Wake sleeping schedulers at commit when tasks become due, whoever wrote them (the recorder, a
    // manual retry, or an app's own transaction through enqueueWithin). NOTIFY is transactional and
    // de-duplicated per transaction, so one batch insert sends one notification per queue.
    // clock_timestamp(), not now(): now() is the transaction's start, which in a long application
    // transaction (enqueueWithin) is earlier than the task's run_at, and the wake-up would be lost.
    this.addSql(`
create function dispatchr_notify_due() returns trigger language plpgsql as $$
begin
  perform pg_notify('dispatchr_due', q.queue)
    from (select distinct queue from new_rows
          where state = 'available' or (state in ('scheduled','retryable') and run_at <= clock_timestamp())) q;
  return null;
end $$`);
    this.addSql(`create trigger dispatchr_task_due_insert after insert on dispatchr_task
  referencing new table as new_rows for each statement execute function dispatchr_notify_due()`);
    this.addSql(`create trigger dispatchr_task_due_update after update on dispatchr_task
  referencing new table as new_rows for each statement execute function dispatchr_notify_due()`);
  }
}
