import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import { signalDue } from './due-signal.js';
import type { Orm } from './orm.js';
import { SqlParams } from './sql-session.js';

/**
 * A row per queue: its pause flag, and its `defaultPriority` as the config last written said. The
 * claim reads the flag itself (spec §4.10), so a pause is in force for every scheduler the moment
 * `setPaused` returns.
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

    /**
     * The queues' `defaultPriority` from config into their rows, for writers that cannot see the
     * config (enqueueWithin): an insert without a priority takes its queue's stored default (spec
     * 11.1). Written by every scheduler and recorder as it starts; rows already holding the value
     * are not rewritten. The pause flag is left as it is.
     */
    async recordDefaults(queues: Readonly<Record<string, { defaultPriority: number }>>): Promise<void> {
      const entries = Object.entries(queues);
      if (entries.length === 0) return;
      const p = new SqlParams(db.driver.placeholder);
      const now = clock.now();
      const rows = entries.map(
        ([name, queue]) => `(${p.add(name)}, ${p.add(false)}, ${p.add(queue.defaultPriority)}, ${p.add(now)})`,
      );
      await db.sql.execute(
        `insert into dispatchr_queue_state (name, paused, default_priority, updated_at) values ${rows.join(', ')}
         on conflict (name) do update set default_priority = excluded.default_priority, updated_at = excluded.updated_at
         where dispatchr_queue_state.default_priority <> excluded.default_priority`,
        p.values,
      );
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
