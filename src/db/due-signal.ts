import { EventEmitter } from 'node:events';

/**
 * In-process wake-ups: the repository emits a queue's name after committing tasks that are due now,
 * so a scheduler in the same process (the SQLite quickstart, `schedule --with-recorder`) starts at
 * once instead of at its next poll. Across processes PostgreSQL's NOTIFY does the same; polling
 * stays the fallback for both.
 */
export const dueSignal = new EventEmitter();
dueSignal.setMaxListeners(0);

export const DUE_EVENT = 'due';

/**
 * PostgreSQL's channel for the same: the `dispatchr_due` trigger (migration 0001) and a resume
 * (queue-state.repository.ts) NOTIFY it with the queue's name; the scheduler's notifier LISTENs.
 */
export const DUE_CHANNEL = 'dispatchr_due';

export function signalDue(queues: Iterable<string>): void {
  for (const queue of new Set(queues)) dueSignal.emit(DUE_EVENT, queue);
}
