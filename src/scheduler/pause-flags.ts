import type { QueueStateRepository } from '../db/queue-state.repository.js';
import type { Logger } from '../logger.js';

/**
 * The pause flags as a scheduler last read them: loops of a queue held here as paused do not
 * claim. Only a saving of claims: the claim itself refuses a paused queue (spec §4.10), so a pause
 * is exact however old this copy is. What it must not do is hold a resumed queue back, so a queue
 * found resumed is woken at once (`onResumed`), and a wake-up of a queue held as paused asks for a
 * fresh read (a resume signals the queue's due channel) rather than being dropped.
 */
export interface PauseFlags {
  has(queue: string): boolean;
  /** Reads the flags now (the poll loop, `runOnce`). */
  refresh(): Promise<void>;
  /** Reads them soon: one read at a time, plus one after it when asked meanwhile. */
  rereadSoon(): void;
  /** Stops further reads; resolves when the read under way has ended. */
  stop(): Promise<void>;
}

export function createPauseFlags(deps: { queueStates: Pick<QueueStateRepository, 'pausedQueues'>; logger: Logger; onResumed(queue: string): void }): PauseFlags {
  let paused = new Set<string>();
  let stopped = false;
  let reading: Promise<void> | null = null;
  let readAgain = false;

  async function refresh(): Promise<void> {
    const before = paused;
    paused = await deps.queueStates.pausedQueues();
    for (const name of before) if (!paused.has(name)) deps.onResumed(name);
  }

  function rereadSoon(): void {
    if (stopped) return;
    if (reading) {
      // The read under way may have started before the resume it is asked for committed.
      readAgain = true;
      return;
    }
    reading = refresh()
      .catch((error: unknown) => {
        deps.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'reading the pause flags failed; the next poll reads them');
      })
      .finally(() => {
        reading = null;
        if (readAgain) {
          readAgain = false;
          rereadSoon();
        }
      });
  }

  return {
    has: (queue) => paused.has(queue),
    refresh,
    rereadSoon,
    async stop() {
      stopped = true;
      await reading;
    },
  };
}
