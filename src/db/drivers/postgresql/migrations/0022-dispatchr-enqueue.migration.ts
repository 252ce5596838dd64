import { Migration } from '@mikro-orm/migrations';
import { HELPER_FUNCTION_NAMES, HELPER_FUNCTIONS } from './0022-dispatchr-enqueue/helpers.sql.js';
import { TASK_PART_FUNCTION_NAMES, TASK_PART_FUNCTIONS } from './0022-dispatchr-enqueue/task-parts.sql.js';
import { TASK_ROW_FUNCTION } from './0022-dispatchr-enqueue/task-row.sql.js';
import { ENQUEUE_FUNCTIONS, WRITE_FUNCTION, WRITE_FUNCTION_NAMES } from './0022-dispatchr-enqueue/write.sql.js';

/**
 * `dispatchr_enqueue(queue text, tasks json)`: transactional enqueue for any language (docs/spec.md,
 * "dispatchr_enqueue"). The one part of the database that is a contract: an app calls it inside its
 * own transaction, and the tasks exist exactly when its data does (graphile-worker's add_job()).
 * It takes `json`, not `jsonb`, so a body keeps the caller's bytes until the canonical form of the
 * spec is written from them, and duplicate member names can still be seen and refused.
 *
 * Versioned: `dispatchr_enqueue_version()` answers 1. v1's signature, input and result never
 * change; an incompatible change adds `dispatchr_enqueue_v2` beside it.
 *
 * It checks what the database can (types, required fields, lengths, grammars: migration 0021's
 * functions, which pass spec/vectors like src/rules/), and leaves what needs the queue's config to
 * claim time, as enqueueWithin does. Its SQL lives in the folder beside this file, split by
 * concern; those files belong to this migration and are as frozen as it is.
 */
export class PostgresDispatchrEnqueue extends Migration {
  override async up(): Promise<void> {
    for (const sql of HELPER_FUNCTIONS) this.addSql(sql);
    for (const sql of TASK_PART_FUNCTIONS) this.addSql(sql);
    this.addSql(TASK_ROW_FUNCTION);
    this.addSql(WRITE_FUNCTION);
    for (const sql of ENQUEUE_FUNCTIONS) this.addSql(sql);
    // The entry points find their own tables and helpers in the schema they were installed in,
    // whatever the caller's search_path: called schema-qualified from an app's path, or with
    // another deployment's schema (or a temporary table) ahead on it, they must neither fail nor
    // write elsewhere. Set on the entry points only: nested calls inherit it, and a helper with its
    // own setting could no longer be inlined (the JSON checks' speed depends on that).
    this.addSql(`do $$ begin
  execute format('alter function dispatchr_enqueue(text, json) set search_path = %I, pg_temp', current_schema());
  execute format('alter function dispatchr_enqueue_at(text, json, timestamptz) set search_path = %I, pg_temp', current_schema());
end $$`);
  }

  override async down(): Promise<void> {
    // Callers first, then what they call.
    for (const signature of [
      ...WRITE_FUNCTION_NAMES,
      'dispatchr_enqueue_row(text, json, integer, timestamptz)',
      ...TASK_PART_FUNCTION_NAMES,
      ...HELPER_FUNCTION_NAMES,
    ])
      this.addSql(`drop function if exists ${signature}`);
  }
}
