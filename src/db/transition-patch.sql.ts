import { SETTLE_EVENTS } from '../machines/task.events.js';
import type { TransitionPatch } from '../machines/transition-patch.js';
import { sourcesOf, targetOf } from '../machines/transition-table.js';
import type { TaskState } from '../task.js';
import { FINAL_ATTEMPT_COLUMNS } from './migrations/common/final-attempt.sql.js';
import type { SqlParams } from './sql-session.js';

/**
 * The machine's declarative patch (machines/transition-patch.ts) as the SET clauses of an UPDATE of
 * dispatchr_task, for every driver: the one translation of "what a transition writes" into SQL for
 * the single-row writers (the claim, cancel, run, retry and the bulk retry). The settle writes a
 * batch whose rows take different transitions, so it is held to the table by a test instead.
 *
 * Values are added to `p` in text order (SQLite's `?` is positional), so the caller adds its own
 * WHERE values after these.
 */
export interface PatchValues {
  /** The write's time: updated_at, and every `now` of the patch. */
  now: Date;
  /** For `runAt: 'given'`. */
  runAt?: Date;
  /** For `lease: 'set'`. */
  lease?: { owner: string; expiresAt: Date };
}

export function patchSets(
  to: TaskState,
  patch: Readonly<TransitionPatch>,
  values: PatchValues,
  p: SqlParams,
): string[] {
  const sets = [`state = ${p.add(to)}`];
  if (patch.attempt === 'increment') sets.push('attempt = attempt + 1');
  if (patch.attempt === 'reset') sets.push('attempt = 0');
  if (patch.attemptsGivenBack === 'increment') sets.push('attempts_given_back = attempts_given_back + 1');
  if (patch.attemptsGivenBack === 'reset') sets.push('attempts_given_back = 0');
  if (patch.runAt === 'now') sets.push(`run_at = ${p.add(values.now)}`);
  if (patch.runAt === 'given') sets.push(`run_at = ${p.add(required(values.runAt, 'runAt'))}`);
  if (patch.lease === 'set') {
    const lease = required(values.lease, 'lease');
    sets.push(`lease_owner = ${p.add(lease.owner)}`, `lease_expires_at = ${p.add(lease.expiresAt)}`);
  } else if (patch.lease === 'clear') {
    sets.push('lease_owner = null', 'lease_expires_at = null');
  }
  if (patch.attemptedAt === 'now') sets.push(`attempted_at = ${p.add(values.now)}`);
  if (patch.firstAttemptAt === 'coalesce-now')
    sets.push(`first_attempt_at = coalesce(first_attempt_at, ${p.add(values.now)})`);
  if (patch.firstAttemptAt === 'clear') sets.push('first_attempt_at = null');
  if (patch.finalized === 'set') sets.push(`finalized_at = ${p.add(values.now)}`);
  if (patch.finalized === 'clear') sets.push('finalized_at = null');
  // An attempt's status, error and final attempt come only with a settlement, which patchSets does not write.
  if (patch.lastStatus !== 'keep' || patch.lastError !== 'keep' || patch.finalAttempt === 'set') {
    throw new Error('patchSets writes no attempt outcome: settle the attempt instead');
  }
  if (patch.finalAttempt === 'clear') sets.push(...FINAL_ATTEMPT_COLUMNS.map((column) => `${column} = null`));
  // A task opened again (a manual retry) drops its stored result (spec 11.4): only a finish writes
  // one, and a later finish with no response (a rescue, a network error) writes none, so an old
  // body would otherwise be shown as the new outcome's.
  if (patch.finalAttempt === 'history') sets.push('result_body = null', 'result_content_type = null');
  sets.push(`updated_at = ${p.add(values.now)}`);
  return sets;
}

function required<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new Error(`the transition's patch needs ${name}`);
  return value;
}

/** A `state in (...)` list of literals (the states come from the machine, never from input). */
export function stateList(states: readonly TaskState[]): string {
  return states.map((state) => `'${state}'`).join(',');
}

/**
 * The one state every attempt-ending event starts from (the machine's): the settle's
 * compare-and-set (the drivers' dispatch.sql.ts) expects it. What each settle writes is held to the
 * machine's patches by test/integration/machine-drift.test.ts.
 */
export function settledState(): TaskState {
  const sources = new Set(SETTLE_EVENTS.flatMap((type) => sourcesOf(type)));
  if (sources.size !== 1) throw new Error(`attempts end from ${[...sources].join(', ')}; the settle assumes one state`);
  return [...sources][0];
}

/**
 * The states a claim takes tasks from, read off the machine rather than restated. SQLite's claim
 * (drivers/sqlite/dispatch.sql.ts) uses them as they are; PostgreSQL's function (migrations 0009, 0010)
 * has them written out, and machine-drift.test.ts holds the two equal.
 */
export function claimableStates(): string {
  return stateList(sourcesOf('claim'));
}

/** Where a claim leads (the machine's), from whichever state it takes a task. */
export function claimTarget(): TaskState {
  const targets = new Set(sourcesOf('claim').map((state) => targetOf(state, { type: 'claim' })!));
  if (targets.size !== 1) throw new Error('a claim leads to more than one state; the claim assumes one');
  return [...targets][0];
}
