import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import { isUniqueViolation } from './db-errors.js';
import { signalDue } from './due-signal.js';
import type { Orm } from './orm.js';
import type { TaskFilter } from './task-filter.sql.js';
import type { RetryBatchRow } from './task-retry.sql.js';

/**
 * The bulk actions on every task a filter matches, server-side in batches, each batch one
 * statement (the driver's, see task-retry.sql.ts and task-cancel.sql.ts): the retry of finished
 * tasks and the cancel of waiting ones. Part of the task repository's surface
 * (createTaskRepository spreads it in). Both answer how many tasks they moved; `onBatch` hears the
 * running total after each batch (progress bars).
 */
export interface BulkOptions {
  batchSize?: number;
  onBatch?: (moved: number) => void;
}

/** Where the next batch starts: after the highest candidate this one took. */
const lastOf = (rows: readonly RetryBatchRow[]) =>
  rows
    .map((row) => String(row.last))
    .sort()
    .at(-1);

export function createBulkActions(db: Orm, clock: Clock = systemClock) {
  const { sql } = db;
  const { queries } = db.driver;
  return {
    /**
     * Bulk retry of failed/cancelled tasks matching `filter`. A batch that races a new task for a
     * dedup key fails on the unique index and is simply run again: the new holder is then seen
     * and skipped.
     */
    async retryMatching(filter: TaskFilter, options: BulkOptions = {}): Promise<number> {
      const limit = options.batchSize ?? 500;
      let afterId: string | undefined;
      let total = 0;
      for (;;) {
        let rows: RetryBatchRow[] = [];
        for (let round = 0; ; round++) {
          try {
            const batch = await queries.retryBatch(sql, { filter, afterId, limit, now: clock.now() });
            if (!batch) return total;
            rows = batch;
            break;
          } catch (error) {
            if (!isUniqueViolation(error) || round >= 2) throw error;
          }
        }
        if (rows.length === 0) return total;
        afterId = lastOf(rows);
        const retried = rows.filter((row) => row.id !== null);
        if (retried.length === 0) continue; // the dedup check skipped the whole batch
        total += retried.length;
        signalDue([...new Set(retried.map((row) => String(row.queue)))]);
        options.onBatch?.(total);
      }
    },

    /**
     * Bulk cancel of the waiting tasks (the states the machine cancels from) matching `filter`. A
     * task claimed between the batch's read and its write is left running, as a single cancel
     * would refuse it.
     */
    async cancelMatching(filter: TaskFilter, options: BulkOptions = {}): Promise<number> {
      const limit = options.batchSize ?? 500;
      let afterId: string | undefined;
      let total = 0;
      for (;;) {
        const rows = await queries.cancelBatch(sql, { filter, afterId, limit, now: clock.now() });
        if (!rows || rows.length === 0) return total;
        afterId = lastOf(rows);
        const cancelled = rows.filter((row) => row.id !== null).length;
        if (cancelled === 0) continue;
        total += cancelled;
        options.onBatch?.(total);
      }
    },
  };
}
