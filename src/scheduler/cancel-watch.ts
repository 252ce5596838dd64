import type { Clock } from '../clock.js';
import type { CancelRunningRepository } from '../db/cancel-running.repository.js';
import type { Logger } from '../logger.js';
import type { TaskRecord } from '../task.js';
import type { DispatchPool } from '../workers/pool.js';
import { errorText } from './producer-deps.js';
import { createServiceLoop, type ServiceLoop } from './service-loop.js';

/**
 * The holder's side of cancelling a running task (spec 11.6). It knows which attempts this
 * scheduler has in flight; when one of their tasks is cancelled it cuts just that request through
 * the pool (the way a fenced scheduler cuts all of its own). It hears of a cancel at once where the
 * database NOTIFYs (`onCancelled`), and otherwise polls the ids in flight every poll interval.
 * After the cut, the settle loses its compare-and-set to the cancel, and `acknowledge` gives the
 * lease up: no retry and no failure is counted.
 */
export interface CancelWatch {
  /** These claimed attempts are being sent now. */
  track(tasks: readonly TaskRecord[]): void;
  /** …and are no longer (their results are in). */
  untrack(tasks: readonly TaskRecord[]): void;
  /** A cancel was heard (NOTIFY's payload: the task's id); cut it if it is in flight here. */
  onCancelled(taskId: string): void;
  /** Whether a tracked task was cancelled (checked just before sending, for a cancel heard since its claim). */
  wasCancelled(taskId: string): boolean;
  /** One poll: cuts the attempts in flight whose tasks were cancelled meanwhile; answers how many. */
  poll(): Promise<number>;
  /** Gives up this scheduler's leases of these tasks where a cancel won their settle. */
  acknowledge(taskIds: readonly string[]): Promise<void>;
  /** Polls every `pollIntervalMs` while `needsPolling()` (no NOTIFY connection), else idles. */
  readonly loop: ServiceLoop;
}

export interface CancelWatchDeps {
  repository: CancelRunningRepository;
  pool: DispatchPool;
  /** This scheduler's id: the lease owner it acknowledges as. */
  owner: string;
  clock: Clock;
  logger: Logger;
  pollIntervalMs: number;
  /** True while no NOTIFY tells of cancels (SQLite, or PostgreSQL's LISTEN connection lost). */
  needsPolling(): boolean;
}

/** How long a cancel heard before its task was tracked still cuts it, and how many such are kept. */
const EARLY_CANCEL_MS = 5_000;
const EARLY_CANCEL_LIMIT = 10_000;

export function createCancelWatch(deps: CancelWatchDeps): CancelWatch {
  const { repository, pool, logger } = deps;
  /** Task id → the attempt number in flight. */
  const inFlight = new Map<string, number>();
  /** Whether the last round polled: the round after NOTIFY comes back polls once more, for cancels made meanwhile. */
  let polledLast = false;
  /** Tracked tasks whose cancel was heard. */
  const cancelled = new Set<string>();
  /**
   * Cancels heard for tasks not tracked (yet): a NOTIFY can overtake the claim's own answer, and a
   * task is tracked only once its batch is being sent. Kept for EARLY_CANCEL_MS, long enough for
   * that gap and short enough that a later attempt of the task (after the lease is given up and
   * the task retried) is not cut by it. Most ids here are other schedulers' tasks.
   */
  const heardEarly = new Map<string, number>();

  const cut = (taskId: string): boolean => {
    const attempt = inFlight.get(taskId);
    // Not here, or cut already (a poll sees it again until its result is in).
    if (attempt === undefined || cancelled.has(taskId)) return false;
    logger.info({ taskId, attempt }, 'task cancelled while running; cutting its request');
    cancelled.add(taskId);
    pool.cancel(taskId, attempt);
    return true;
  };

  const watch: CancelWatch = {
    track(tasks) {
      for (const task of tasks) inFlight.set(task.id, task.attempt);
      if (heardEarly.size === 0) return;
      const now = Date.now();
      for (const task of tasks) {
        const heardAt = heardEarly.get(task.id);
        if (heardAt === undefined) continue;
        heardEarly.delete(task.id);
        if (now - heardAt <= EARLY_CANCEL_MS) cut(task.id);
      }
    },
    untrack(tasks) {
      for (const task of tasks) {
        if (inFlight.get(task.id) !== task.attempt) continue;
        inFlight.delete(task.id);
        cancelled.delete(task.id);
      }
    },
    onCancelled(taskId) {
      if (inFlight.has(taskId)) {
        cut(taskId);
        return;
      }
      const now = Date.now();
      if (heardEarly.size >= EARLY_CANCEL_LIMIT)
        for (const [id, heardAt] of heardEarly) if (now - heardAt > EARLY_CANCEL_MS) heardEarly.delete(id);
      if (heardEarly.size < EARLY_CANCEL_LIMIT) heardEarly.set(taskId, now);
    },
    wasCancelled(taskId) {
      return cancelled.size > 0 && cancelled.has(taskId);
    },
    async poll() {
      if (inFlight.size === 0) return 0;
      const found = await repository.cancelledAmong([...inFlight.keys()]);
      return found.filter(cut).length;
    },
    async acknowledge(taskIds) {
      try {
        await repository.acknowledge(taskIds, deps.owner, deps.clock.now());
      } catch (error) {
        // The lease then runs out on its own: a retry waits until then, nothing worse.
        logger.warn(
          { tasks: taskIds.length, err: errorText(error) },
          'could not give up the leases of cancelled tasks',
        );
      }
    },
    loop: createServiceLoop(
      'cancel-watch',
      deps.pollIntervalMs,
      async () => {
        const polling = deps.needsPolling();
        const poll = polling || polledLast;
        polledLast = polling;
        return poll ? watch.poll() : 0;
      },
      logger,
    ),
  };
  return watch;
}
