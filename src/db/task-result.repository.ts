import type { Orm } from './orm.js';
import { SqlParams } from './sql-session.js';

/**
 * A task's stored result (docs/spec.md 11.4): the final attempt's response body and content type.
 * Read only for GET /v1/tasks/{id} in the full view: lists never carry it (a result may be 1 MiB).
 * A task whose queue keeps no more than the excerpt, and has no callback, has no result row of its
 * own: its result is its final attempt's excerpt, and its content type is not known (null).
 */
export interface TaskResult {
  contentType: string | null;
  body: Buffer;
}

export async function findTaskResult(db: Orm, taskId: string): Promise<TaskResult | null> {
  const p = new SqlParams(db.driver.placeholder);
  const rows = await db.sql.query<{ result_body: unknown; result_content_type: unknown; final_excerpt: unknown }>(
    `select result_body, result_content_type, final_excerpt from dispatchr_task where id = ${p.add(taskId)} and finalized_at is not null`,
    p.values,
  );
  const row = rows[0];
  if (!row) return null;
  if (row.result_body !== null && row.result_body !== undefined) {
    const body = Buffer.isBuffer(row.result_body) ? row.result_body : Buffer.from(row.result_body as Uint8Array);
    return { contentType: row.result_content_type === null ? null : String(row.result_content_type), body };
  }
  if (typeof row.final_excerpt === 'string') return { contentType: null, body: Buffer.from(row.final_excerpt, 'utf8') };
  return null;
}
