import { patchOf, sourcesOf, targetOf } from '../machines/transition-table.js';
import type { TaskState } from '../task.js';
import { KEY_HOLDER_PREDICATE } from './key-holder.sql.js';
import type { SqlParams } from './sql-session.js';
import { pickStates, type TaskFilter } from './task-filter.sql.js';
import { patchSets, stateList } from './transition-patch.sql.js';

/**
 * One batch of a bulk retry as one UPDATE: a compare-and-set like a single retry (the outer WHERE
 * re-checks the state, so a task someone else moved meanwhile is left alone), with the same patch
 * as `applyEvent(retry)`, the machine's: fresh budget, due now, history kept.
 *
 * Which states a retry leaves and where it leads are read off the machine, as the claim does.
 * Tasks are taken in id order after `afterId`, so a task retried, failed again and matching again
 * is not taken twice in one run. A task whose dedup key another task holds (unfinished, or
 * finished and still reserving it, migration 0018; unqualified, the index's term binds to `o`) is skipped
 * (retrying it would break the key's uniqueness), and of several retryable tasks sharing a key only
 * the newest is taken: each a lookup by (queue, dedup_key), in the unique index of unfinished keys
 * and in migration 0008's index of retryable ones (whose WHERE term the check repeats, for SQLite).
 */
/**
 * The WHERE term of migration 0008's index of retryable tasks by (queue, dedup_key, id), as that
 * migration writes it: the dedup check repeats it so SQLite uses the partial index. It must name
 * exactly the machine's retry sources, or a task in a missing state would drop out of the check
 * (task.machine.test.ts holds them together); changing it needs a new migration, since the index
 * of a database already migrated keeps the old term.
 */
export const RETRY_DEDUP_INDEX_STATES = "state in ('failed','cancelled')";

export function retryableSources(): { from: TaskState[]; to: TaskState } {
  const from = sourcesOf('retry');
  const targets = new Set(from.map((state) => targetOf(state, { type: 'retry' })!));
  if (targets.size !== 1) throw new Error('retry leads to more than one state; the bulk retry assumes one');
  return { from, to: [...targets][0] };
}

export interface RetryBatchRequest {
  filter: TaskFilter;
  afterId?: string;
  limit: number;
  now: Date;
}

/**
 * A row of a retry batch's answer: a retried task (null when the dedup check skipped every
 * candidate), and `last`, where the next batch starts. No rows: nothing was left to take.
 */
export interface RetryBatchRow {
  id: string | null;
  queue: string | null;
  last: string;
}

/** What every driver's retry batch is made of: the states it takes, the patch, the dedup check. */
export interface RetryBatchParts {
  /** The retryable states the filter names (never empty). */
  states: TaskState[];
  /** `states` as a list of literals. */
  retryable: string;
  /** The SET clauses: the machine's retry patch (placeholders added first, in text order). */
  sets: string;
  /** On the alias `t`: its dedup key is free, and no newer retryable task shares it. */
  dedup: string;
}

/** The parts of a batch, or null when the filter names no retryable state. */
export function retryBatchParts(request: RetryBatchRequest, p: SqlParams): RetryBatchParts | null {
  const { from, to } = retryableSources();
  const states = pickStates(request.filter, from);
  if (states.length === 0) return null;
  const retryable = stateList(states);
  const sets = patchSets(to, patchOf({ type: 'retry' }), { now: request.now }, p).join(', ');
  const dedup = `(t.dedup_key is null or (
      not exists (select 1 from dispatchr_task o where o.queue = t.queue and o.dedup_key = t.dedup_key and ${KEY_HOLDER_PREDICATE} and o.id <> t.id)
      and not exists (select 1 from dispatchr_task n where n.queue = t.queue and n.dedup_key = t.dedup_key and n.${RETRY_DEDUP_INDEX_STATES} and n.state in (${retryable}) and n.id > t.id)))`;
  return { states, retryable, sets, dedup };
}

/**
 * On the alias `t`: no scheduler holds the task's lease any more (a running task cancelled keeps
 * it until its holder acknowledges or it expires, spec 11.6), so a retry never puts a second
 * request of one task in flight. Its placeholder is added when called: call it in text order.
 */
export function leaseReleased(now: Date, p: SqlParams): string {
  return `(t.lease_owner is null or t.lease_expires_at <= ${p.add(now)})`;
}
