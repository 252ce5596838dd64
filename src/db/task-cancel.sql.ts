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
