import type { Clock } from '../clock.js';
import { FENCE_INTERVALS, type SchedulerRates, type SchedulerRegistry } from '../db/scheduler-registry.repository.js';
import type { Logger } from '../logger.js';

/**
 * Keeps this scheduler registered as alive. Other schedulers rescue the leases of one whose
 * heartbeat is older than DEAD_AFTER_INTERVALS intervals, so a scheduler that cannot write its
 * heartbeat for FENCE_INTERVALS intervals fences itself first: it aborts its requests in flight and
 * stops claiming until a heartbeat succeeds again. That keeps early rescue from widening the window
 * in which a task could be sent twice.
 *
 * Silence is measured on the timer, not only when a write fails: on a half-open connection a write
 * neither fails nor returns, and the scheduler must fence itself all the same. And silence is
 * measured from the time a successful write *recorded* (what the other schedulers see), not from
 * when it returned: a write stuck for a while records an old time, and unfencing on its late
 * success would let this scheduler claim while the others already count it as dead.
 *
 * Each heartbeat also records the rate this scheduler enforces per queue, read at the time of the
 * write: the recorder shows the rate in force from there (spec 4.10), as the two meet only in the
 * database.
 */
export { FENCE_INTERVALS, DEAD_AFTER_INTERVALS } from '../db/scheduler-registry.repository.js';

export interface HeartbeatDeps {
  registry: SchedulerRegistry;
  id: string;
  queues: string[];
  startedAt: Date;
  intervalMs: number;
  /** Per served queue, the dispatches per second this scheduler enforces now; null: unlimited. */
  rates?: () => SchedulerRates;
  clock: Clock;
  logger: Logger;
  onFenced(): void;
  onRestored(): void;
}

export function createHeartbeat(deps: HeartbeatDeps) {
  let timer: NodeJS.Timeout | undefined;
  /** The heartbeat time last recorded in the database (or start-up, before the first write). */
  let recordedAt = deps.clock.now().getTime();
  let fenced = false;
  let pending: Promise<boolean> | null = null;
  let pendingSince = 0;
  const fenceAfterMs = FENCE_INTERVALS * deps.intervalMs;

  const silentMs = () => deps.clock.now().getTime() - recordedAt;

  function fenceIfSilent(): void {
    const silent = silentMs();
    if (fenced || silent < fenceAfterMs) return;
    fenced = true;
    deps.logger.error(
      { silentMs: silent },
      'no heartbeat for three intervals: aborting requests in flight and pausing claims',
    );
    deps.onFenced();
  }

  async function beat(): Promise<boolean> {
    const at = deps.clock.now();
    try {
      await deps.registry.heartbeat({
        id: deps.id,
        queues: deps.queues,
        startedAt: deps.startedAt,
        at,
        rates: deps.rates?.(),
      });
      recordedAt = Math.max(recordedAt, at.getTime());
      if (fenced && silentMs() < fenceAfterMs) {
        fenced = false;
        deps.logger.info('heartbeat restored; claiming again');
        deps.onRestored();
      }
      return true;
    } catch (error) {
      deps.logger.warn({ err: (error as Error).message, silentMs: silentMs() }, 'heartbeat failed');
      fenceIfSilent();
      return false;
    }
  }

  function tick(): void {
    if (pending && deps.clock.now().getTime() - pendingSince < fenceAfterMs) {
      // The previous write has not returned (a stalled connection): no second one on top of it yet.
      deps.logger.warn({ silentMs: silentMs() }, 'heartbeat write still pending');
      fenceIfSilent();
      return;
    }
    if (pending) {
      // Stuck for three intervals: that connection may never answer (a peer gone without a reset).
      // Write again beside it; heartbeat times only move forward in the database, so the stuck
      // write landing late cannot make this scheduler look older than it is.
      deps.logger.warn({ silentMs: silentMs() }, 'heartbeat write stuck; writing again');
      fenceIfSilent();
    }
    pendingSince = deps.clock.now().getTime();
    const current: Promise<boolean> = beat().finally(() => {
      if (pending === current) pending = null;
    });
    pending = current;
  }

  return {
    get fenced() {
      return fenced;
    },
    beat,
    start() {
      timer = setInterval(tick, deps.intervalMs);
      timer.unref();
    },
    async stop(deregister: boolean) {
      clearInterval(timer);
      if (deregister) await deps.registry.deregister(deps.id).catch(() => undefined);
    },
  };
}
