import type { Clock } from '../clock.js';
import type { ResolvedConfig } from '../config/load.js';
import type { SchedulerRegistry } from '../db/scheduler-registry.repository.js';
import type { Logger } from '../logger.js';
import type { PauseFlags } from './pause-flags.js';
import type { Producer } from './producer.js';
import { createServiceLoop, type ServiceLoop } from './service-loop.js';

/** Dead schedulers stay in the registry (listed as dead) this long, then are forgotten. */
const SILENT_SCHEDULER_KEPT_MS = 24 * 60 * 60 * 1000;

export interface SchedulerLoopsDeps {
  config: ResolvedConfig;
  rescuer: { runOnce(): Promise<unknown> };
  retention: { runOnce(): Promise<unknown> };
  paused: PauseFlags;
  /** Counts the live schedulers again (scheduler-peers.ts). */
  refreshPeers(): Promise<void>;
  registry: SchedulerRegistry;
  clock: Clock;
  logger: Logger;
}

/**
 * A scheduler's background work besides its producers, each a service loop: the rescuer (several
 * times per lease), the paused queues' flags, the count of live schedulers, and retention with
 * the pruning of long-silent schedulers.
 */
export function createSchedulerLoops(deps: SchedulerLoopsDeps): ServiceLoop[] {
  const { config, clock, logger } = deps;
  const leaseMs = config.scheduler.leaseDuration;
  return [
    createServiceLoop(
      'rescuer',
      Math.min(Math.max(1_000, config.scheduler.heartbeatInterval), leaseMs / 4),
      () => deps.rescuer.runOnce(),
      logger,
    ),
    createServiceLoop('queue-state', config.scheduler.pollInterval, () => deps.paused.refresh(), logger),
    createServiceLoop('schedulers', config.scheduler.heartbeatInterval, deps.refreshPeers, logger),
    createServiceLoop(
      'retention',
      60_000,
      async () => {
        await deps.retention.runOnce();
        await deps.registry.pruneSilent(
          new Date(clock.now().getTime() - Math.max(SILENT_SCHEDULER_KEPT_MS, 2 * leaseMs)),
        );
      },
      logger,
    ),
  ];
}

/**
 * Where a wake-up goes: a queue's name wakes its producer (or, while it is paused, rereads the
 * flags: a resume signals the due channel too); null (after a reconnect, when notifications may
 * have been missed) wakes every producer and rereads the flags.
 */
export function routeWakeUp(
  producers: ReadonlyMap<string, Producer>,
  paused: PauseFlags,
): (queue: string | null) => void {
  return (queue) => {
    if (queue === null) {
      producers.forEach((producer) => producer.wakeAll());
      paused.rereadSoon(); // after a reconnect: a resume may be among the notifications missed
    } else if (paused.has(queue)) {
      paused.rereadSoon(); // a resume signals the due channel: the read wakes the queue
    } else {
      producers.get(queue)?.wake();
    }
  };
}
