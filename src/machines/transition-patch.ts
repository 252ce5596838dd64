import type { TransitionKey } from './transition-table.js';

/**
 * What a transition writes besides the state, as data: one patch per transition key (an event, or a
 * budgeted event with its budget). Every writer of task rows takes its patch from here, or is held
 * to it by test/integration/machine-drift.test.ts. `updated_at` is set to the write's time by every
 * transition and is not declared.
 *
 * - `given`: a value the writer receives (the claim's lease, the settlement's runAt, status, error).
 * - `history` (finalAttempt): the reopen trigger of migration 0005 moves the row's final attempt
 *   into dispatchr_attempt and clears the columns; the writer must not write them, or the
 *   trigger's WHEN (new.final_outcome is not null) would not fire.
 */
export interface TransitionPatch {
  /** The attempt number: +1 when an attempt starts, 0 when a manual retry starts a fresh budget. */
  attempt: 'increment' | 'reset' | 'keep';
  /** Interrupted attempts given back (not counted against maxAttempts). */
  attemptsGivenBack: 'increment' | 'reset' | 'keep';
  runAt: 'now' | 'given' | 'keep';
  /**
   * lease_owner and lease_expires_at. `keep`: a running task cancelled keeps its holder's lease until
   * the holder acknowledges (cancel.acknowledged) or it expires, so no retry sends it twice at once.
   */
  lease: 'set' | 'clear' | 'keep';
  attemptedAt: 'now' | 'keep';
  firstAttemptAt: 'coalesce-now' | 'clear' | 'keep';
  /** finalized_at: set to the write's time, or null. */
  finalized: 'set' | 'clear' | 'keep';
  lastStatus: 'given' | 'keep';
  lastError: 'given' | 'clear' | 'keep';
  /** The final_* columns (migration 0005): the attempt that finishes a task stays on its row. */
  finalAttempt: 'set' | 'clear' | 'keep' | 'history';
}

const UNCHANGED: TransitionPatch = {
  attempt: 'keep',
  attemptsGivenBack: 'keep',
  runAt: 'keep',
  lease: 'clear',
  attemptedAt: 'keep',
  firstAttemptAt: 'keep',
  finalized: 'keep',
  lastStatus: 'keep',
  lastError: 'keep',
  finalAttempt: 'keep',
};

/** An attempt's end (the settle): the lease goes, its status and error are recorded. */
const SETTLED: TransitionPatch = { ...UNCHANGED, lastStatus: 'given', lastError: 'given' };
/** The attempt finished the task: it stays on the row, and no run is ahead. */
const FINISHING: TransitionPatch = { ...SETTLED, finalized: 'set', finalAttempt: 'set' };
/** Another attempt is ahead: the attempt becomes a dispatchr_attempt row, due at the strategy's time. */
const RETRYING: TransitionPatch = { ...SETTLED, runAt: 'given', finalized: 'clear', finalAttempt: 'clear' };

/** The keys a transition has: a budgeted event is always keyed with its budget (keyOf). */
export type PatchedKey = Exclude<TransitionKey, 'dispatch.failed' | 'rescue'>;

export const TRANSITION_PATCHES: Readonly<Record<PatchedKey, Readonly<TransitionPatch>>> = {
  claim: { ...UNCHANGED, attempt: 'increment', lease: 'set', attemptedAt: 'now', firstAttemptAt: 'coalesce-now' },
  'dispatch.succeeded': { ...FINISHING, lastError: 'clear' },
  'dispatch.failed:budget': RETRYING,
  'dispatch.failed:exhausted': FINISHING,
  'dispatch.discarded': FINISHING,
  'rescue:budget': RETRYING,
  'rescue:exhausted': FINISHING,
  // Given back: due again at once, the number stays used (spec §4.8).
  interrupt: { ...RETRYING, attemptsGivenBack: 'increment', runAt: 'now' },
  cancel: { ...UNCHANGED, finalized: 'set' },
  // The attempt in flight ends as `cancelled` on the row (no status); its holder keeps the lease.
  'cancel.running': { ...FINISHING, lease: 'keep' },
  // The holder's answer to a cancel.running: the lease goes, nothing else changes.
  'cancel.acknowledged': UNCHANGED,
  run: { ...UNCHANGED, runAt: 'now' },
  // A manual retry starts a fresh budget, due now; the attempt history stays.
  retry: {
    ...UNCHANGED,
    attempt: 'reset',
    attemptsGivenBack: 'reset',
    runAt: 'now',
    firstAttemptAt: 'clear',
    finalized: 'clear',
    finalAttempt: 'history',
  },
};
