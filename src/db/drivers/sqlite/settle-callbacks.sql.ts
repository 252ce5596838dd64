import type { Settlement } from '../../dispatch.types.js';
import type { SqlSession } from '../../sql-session.js';
import { buildTaskInsert } from './task-insert.sql.js';

/**
 * The stored result and the callback task of one settlement whose compare-and-set won (docs/spec.md
 * 11.4, 11.5), written in the settle's own transaction (dispatch.sql.ts): the callback task commits
 * with the settle or not at all. Settlements without either write nothing more.
 */
export async function writeResultAndCallback(tx: SqlSession, s: Settlement): Promise<void> {
  if (s.result) {
    const body = s.result.body;
    await tx.execute('update dispatchr_task set result_body = ?, result_content_type = ? where id = ?', [
      body === null ? null : Buffer.from(body.buffer, body.byteOffset, body.byteLength),
      s.result.contentType,
      s.taskId,
    ]);
  }
  if (s.callback) {
    const insert = buildTaskInsert([s.callback]);
    await tx.query(insert.text, insert.values);
  }
}
