import { Migration } from '@mikro-orm/migrations';
import { FIELD_CHECKS_SQL } from './0021-sql-checks-fields.sql.js';
import { JSON_CHECKS_SQL } from './0021-sql-checks-json.sql.js';

/**
 * The checks `dispatchr_enqueue()` (0022, docs/spec.md) runs on what a caller writes through SQL:
 * the rules the database can hold without the configuration, in SQL, so any language enqueues
 * inside its own transaction and meets the API's rules. Each raises SQLSTATE 22023 with
 * `<field>: <rule>`, the field being the caller's dotted path (`tasks.0.path`), the rule in the
 * words of the JavaScript message; none echoes a header value. spec/vectors holds both sides to
 * the same cases (test/integration/sql-checks).
 *
 *   dispatchr_check_queue_name(text, field) → text         src/rules/task-fields.ts QUEUE_NAME
 *   dispatchr_check_key(text, field) → text                1 to 255 UTF-16 code units
 *   dispatchr_check_header(name, value, field) → text      src/rules/task-headers.ts; the lowercased name
 *   dispatchr_check_path(text, field) → text               src/rules/target-path.ts; the stored path
 *   dispatchr_parse_rfc3339(text, field) → timestamptz     src/rules/rfc3339.ts
 *   dispatchr_parse_duration(json, field) → bigint         src/duration.ts (bare number: seconds); ms
 *   dispatchr_canonical_json(json, field) → text           src/rules/json-canonical.ts (RFC 8785)
 *
 * The one difference from the JavaScript rules: SQL has no queue configuration, so no target, and
 * a path that is an absolute URL (which the API accepts inside the target) is refused here.
 * The JSON depth limit is the value's own (64 levels, the value itself level 1), as for
 * `enqueueWithin`; the API counts the request object too.
 *
 * Helpers, not for callers: dispatchr_check_failed, dispatchr_utf16_length, dispatchr_json_number,
 * dispatchr_canonical_json_container, dispatchr_canonical_json_member.
 */
export class PostgresSqlChecks extends Migration {
  override async up(): Promise<void> {
    for (const sql of [...FIELD_CHECKS_SQL, ...JSON_CHECKS_SQL]) this.addSql(sql);
  }

  override async down(): Promise<void> {
    this.addSql(`drop function if exists dispatchr_canonical_json(json, text),
      dispatchr_canonical_json_member(json, text, text[], int), dispatchr_canonical_json_container(json, text, text[], int),
      dispatchr_json_number(text, text),
      dispatchr_parse_duration(json, text), dispatchr_parse_rfc3339(text, text), dispatchr_check_path(text, text),
      dispatchr_check_header(text, text, text), dispatchr_check_key(text, text), dispatchr_check_queue_name(text, text),
      dispatchr_utf16_length(text), dispatchr_check_failed(text, text)`);
  }
}
