import type { Clock } from '../clock.js';
import type { ResolvedConfig } from '../config/load.js';
import { createCronEntries } from '../cron/cron-entries.js';
import { createCronFirer, type CronFireCounts } from '../cron/cron-firer.js';
import { configCronDefinitions } from '../cron/cron-queue-check.js';
import { createCronService } from '../cron/cron-service.js';
import { createCronRepository } from '../db/cron.repository.js';
import type { Orm } from '../db/orm.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { failpoint } from './failpoints.js';
import { createServiceLoop } from './service-loop.js';

export interface SchedulerCron {
  /** Writes the config's entries (once, at start), then fires due entries until stopped. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** One round of firing, for tests with an injected clock. */
  runOnce(): Promise<CronFireCounts[]>;
}

/**
 * Every scheduler fires cron entries: the due ones are shared through the database (no leader),
 * whichever queues this scheduler dispatches. Counts go to the metrics by entry name for config
 * entries (a bounded set) and together for API entries.
 */
export function createSchedulerCron(deps: {
  db: Orm;
  config: ResolvedConfig;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
}): SchedulerCron {
  const { db, config, clock, logger, metrics } = deps;
  const cron = createCronRepository(db);
  const count = (counts: CronFireCounts) => {
    const labels = { source: counts.source, entry: counts.source === 'config' ? counts.entry : '' };
    if (counts.fired > counts.caughtUp)
      metrics.cronFires.inc({ ...labels, result: 'fired' }, counts.fired - counts.caughtUp);
    if (counts.caughtUp > 0) metrics.cronFires.inc({ ...labels, result: 'caught_up' }, counts.caughtUp);
    if (counts.missed > 0) metrics.cronFires.inc({ ...labels, result: 'missed' }, counts.missed);
    if (counts.skipped > 0) metrics.cronFires.inc({ ...labels, result: 'skipped' }, counts.skipped);
  };
  const queues = Object.keys(config.queues);
  const firer = createCronFirer({
    cron,
    clock,
    logger,
    queues,
    onFired: count,
    beforeCommit: async () => failpoint('cron-before-commit'),
  });
  const service = createCronService({
    firer,
    cron,
    clock,
    logger,
    queues,
    pollIntervalMs: config.scheduler.pollInterval,
  });
  // Failures (a database outage) back off from the poll interval; the loop never stops on its own.
  const loop = createServiceLoop(
    'cron',
    config.scheduler.pollInterval,
    service.runOnce,
    logger,
    (nextLook) => nextLook.getTime() - clock.now().getTime(),
  );
  return {
    async start() {
      const definitions = configCronDefinitions(config.cron, config.queues, config.scheduler.leaseDuration);
      const { changed, orphaned } = await createCronEntries({ cron, clock }).syncConfig(definitions);
      if (changed.length > 0 || orphaned.length > 0)
        logger.info({ changed, orphaned }, 'cron entries from the config written');
      loop.start();
    },
    stop: () => loop.stop(),
    runOnce: () => firer.runOnce(),
  };
}
