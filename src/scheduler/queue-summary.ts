import type { Logger } from '../logger.js';
import type { SchedulerEvents } from './transition-log.js';

/**
 * The scheduler's default log: one line per queue every `log.summaryInterval` (10 s) instead of a
 * line per task. A line per task cost more than the request it described at a few thousand tasks a
 * second (pino serializing, the terminal or the log shipper reading), and nobody reads them at that
 * rate; the per-task lines are still there at `debug`. A queue with nothing to report in a window
 * prints nothing, so an idle scheduler stays quiet. Counts are per window, not totals: a window's
 * line says what happened in those seconds. A window with failures is logged at warn.
 */
export interface QueueCounts {
  /** Attempts whose outcome was recorded (each a request sent, or cut). */
  dispatched: number;
  completed: number;
  /** Attempts that will be tried again (their task is retryable). */
  retried: number;
  failed: number;
  /** Attempts cut by a shutdown or a lost heartbeat and given back (not spent). */
  interrupted: number;
  /** Tasks whose lease expired on a dead scheduler and that this one gave back or failed. */
  rescued: number;
  /** One failure of the window (the last), so a failing queue shows why without a line per task. */
  lastFailure?: { taskId: string; status: number | null; error?: string };
}

export interface QueueSummaryOptions {
  logger: Logger;
  intervalMs: number;
  /** The rate each queue's limiter enforces now (requests per second; null: no limit). */
  rateInForce(queue: string): number | null;
  /** Tasks this scheduler holds claimed and unsettled, per queue. */
  inFlight(queue: string): number;
}

export interface QueueSummary {
  /** Observers to add to the scheduler's events. */
  readonly events: SchedulerEvents;
  start(): void;
  /** Stops the timer and prints what the last window saw (a stop's last word). */
  stop(): void;
  /** Prints one line per queue that saw work since the last line, and starts a new window. */
  flush(): void;
}

const empty = (): QueueCounts => ({
  dispatched: 0,
  completed: 0,
  retried: 0,
  failed: 0,
  interrupted: 0,
  rescued: 0,
});

export function createQueueSummary(options: QueueSummaryOptions): QueueSummary {
  const { logger, intervalMs } = options;
  let window = new Map<string, QueueCounts>();
  let windowStart = Date.now();
  let timer: NodeJS.Timeout | null = null;
  const countsOf = (queue: string): QueueCounts => {
    let counts = window.get(queue);
    if (!counts) window.set(queue, (counts = empty()));
    return counts;
  };

  const events: SchedulerEvents = {
    onDecisions(queue, decisions) {
      const counts = countsOf(queue);
      counts.dispatched += decisions.length;
      for (const { settlement } of decisions) {
        if (settlement.state === 'completed') counts.completed += 1;
        else if (settlement.state === 'retryable') counts.retried += 1;
        else if (settlement.state === 'failed') {
          counts.failed += 1;
          counts.lastFailure = {
            taskId: settlement.taskId,
            status: settlement.record.status,
            ...(settlement.lastError ? { error: settlement.lastError } : {}),
          };
        } else counts.interrupted += 1;
      }
    },
    onRescued(tasks) {
      for (const task of tasks) countsOf(task.queue).rescued += 1;
    },
  };

  function flush(): void {
    const now = Date.now();
    const seconds = Math.max(0.001, (now - windowStart) / 1000);
    const lines = window;
    window = new Map();
    windowStart = now;
    for (const [queue, counts] of lines) {
      const rate = options.rateInForce(queue);
      // A window with failures is a warning: a deployment logging at warn still hears of them
      // (counted, with one example), as it heard of each one when failures had a line of their own.
      logger[counts.failed > 0 ? 'warn' : 'info'](
        {
          queue,
          windowSeconds: Math.round(seconds * 10) / 10,
          ...counts,
          perSecond: Math.round((counts.dispatched / seconds) * 10) / 10,
          inFlight: options.inFlight(queue),
          rateLimit: rate === null ? 'none' : rate,
        },
        'queue summary',
      );
    }
  }

  return {
    events,
    start() {
      if (intervalMs <= 0 || timer) return;
      windowStart = Date.now();
      timer = setInterval(flush, intervalMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
      if (intervalMs > 0) flush();
    },
    flush,
  };
}
