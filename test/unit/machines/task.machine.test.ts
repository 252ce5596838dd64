import { describe, expect, it } from 'vitest';
import { requireTransition, nextState } from '../../../src/machines/apply.js';
import type { TaskEvent } from '../../../src/machines/task.events.js';
import { deriveTransitionTable } from '../../../src/machines/transition-table.js';
import { TASK_STATES, type TaskState } from '../../../src/task.js';
import { RETRY_DEDUP_INDEX_STATES, retryableSources } from '../../../src/db/task-retry.sql.js';

/** The documented lifecycle (docs/spec.md §3.1): every legal (state, event) pair and its target. */
const LEGAL: Record<string, TaskState> = {
  'scheduled|claim': 'running',
  'scheduled|cancel': 'cancelled',
  'scheduled|run': 'available',
  'available|claim': 'running',
  'available|cancel': 'cancelled',
  'retryable|claim': 'running',
  'retryable|cancel': 'cancelled',
  'retryable|run': 'available',
  'running|dispatch.succeeded': 'completed',
  'running|dispatch.failed:budget': 'retryable',
  'running|dispatch.failed:exhausted': 'failed',
  'running|dispatch.discarded': 'failed',
  'running|rescue:budget': 'retryable',
  'running|rescue:exhausted': 'failed',
  'running|interrupt': 'available',
  'running|cancel.running': 'cancelled',
  'failed|retry': 'available',
  'cancelled|retry': 'available',
  'cancelled|cancel.acknowledged': 'cancelled',
};

const EVENTS: [string, TaskEvent][] = [
  ['claim', { type: 'claim' }],
  ['dispatch.succeeded', { type: 'dispatch.succeeded' }],
  ['dispatch.failed:budget', { type: 'dispatch.failed', exhausted: false }],
  ['dispatch.failed:exhausted', { type: 'dispatch.failed', exhausted: true }],
  ['dispatch.discarded', { type: 'dispatch.discarded' }],
  ['rescue:budget', { type: 'rescue', exhausted: false }],
  ['rescue:exhausted', { type: 'rescue', exhausted: true }],
  ['interrupt', { type: 'interrupt' }],
  ['cancel', { type: 'cancel' }],
  ['cancel.running', { type: 'cancel.running' }],
  ['cancel.acknowledged', { type: 'cancel.acknowledged' }],
  ['retry', { type: 'retry' }],
  ['run', { type: 'run' }],
];

describe('the task machine', () => {
  const pairs = TASK_STATES.flatMap((state) => EVENTS.map(([name, event]) => [state, name, event] as const));

  it.each(pairs)('%s + %s', (state, name, event) => {
    const expected = LEGAL[`${state}|${name}`];
    expect(nextState(state, event)).toBe(expected);
    if (expected) expect(requireTransition(state, event)).toBe(expected);
    else
      expect(() => requireTransition(state, event)).toThrow(
        expect.objectContaining({ code: 'invalid_transition', status: 409 }),
      );
  });

  it('derives exactly the documented legal pairs, no more', () => {
    const table = deriveTransitionTable();
    const derived = Object.entries(table).flatMap(([state, events]) =>
      Object.entries(events).map(([event, to]) => [`${state}|${event}`, to]),
    );
    expect(Object.fromEntries(derived)).toEqual(LEGAL);
  });

  it('completed is terminal: nothing moves it', () => {
    expect(Object.keys(deriveTransitionTable().completed)).toEqual([]);
  });

  it("a retry leaves exactly the states of the bulk retry's dedup index (migration 0008)", () => {
    // A retry source missing from the term would drop out of the bulk retry's dedup check: a newer
    // task in that state would not hold back an older twin, both would be retried, and the batch
    // would fail on the unique key. A new source needs a new index migration and a new term.
    const indexed = [...RETRY_DEDUP_INDEX_STATES.matchAll(/'([a-z]+)'/g)].map((match) => match[1]);
    expect([...retryableSources().from].sort()).toEqual(indexed.sort());
  });
});
