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

/**
 * A wake-up of a paused queue asks for a read, and a paused queue that keeps receiving tasks keeps
 * waking: reads it asks for start at most this often, so a resume is seen within about this long
 * and a busy paused queue costs a few reads a second rather than one read after another.
 */
export const REREAD_SPACING_MS = 100;

export function createPauseFlags(deps: {
  queueStates: Pick<QueueStateRepository, 'pausedQueues'>;
  logger: Logger;
  onResumed(queue: string): void;
  now?: () => number;
}): PauseFlags {
  const now = deps.now ?? (() => performance.now());
  let paused = new Set<string>();
  let stopped = false;
  // Reads may overlap (the poll loop's and a wake-up's): each takes a ticket, and only a read newer
  // than the last one applied is applied, so an older read finishing last cannot re-pause a queue.
  let issued = 0;
  let applied = 0;
  let reading: Promise<void> | null = null;
  let readAgain = false;
  let lastStarted = -Infinity;
  let spacing: ReturnType<typeof setTimeout> | null = null;

  async function refresh(): Promise<void> {
    const ticket = ++issued;
    const read = await deps.queueStates.pausedQueues();
    if (ticket < applied) return;
    applied = ticket;
    const before = paused;
    paused = read;
    for (const name of before) if (!paused.has(name)) deps.onResumed(name);
  }

  function rereadSoon(): void {
    if (stopped || spacing) return;
    if (reading) {
      // The read under way may have started before the resume it is asked for committed.
      readAgain = true;
      return;
    }
    const wait = lastStarted + REREAD_SPACING_MS - now();
    if (wait > 0) {
      spacing = setTimeout(() => {
        spacing = null;
        rereadSoon();
      }, wait);
      return;
    }
    lastStarted = now();
    reading = refresh()
      .catch((error: unknown) => {
        deps.logger.warn(
          { err: error instanceof Error ? error.message : String(error) },
          'reading the pause flags failed; the next poll reads them',
        );
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
      if (spacing) clearTimeout(spacing);
      spacing = null;
      await reading;
    },
  };
}
