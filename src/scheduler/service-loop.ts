import { backoffMs } from '../backoff.js';
import type { Logger } from '../logger.js';

/**
 * A named background loop: run, wait, repeat. Errors are caught, logged and followed by a capped
 * backoff; the loop never dies silently and never spins.
 */
export interface ServiceLoop {
  start(): void;
  stop(): Promise<void>;
}

export function createServiceLoop<T>(
  name: string,
  intervalMs: number,
  body: () => Promise<T>,
  logger: Logger,
  /** How long to wait after a round that succeeded (default intervalMs); failures back off from intervalMs. */
  nextDelayMs: (result: T) => number = () => intervalMs,
): ServiceLoop {
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let current: Promise<void> | null = null;
  let failures = 0;

  const schedule = (ms: number) => {
    if (!running) return;
    timer = setTimeout(tick, ms);
    timer.unref();
  };
  function tick() {
    current = body()
      .then((result) => {
        failures = 0;
        schedule(Math.max(0, nextDelayMs(result)));
      })
      .catch((error: unknown) => {
        failures += 1;
        const backoff = backoffMs(failures, { baseMs: intervalMs, maxMs: 30_000, maxDoublings: 5 });
        logger.warn(
          { loop: name, err: error instanceof Error ? error.message : String(error), retryInMs: backoff },
          `${name} failed; retrying`,
        );
        schedule(backoff);
      });
  }
  return {
    start() {
      if (running) return;
      running = true;
      schedule(0);
    },
    async stop() {
      running = false;
      clearTimeout(timer);
      await current?.catch(() => undefined);
    },
  };
}
