import type { Clock } from '../clock.js';
import type { ResolvedConfig } from '../config/load.js';
import type { DispatchRepository } from '../db/dispatch.repository.js';
import type { Logger } from '../logger.js';

/**
 * Prunes finished tasks past their retention (completed after `retention.completed`, failed and
 * cancelled after `retention.failed`; 0 keeps them forever) in small batches with a pause between
 * them, so pruning never holds locks long enough to slow dispatch.
 */
const BATCH = 1000;
const MAX_BATCHES_PER_RUN = 50;

export function createRetention(deps: { config: ResolvedConfig; repository: DispatchRepository; clock: Clock; logger: Logger }) {
  return {
    async runOnce(): Promise<number> {
      const { completed, failed } = deps.config.retention;
      let total = 0;
      for (const [states, keepMs] of [
        [['completed'], completed],
        [['failed', 'cancelled'], failed],
      ] as const) {
        if (keepMs <= 0) continue;
        const before = new Date(deps.clock.now().getTime() - keepMs);
        for (let i = 0; i < MAX_BATCHES_PER_RUN; i++) {
          const deleted = await deps.repository.pruneFinished(states, before, BATCH);
          total += deleted;
          if (deleted < BATCH) break;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
      if (total > 0) deps.logger.info({ pruned: total }, 'pruned finished tasks past their retention');
      return total;
    },
  };
}
