import { buildKeyUpsert } from '../db/drivers/postgresql/task-key-upsert.sql.js';
import { KEY_HOLDER_PREDICATE } from '../db/key-holder.sql.js';
import type { TaskInsertRow } from '../db/task-insert-row.js';
import { DispatchrError } from '../errors.js';
import type { SqlRunner } from './sql-runner.js';
import type { Deduplicated } from './types.js';

/**
 * `enqueueWithin()`'s write of one row, by its key mode (docs/spec.md 11.2): the statement the
 * recorder's repository runs for keyed rows (task-key-upsert.sql.ts), and the same answer to a
 * holder it met (the repository's task-keys.repository.ts, restated: the client may not import it).
 * A finished holder past its keyRetention is released and the row written after all.
 */
export interface WrittenRow {
  id: string;
  deduplicated: Deduplicated;
}

/**
 * The unfinished states, among which a dedup key is unique. Written out: the client may not import
 * the machine (xstate stays out of applications); test/unit/machines/transition-patch.test.ts holds
 * this list equal to the machine's.
 */
export const UNFINISHED_STATES_IN_CLIENT = ['scheduled', 'available', 'retryable', 'running'] as const;
const UNFINISHED: ReadonlySet<string> = new Set(UNFINISHED_STATES_IN_CLIENT);
const MAX_ROUNDS = 4;

export async function writeTaskRow(runner: SqlRunner, row: TaskInsertRow, now: Date): Promise<WrittenRow> {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const statement = buildKeyUpsert(row);
    const [written] = await runner.query(statement.text, statement.values);
    if (written) {
      const id = String(written.id);
      if (id === row.id) return { id, deduplicated: false };
      return { id, deduplicated: row.keyMode === 'debounce' ? 'debounced' : 'replaced' };
    }
    if (row.key === null) break;
    const [holder] = await runner.query(
      `select id, state, finalized_at, key_retention_ms from dispatchr_task where queue = $1 and dedup_key = $2 and ${KEY_HOLDER_PREDICATE}`,
      [row.queue, row.key],
    );
    if (holder) {
      const finalizedAt = holder.finalized_at === null ? null : new Date(holder.finalized_at as string | Date);
      const until = finalizedAt === null ? Infinity : finalizedAt.getTime() + Number(holder.key_retention_ms ?? 0);
      if (UNFINISHED.has(String(holder.state)) || until > now.getTime())
        return { id: String(holder.id), deduplicated: 'kept' };
      await runner.query(`update dispatchr_task set key_released = true where id = $1 and not key_released`, [
        holder.id,
      ]);
    }
  }
  throw new DispatchrError(
    'enqueue_failed',
    'the task was neither inserted nor answered by its key holder (its holder changed meanwhile?); retry',
    { status: 500, expose: false },
  );
}
