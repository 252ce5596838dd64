import { writesResults, type Settlement } from '../../dispatch.types.js';
import type { SqlPool, SqlSession } from '../../sql-session.js';
import { settlePostgres } from './dispatch.sql.js';
import { buildTaskInsertBulk } from './task-insert.sql.js';

/**
 * The settle of a batch that stores results or enqueues callbacks (docs/spec.md 11.4, 11.5): the hot
 * settle statement (dispatch.sql.ts) as it is, then, in the same transaction, the results of the rows
 * whose compare-and-set won and their callback tasks. The settle's row locks are held until commit,
 * so nothing moves those rows in between, and a callback task exists exactly when its settle
 * committed: the same at-least-once guarantee. Every other batch takes the one hot statement alone
 * (one round trip, no BEGIN/COMMIT): results and callbacks cost only the queues that ask for them.
 */
export async function settlePostgresBatch(
  pool: SqlPool,
  settlements: readonly Settlement[],
  now: Date,
): Promise<Set<string>> {
  if (!writesResults(settlements)) return settlePostgres(pool, settlements, now);
  return pool.transaction(async (tx) => {
    const won = await settlePostgres(tx, settlements, now);
    await writeResultsAndCallbacks(tx, settlements, won);
    return won;
  });
}

/** One array per column through unnest(): one statement text whatever the batch. */
const RESULTS_PG = `update dispatchr_task t set result_body = r.body, result_content_type = r.content_type
  from unnest($1::uuid[], $2::bytea[], $3::text[]) as r(id, body, content_type) where t.id = r.id`;

async function writeResultsAndCallbacks(
  tx: SqlSession,
  settlements: readonly Settlement[],
  won: ReadonlySet<string>,
): Promise<void> {
  const ids: string[] = [];
  const bodies: (Buffer | null)[] = [];
  const types: (string | null)[] = [];
  const callbacks = [];
  for (const s of settlements) {
    if (!won.has(s.taskId)) continue;
    if (s.result) {
      ids.push(s.taskId);
      bodies.push(
        s.result.body === null
          ? null
          : Buffer.from(s.result.body.buffer, s.result.body.byteOffset, s.result.body.byteLength),
      );
      types.push(s.result.contentType);
    }
    if (s.callback) callbacks.push(s.callback);
  }
  if (ids.length > 0) await tx.execute(RESULTS_PG, [ids, bodies, types]);
  if (callbacks.length > 0) {
    const insert = buildTaskInsertBulk(callbacks);
    await tx.query(insert.text, insert.values);
  }
}
