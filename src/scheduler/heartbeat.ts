import type { Clock } from '../clock.js';
import { FENCE_INTERVALS, type SchedulerRegistry } from '../db/scheduler-registry.repository.js';
import type { Logger } from '../logger.js';

/**
 * Keeps this scheduler registered as alive. Other schedulers rescue the leases of one whose
 * heartbeat is older than `FENCE_INTERVALS + 1` intervals, so a scheduler that cannot write its
 * heartbeat for FENCE_INTERVALS intervals fences itself first: it aborts its requests in flight and
 * stops claiming until a heartbeat succeeds again. That keeps early rescue from widening the window
 * in which a task could be sent twice.
 */
export { FENCE_INTERVALS, DEAD_AFTER_INTERVALS } from '../db/scheduler-registry.repository.js';

export interface HeartbeatDeps {
  registry: SchedulerRegistry;
  id: string;
  queues: string[];
  startedAt: Date;
  intervalMs: number;
  clock: Clock;
  logger: Logger;
  onFenced(): void;
  onRestored(): void;
}

export function createHeartbeat(deps: HeartbeatDeps) {
  let timer: NodeJS.Timeout | undefined;
  let lastSuccess = deps.clock.now().getTime();
  let fenced = false;

  async function beat(): Promise<boolean> {
    try {
      await deps.registry.heartbeat({ id: deps.id, queues: deps.queues, startedAt: deps.startedAt });
      lastSuccess = deps.clock.now().getTime();
      if (fenced) {
        fenced = false;
        deps.logger.info('heartbeat restored; claiming again');
        deps.onRestored();
      }
      return true;
    } catch (error) {
      const silentMs = deps.clock.now().getTime() - lastSuccess;
      deps.logger.warn({ err: (error as Error).message, silentMs }, 'heartbeat failed');
      if (!fenced && silentMs >= FENCE_INTERVALS * deps.intervalMs) {
        fenced = true;
        deps.logger.error({ silentMs }, 'no heartbeat for three intervals: aborting requests in flight and pausing claims');
        deps.onFenced();
      }
      return false;
    }
  }

  return {
    get fenced() {
      return fenced;
    },
    beat,
    start() {
      timer = setInterval(() => void beat(), deps.intervalMs);
      timer.unref();
    },
    async stop(deregister: boolean) {
      clearInterval(timer);
      if (deregister) await deps.registry.deregister(deps.id).catch(() => undefined);
    },
  };
}
