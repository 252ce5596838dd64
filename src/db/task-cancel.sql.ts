import { patchOf, sourcesOf, targetOf } from '../machines/transition-table.js';
import type { TaskState } from '../task.js';
import type { SqlParams } from './sql-session.js';
import { pickStates } from './task-filter.sql.js';
import type { RetryBatchRequest, RetryBatchRow } from './task-retry.sql.js';
import { patchSets, stateList } from './transition-patch.sql.js';

/**
 * One batch of a bulk cancel as one UPDATE: a compare-and-set like a single cancel (the outer WHERE
 * re-checks the state, so a task claimed meanwhile is left to run), with the machine's cancel
 * patch. Which states a cancel leaves and where it leads are read off the machine, as the bulk
 * retry does. Tasks are taken in id order after `afterId`, like the retry's batches; a cancel
 * makes no task unfinished, so no dedup key can clash and there is no dedup check.
 */
export type CancelBatchRequest = RetryBatchRequest;

/** As a retry batch's row: a cancelled task (null when none of the candidates was), and where the next batch starts. */
export type CancelBatchRow = RetryBatchRow;

export function cancellableSources(): { from: TaskState[]; to: TaskState } {
  const from = sourcesOf('cancel');
  const targets = new Set(from.map((state) => targetOf(state, { type: 'cancel' })!));
  if (targets.size !== 1) throw new Error('cancel leads to more than one state; the bulk cancel assumes one');
  return { from, to: [...targets][0] };
}

export interface CancelBatchParts {
  /** The cancellable states the filter names (never empty). */
  states: TaskState[];
  /** `states` as a list of literals. */
  cancellable: string;
  /** The SET clauses: the machine's cancel patch (placeholders added first, in text order). */
  sets: string;
}

/** The parts of a batch, or null when the filter names no state a cancel starts from. */
export function cancelBatchParts(request: CancelBatchRequest, p: SqlParams): CancelBatchParts | null {
  const { from, to } = cancellableSources();
  const states = pickStates(request.filter, from);
  if (states.length === 0) return null;
  const sets = patchSets(to, patchOf({ type: 'cancel' }), { now: request.now }, p).join(', ');
  return { states, cancellable: stateList(states), sets };
}

/**
 * The cancel of a running task (spec 11.6): a compare-and-set on (id, running, attempt, lease
 * owner) like the settle's, whose loser is the cancel (the attempt settled first: the caller reads
 * the state that won). The attempt in flight ends on the row as `cancelled`, with no status; the
 * lease stays with its holder (the machine's cancel.running patch) until it acknowledges.
 */
export interface CancelRunningRequest {
  id: string;
  attempt: number;
  /** The holder the compare-and-set expects. */
  owner: string;
  /** When the attempt started (attempted_at). */
  startedAt: Date;
  now: Date;
}

/** The final attempt's error and the task's last_error. */
export const CANCELLED_WHILE_RUNNING = 'cancelled while its request was in flight';

/** The UPDATE of a cancel.running, without RETURNING (each driver adds its own). */
export function cancelRunningUpdate(request: CancelRunningRequest, p: SqlParams): string {
  const { id, attempt, owner, startedAt, now } = request;
  const event = { type: 'cancel.running' } as const;
  const [from] = sourcesOf(event.type);
  const to = targetOf(from, event)!;
  const patch = patchOf(event);
  // Written by hand (a final attempt is no patchSets output); machine-drift.test.ts holds it to the patch.
  if (patch.lease !== 'keep' || patch.finalAttempt !== 'set' || patch.finalized !== 'set') {
    throw new Error('the cancel.running patch changed: update cancelRunningUpdate');
  }
  const sets = [
    `state = ${p.add(to)}`,
    'last_status = null',
    `last_error = ${p.add(CANCELLED_WHILE_RUNNING)}`,
    `finalized_at = ${p.add(now)}`,
    `final_started_at = ${p.add(startedAt)}`,
    `final_finished_at = ${p.add(now)}`,
    'final_status = null',
    `final_outcome = ${p.add('cancelled')}`,
    `final_duration_ms = ${p.add(Math.max(0, now.getTime() - startedAt.getTime()))}`,
    `final_error = ${p.add(CANCELLED_WHILE_RUNNING)}`,
    'final_excerpt = null',
    `updated_at = ${p.add(now)}`,
  ];
  return `update dispatchr_task set ${sets.join(', ')}
    where id = ${p.add(id)} and state = ${p.add(from)} and attempt = ${p.add(attempt)} and lease_owner = ${p.add(owner)}`;
}

/**
 * The holder's acknowledgement (cancel.acknowledged): its settle lost to a cancel, so it gives the
 * lease up. Only its own lease, only on a cancelled row: nothing else about the task changes.
 */
export function acknowledgeCancelUpdate(ids: readonly string[], owner: string, now: Date, p: SqlParams): string {
  const event = { type: 'cancel.acknowledged' } as const;
  const [from] = sourcesOf(event.type);
  const sets = patchSets(targetOf(from, event)!, patchOf(event), { now }, p);
  return `update dispatchr_task set ${sets.join(', ')}
    where id in (${ids.map((id) => p.add(id)).join(', ')}) and state = ${p.add(from)} and lease_owner = ${p.add(owner)}`;
}
