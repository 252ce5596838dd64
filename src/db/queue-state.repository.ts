import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import { QueueStateEntity } from './entities/queue-state.entity.js';
import type { Orm } from './orm.js';

/** Pause flags: rarely written, so this goes through the ORM rather than raw SQL. */
export type QueueStateRepository = ReturnType<typeof createQueueStateRepository>;

export function createQueueStateRepository(db: Orm, clock: Clock = systemClock) {
  return {
    async setPaused(name: string, paused: boolean): Promise<void> {
      const em = db.orm.em.fork();
      await em.upsert(QueueStateEntity, { name, paused, updatedAt: clock.now() });
    },

    async pausedQueues(): Promise<Set<string>> {
      const em = db.orm.em.fork();
      const rows = await em.find(QueueStateEntity, { paused: true });
      return new Set(rows.map((row) => row.name));
    },
  };
}
