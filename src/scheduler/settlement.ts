import type { Settlement } from '../db/dispatch.repository.js';
import { nextState } from '../machines/apply.js';
import type { TaskEvent } from '../machines/task.events.js';
import type { TaskRecord } from '../task.js';

/**
 * The settlement builder: how the end of an attempt becomes the one write that settles it. Both
 * writers of attempt outcomes build theirs here, the producer (decideOutcome, outcome.ts) and the
 * rescuer, so what an outcome writes is said once. Pure: no clock, no I/O.
 */
export type AttemptRecord = Settlement['record'];

/** An attempt's end, named: everything a settlement is built from. */
export interface SettlementInput {
  /** The task as claimed: its state, id and attempt number. */
  task: TaskRecord;
  /** The lease owner the compare-and-set expects. */
  owner: string;
  /** The machine's event; it decides the state. */
  event: TaskEvent;
  /** The attempt's row (its outcome included). */
  record: AttemptRecord;
  /** When the task is due again; null when it will not run again. */
  runAt: Date | null;
  /** Why the attempt did not complete the task (stored bounded); ignored for a completed one. */
  lastError: string | null;
}

/** The settlement, or undefined when the machine refuses the event from the task's state. */
export function buildSettlement(input: SettlementInput): Settlement | undefined {
  const { task, record } = input;
  const state = nextState(task.state, input.event);
  if (state === undefined) return undefined;
  return {
    taskId: task.id,
    attempt: task.attempt,
    owner: input.owner,
    state,
    // Numbers never go back; an interrupted attempt is given back through attempts_given_back.
    nextAttempt: task.attempt,
    runAt: input.runAt,
    // This attempt's status: null when it got none, so no older status is passed on as the previous one.
    lastStatus: record.status,
    lastError: record.outcome === 'completed' || input.lastError === null ? null : bounded(input.lastError),
    record,
  };
}

/** The longest `error` and `lastError` stored (a strategy's message may be anything). */
export const MAX_ERROR_CHARS = 1_024;

/** `text` cut to MAX_ERROR_CHARS: what every writer of an attempt's error or a lastError stores. */
export function bounded(text: string): string {
  return text.length <= MAX_ERROR_CHARS ? text : `${text.slice(0, MAX_ERROR_CHARS - 1)}\u2026`;
}
