import type { Clock } from '../clock.js';
import type { ResolvedConfig } from '../config/load.js';
import type { DispatchRepository } from '../db/dispatch.repository.js';
import type { IdempotencyRepository } from '../db/idempotency.repository.js';
import type { Logger } from '../logger.js';

/**
 * Prunes what has outlived its keep: finished tasks past their retention (completed after
 * `retention.completed`, failed and cancelled after `retention.failed`; 0 keeps them forever), and
 * Idempotency-Key records past their 24-hour window (spec §4.4; nothing replays them any more);
 * and releases task keys whose finished holder's keyRetention has passed (spec 11.2).
 * In small batches with a pause between them, so pruning never holds locks long enough to slow
 * dispatch or creates. A run deletes at most MAX_BATCHES_PER_RUN batches of each kind; a backlog
 * larger than that goes in the runs that follow.
 */
const BATCH = 1000;
const MAX_BATCHES_PER_RUN = 50;
const PAUSE_BETWEEN_BATCHES_MS = 50;

export interface RetentionDeps {
  config: ResolvedConfig;
  repository: DispatchRepository;
  idempotency: Pick<IdempotencyRepository, 'pruneExpired'>;
  clock: Clock;
  logger: Logger;
}

export interface Pruned {
  tasks: number;
  idempotencyKeys: number;
}

/** Runs `deleteBatch` until a batch comes back short (or the cap): answers the rows deleted. */
async function inBatches(deleteBatch: (limit: number) => Promise<number>): Promise<number> {
  let total = 0;
  for (let i = 0; i < MAX_BATCHES_PER_RUN; i++) {
    const deleted = await deleteBatch(BATCH);
    total += deleted;
    if (deleted < BATCH) break;
    await new Promise((resolve) => setTimeout(resolve, PAUSE_BETWEEN_BATCHES_MS));
  }
  return total;
}

export function createRetention(deps: RetentionDeps) {
  return {
    async runOnce(): Promise<Pruned> {
      const { completed, failed } = deps.config.retention;
      const now = deps.clock.now();
      let tasks = 0;
      for (const [states, keepMs] of [
        [['completed'], completed],
        [['failed', 'cancelled'], failed],
      ] as const) {
        if (keepMs <= 0) continue;
        const before = new Date(now.getTime() - keepMs);
        tasks += await inBatches((limit) => deps.repository.pruneFinished(states, before, limit));
      }
      const idempotencyKeys = await inBatches((limit) => deps.idempotency.pruneExpired(now, limit));
      // Keys whose finished holder's keyRetention has passed (spec 11.2); a create would release each too.
      const keysReleased = await inBatches((limit) => deps.repository.releaseExpiredKeys(now, limit));
      if (keysReleased > 0) deps.logger.info({ released: keysReleased }, 'released task keys past their keyRetention');
      if (tasks > 0) deps.logger.info({ pruned: tasks }, 'pruned finished tasks past their retention');
      if (idempotencyKeys > 0)
        deps.logger.info({ pruned: idempotencyKeys }, 'pruned Idempotency-Key records past their window');
      return { tasks, idempotencyKeys };
    },
  };
}
