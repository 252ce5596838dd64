import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import { signalDue } from './due-signal.js';
import type { Orm } from './orm.js';
import { SqlParams } from './sql-session.js';

/**
 * Pause flags, one row per queue that was ever paused. The claim reads the flag itself (spec
 * §4.10), so a pause is in force for every scheduler the moment `setPaused` returns.
 */
export type QueueStateRepository = ReturnType<typeof createQueueStateRepository>;

export function createQueueStateRepository(db: Orm, clock: Clock = systemClock) {
  return {
    /**
     * In force for every scheduler when it returns: no claim after it takes a task of a paused
     * queue (the driver writes the flag so, and its claim reads it). A resume wakes the schedulers
     * of this process at once; the driver wakes those of other processes where the database can.
     */
    async setPaused(name: string, paused: boolean): Promise<void> {
      await db.driver.queries.setPaused(db.sql, name, paused, clock.now());
      if (!paused) signalDue([name]);
    },

    async pausedQueues(): Promise<Set<string>> {
      const p = new SqlParams(db.driver.placeholder);
      const rows = await db.sql.query<{ name: string }>(
        `select name from dispatchr_queue_state where paused = ${p.add(true)}`,
        p.values,
      );
      return new Set(rows.map((row) => String(row.name)));
    },
  };
}
