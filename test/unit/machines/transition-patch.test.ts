import { describe, expect, it } from 'vitest';
import { UNFINISHED_STATES_IN_CLIENT } from '../../../src/client/enqueue-within.js';
import { patchSets, settledState } from '../../../src/db/transition-patch.sql.js';
import { SqlParams } from '../../../src/db/sql-session.js';
import { SETTLE_EVENTS, TASK_EVENT_TYPES, type TaskEvent } from '../../../src/machines/task.events.js';
import { TRANSITION_PATCHES } from '../../../src/machines/transition-patch.js';
import {
  deriveTransitionTable,
  finishedStates,
  patchOf,
  sourcesOf,
  unfinishedStates,
} from '../../../src/machines/transition-table.js';
import { FINISHED_STATES, TASK_STATES, UNFINISHED_STATES, WAITING_STATES } from '../../../src/task.js';

/** The machine's patches (what each transition writes) against the table and the spec (§3.1, §4.8). */
const table = deriveTransitionTable();
const transitions = TASK_STATES.flatMap((state) =>
  Object.entries(table[state]).map(([key, to]) => ({ from: state, key, to: to! })),
);

describe('the transition patches', () => {
  it('exist for exactly the transitions the machine has', () => {
    expect(Object.keys(TRANSITION_PATCHES).sort()).toEqual([...new Set(transitions.map((t) => t.key))].sort());
  });

  it('name the states each event starts from (spec §3.1)', () => {
    const sources = Object.fromEntries(TASK_EVENT_TYPES.map((type) => [type, sourcesOf(type)]));
    expect(sources).toEqual({
      claim: ['scheduled', 'available', 'retryable'],
      'dispatch.succeeded': ['running'],
      'dispatch.failed': ['running'],
      'dispatch.discarded': ['running'],
      rescue: ['running'],
      interrupt: ['running'],
      cancel: ['scheduled', 'available', 'retryable'],
      'cancel.running': ['running'],
      'cancel.acknowledged': ['cancelled'],
      retry: ['failed', 'cancelled'],
      run: ['scheduled', 'retryable'],
    });
    expect(settledState()).toBe('running');
    expect(SETTLE_EVENTS.flatMap((type) => sourcesOf(type)).every((state) => state === 'running')).toBe(true);
  });

  it('agree with where each transition leads: a lease only on running, finalized_at exactly on the finished states', () => {
    for (const { from, key, to } of transitions) {
      const patch = TRANSITION_PATCHES[key as keyof typeof TRANSITION_PATCHES];
      const finished = (FINISHED_STATES as readonly string[]).includes(to);
      // A running task cancelled keeps its holder's lease until the holder acknowledges (spec 11.6).
      const lease = to === 'running' ? 'set' : key === 'cancel.running' ? 'keep' : 'clear';
      expect(patch.lease, `${from} ${key}`).toBe(lease);
      // Staying in a finished state (cancel.acknowledged) keeps its time; entering one sets it.
      if (from === to) expect(patch.finalized, `${from} ${key}`).toBe('keep');
      else if (finished) expect(patch.finalized, `${from} ${key}`).toBe('set');
      else expect(patch.finalized, `${from} ${key}`).not.toBe('set');
      // The attempt that finishes a task stays on its row; every other settled attempt becomes a row.
      if (from === 'running') expect(patch.finalAttempt, `${from} ${key}`).toBe(finished ? 'set' : 'clear');
    }
  });

  it('hold the rules the spec states', () => {
    // An attempt starts: its number goes up, the first attempt's time is kept once set.
    expect(patchOf({ type: 'claim' })).toMatchObject({
      attempt: 'increment',
      lease: 'set',
      attemptedAt: 'now',
      firstAttemptAt: 'coalesce-now',
    });
    // Interrupted: given back (not counted), due again at once, the number stays used (§4.8).
    expect(patchOf({ type: 'interrupt' })).toMatchObject({
      attempt: 'keep',
      attemptsGivenBack: 'increment',
      runAt: 'now',
    });
    // A manual retry starts a fresh budget, due now, and keeps the history.
    expect(patchOf({ type: 'retry' })).toMatchObject({
      attempt: 'reset',
      attemptsGivenBack: 'reset',
      runAt: 'now',
      firstAttemptAt: 'clear',
      finalized: 'clear',
      finalAttempt: 'history',
      lastError: 'keep',
    });
    expect(patchOf({ type: 'run' })).toMatchObject({ runAt: 'now', attempt: 'keep', finalized: 'keep' });
    expect(patchOf({ type: 'cancel' })).toMatchObject({ runAt: 'keep', attempt: 'keep', finalized: 'set' });
    // Cancelled while running: the attempt ends on the row, the lease stays until acknowledged.
    expect(patchOf({ type: 'cancel.running' })).toMatchObject({
      attempt: 'keep',
      lease: 'keep',
      finalized: 'set',
      finalAttempt: 'set',
    });
    expect(patchOf({ type: 'cancel.acknowledged' })).toMatchObject({
      lease: 'clear',
      finalized: 'keep',
      attempt: 'keep',
    });
    // A completed attempt leaves no error behind; every other settled attempt says why.
    expect(patchOf({ type: 'dispatch.succeeded' }).lastError).toBe('clear');
    const failures: TaskEvent[] = [
      { type: 'dispatch.failed', exhausted: false },
      { type: 'dispatch.failed', exhausted: true },
      { type: 'dispatch.discarded' },
      { type: 'rescue', exhausted: false },
      { type: 'rescue', exhausted: true },
      { type: 'interrupt' },
    ];
    for (const event of failures)
      expect(patchOf(event), event.type).toMatchObject({ lastError: 'given', lastStatus: 'given' });
    // Due again at the strategy's time only while budget is left.
    expect(patchOf({ type: 'dispatch.failed', exhausted: false }).runAt).toBe('given');
    expect(patchOf({ type: 'rescue', exhausted: true }).runAt).toBe('keep');
  });

  it('say which states are finished, and every hand-written list of them agrees', () => {
    expect(finishedStates()).toEqual([...FINISHED_STATES]);
    expect(unfinishedStates().sort()).toEqual([...UNFINISHED_STATES].sort());
    // Waiting: what a cancel (and a purge) may take, and what a claim takes from.
    expect(sourcesOf('cancel')).toEqual([...WAITING_STATES]);
    expect(sourcesOf('claim')).toEqual([...WAITING_STATES]);
    // The client may not import the machine (it would bring xstate into applications): held here.
    expect([...UNFINISHED_STATES_IN_CLIENT].sort()).toEqual(unfinishedStates().sort());
  });
});

describe('patchSets', () => {
  it("writes a retry's patch as SET clauses, values in text order", () => {
    const now = new Date('2026-12-01T00:00:00Z');
    const p = new SqlParams((n) => `$${n}`);
    expect(patchSets('available', patchOf({ type: 'retry' }), { now }, p)).toEqual([
      'state = $1',
      'attempt = 0',
      'attempts_given_back = 0',
      'run_at = $2',
      'lease_owner = null',
      'lease_expires_at = null',
      'first_attempt_at = null',
      'finalized_at = null',
      // A task opened again drops its stored result (spec 11.4).
      'result_body = null',
      'result_content_type = null',
      'updated_at = $3',
    ]);
    expect(p.values).toEqual(['available', now, now]);
  });

  it('refuses a patch it cannot write: an attempt outcome (the settle writes those), a lease it was not given', () => {
    const now = new Date();
    expect(() =>
      patchSets('completed', patchOf({ type: 'dispatch.succeeded' }), { now }, new SqlParams(() => '?')),
    ).toThrow(/settle/);
    expect(() => patchSets('running', patchOf({ type: 'claim' }), { now }, new SqlParams(() => '?'))).toThrow(/lease/);
  });
});
