import type { Clock } from '../clock.js';
import type { CronRepository } from '../db/cron.repository.js';
import type { Logger } from '../logger.js';
import type { CronFirer } from './cron-firer.js';
import { CATCH_UP_WINDOW_MS } from './fire-plan.js';

/** How often the (entry, fire time) records are pruned, and how many at once. */
const PRUNE_EVERY_MS = 60_000;
const PRUNE_BATCH = 5_000;
const PRUNE_ROUNDS = 20;
/** How soon to look again at an entry that is due but held by another scheduler's fire. */
const HELD_RETRY_MS = 50;
/** Beyond the catch-up window, so that a record is never pruned while its fire time could still fire. */
const PRUNE_MARGIN_MS = 60 * 60 * 1000;

export interface CronServiceDeps {
  firer: CronFirer;
  cron: CronRepository;
  clock: Clock;
  logger: Logger;
  /** The queues this scheduler's config has (cron-firer.ts): only their entries wake it. */
  queues: readonly string[];
  /** The longest sleep between looks (scheduler.pollInterval): entries created meanwhile are seen by then. */
  pollIntervalMs: number;
}

export interface CronService {
  /** Fires what is due, prunes when it is time; answers when it next needs to look. */
  runOnce(): Promise<Date>;
}

/**
 * One round of the scheduler's cron loop (run by its service loop, scheduler-cron.ts): fire what
 * is due, prune old fire records now and then, and answer when to look next: the earliest next
 * fire time or the poll interval, whichever comes first, so a fire time is reached within
 * milliseconds rather than up to a poll late.
 */
export function createCronService(deps: CronServiceDeps): CronService {
  const { clock, logger } = deps;
  let lastPrune = 0;

  async function runOnce(): Promise<Date> {
    await deps.firer.runOnce();
    const now = clock.now().getTime();
    if (now - lastPrune >= PRUNE_EVERY_MS) {
      lastPrune = now;
      // Batch after batch until one comes back short: many every-second entries write more than one
      // batch a minute. Bounded per round, so a huge backlog cannot hold up firing.
      const before = new Date(now - CATCH_UP_WINDOW_MS - PRUNE_MARGIN_MS);
      for (let round = 0; round < PRUNE_ROUNDS; round++)
        if ((await deps.cron.pruneFires(before, PRUNE_BATCH)) < PRUNE_BATCH) break;
    }
    const next = await deps.cron.nextDueAt(deps.queues);
    const at = clock.now().getTime();
    const limit = at + deps.pollIntervalMs;
    if (next === null) return new Date(limit);
    // Still due after a round: another scheduler holds it (its fire commits in milliseconds). Look
    // again shortly rather than at once, or this loop would spin on the same row until then.
    if (next.getTime() <= at) return new Date(Math.min(limit, at + HELD_RETRY_MS));
    return new Date(Math.min(limit, next.getTime()));
  }

  return { runOnce };
}
