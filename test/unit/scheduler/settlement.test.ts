import { describe, expect, it } from 'vitest';
import type { TaskEvent } from '../../../src/machines/task.events.js';
import { bounded, buildSettlement, MAX_ERROR_CHARS, type AttemptRecord } from '../../../src/scheduler/settlement.js';
import type { TaskRecord, TaskState } from '../../../src/task.js';

/** buildSettlement is pure: an attempt's end, named, in; the one write that settles it out. */
const now = new Date('2026-12-01T12:00:00.000Z');
const later = new Date(now.getTime() + 5_000);

function task(state: TaskState, attempt = 3): TaskRecord {
  return {
    id: '01900000-0000-7000-8000-000000000002',
    queue: 'q',
    state,
    path: '/',
    method: 'POST',
    headers: {},
    body: null,
    contentType: null,
    runAt: now,
    attempt,
    attemptsGivenBack: 0,
    maxAttempts: null,
    timeoutMs: null,
    key: null,
    leaseOwner: 'owner-a',
    leaseExpiresAt: later,
    attemptedAt: now,
    traceparent: null,
    cron: null,
    cronFireAt: null,
    firstAttemptAt: now,
    lastStatus: 500,
    lastError: 'an older error',
    createdAt: now,
    updatedAt: now,
    finalizedAt: null,
  };
}

function record(outcome: AttemptRecord['outcome'], status: number | null): AttemptRecord {
  return {
    startedAt: now,
    finishedAt: later,
    status,
    durationMs: 5_000,
    error: outcome === 'completed' ? null : 'why',
    responseExcerpt: null,
    outcome,
  };
}

const rows: Array<{
  name: string;
  from: TaskState;
  event: TaskEvent;
  record: AttemptRecord;
  runAt: Date | null;
  lastError: string | null;
  state: TaskState | undefined;
  storedError: string | null;
}> = [
  {
    name: 'success completes and clears lastError',
    from: 'running',
    event: { type: 'dispatch.succeeded' },
    record: record('completed', 200),
    runAt: null,
    lastError: 'ignored',
    state: 'completed',
    storedError: null,
  },
  {
    name: 'a failure with budget left is retryable at runAt',
    from: 'running',
    event: { type: 'dispatch.failed', exhausted: false },
    record: record('retry', 503),
    runAt: later,
    lastError: 'HTTP 503',
    state: 'retryable',
    storedError: 'HTTP 503',
  },
  {
    name: 'a failure with no budget left fails',
    from: 'running',
    event: { type: 'dispatch.failed', exhausted: true },
    record: record('failed', 500),
    runAt: null,
    lastError: 'HTTP 500 (2 attempts used)',
    state: 'failed',
    storedError: 'HTTP 500 (2 attempts used)',
  },
  {
    name: 'a discarded attempt fails',
    from: 'running',
    event: { type: 'dispatch.discarded' },
    record: record('failed', 400),
    runAt: null,
    lastError: 'HTTP 400',
    state: 'failed',
    storedError: 'HTTP 400',
  },
  {
    name: 'an interruption makes the task available',
    from: 'running',
    event: { type: 'interrupt' },
    record: record('interrupted', null),
    runAt: now,
    lastError: 'interrupted',
    state: 'available',
    storedError: 'interrupted',
  },
  {
    name: 'a rescue with budget left is retryable',
    from: 'running',
    event: { type: 'rescue', exhausted: false },
    record: record('lease-expired', null),
    runAt: later,
    lastError: 'lease expired',
    state: 'retryable',
    storedError: 'lease expired',
  },
  {
    name: 'a rescue with no budget left fails',
    from: 'running',
    event: { type: 'rescue', exhausted: true },
    record: record('lease-expired', null),
    runAt: null,
    lastError: 'lease expired (2 attempts used)',
    state: 'failed',
    storedError: 'lease expired (2 attempts used)',
  },
  {
    name: 'a failure with no message stores none',
    from: 'running',
    event: { type: 'dispatch.discarded' },
    record: record('failed', 400),
    runAt: null,
    lastError: null,
    state: 'failed',
    storedError: null,
  },
  {
    name: 'a long message is stored bounded',
    from: 'running',
    event: { type: 'dispatch.discarded' },
    record: record('failed', 400),
    runAt: null,
    lastError: 'x'.repeat(MAX_ERROR_CHARS + 10),
    state: 'failed',
    storedError: bounded('x'.repeat(MAX_ERROR_CHARS + 10)),
  },
  {
    name: 'the machine refuses a success of a completed task',
    from: 'completed',
    event: { type: 'dispatch.succeeded' },
    record: record('completed', 200),
    runAt: null,
    lastError: null,
    state: undefined,
    storedError: null,
  },
  {
    name: 'the machine refuses a rescue of an available task',
    from: 'available',
    event: { type: 'rescue', exhausted: false },
    record: record('lease-expired', null),
    runAt: later,
    lastError: 'lease expired',
    state: undefined,
    storedError: null,
  },
];

describe('buildSettlement, one row per event', () => {
  for (const row of rows) {
    it(row.name, () => {
      const claimed = task(row.from);
      const settlement = buildSettlement({
        task: claimed,
        owner: 'owner-b',
        event: row.event,
        record: row.record,
        runAt: row.runAt,
        lastError: row.lastError,
      });
      if (row.state === undefined) {
        expect(settlement).toBeUndefined();
        return;
      }
      expect(settlement).toEqual({
        taskId: claimed.id,
        attempt: 3,
        owner: 'owner-b',
        state: row.state,
        nextAttempt: 3, // numbers never go back, an interruption included
        runAt: row.runAt,
        lastStatus: row.record.status,
        lastError: row.storedError,
        record: row.record,
      });
    });
  }
});

describe('bounded', () => {
  it('keeps text up to the limit and cuts longer text to it, ending in an ellipsis', () => {
    expect(bounded('short')).toBe('short');
    expect(bounded('y'.repeat(MAX_ERROR_CHARS))).toHaveLength(MAX_ERROR_CHARS);
    const cut = bounded('z'.repeat(MAX_ERROR_CHARS * 3));
    expect(cut).toHaveLength(MAX_ERROR_CHARS);
    expect(cut.endsWith('\u2026')).toBe(true);
  });
});
