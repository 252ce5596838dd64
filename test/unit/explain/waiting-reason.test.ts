import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { explainWaiting, type WaitingFacts } from '../../../src/explain/waiting-reason.js';
import type { TaskRecord } from '../../../src/task.js';

const now = new Date('2026-01-01T12:00:00Z');
const config = parseConfig({
  queues: { q: { target: 'https://example.com', maxConcurrent: 5, rateLimit: { perSecond: 10 } } },
});

function task(overrides: Partial<TaskRecord>): TaskRecord {
  return {
    id: '01900000-0000-7000-8000-000000000000',
    queue: 'q',
    state: 'available',
    path: '/',
    method: 'POST',
    headers: {},
    body: null,
    contentType: null,
    runAt: new Date(now.getTime() - 1000),
    attempt: 0,
    attemptsGivenBack: 0,
    maxAttempts: null,
    timeoutMs: null,
    key: null,
    leaseOwner: null,
    leaseExpiresAt: null,
    attemptedAt: null,
    traceparent: null,
    cron: null,
    cronFireAt: null,
    firstAttemptAt: null,
    lastStatus: null,
    lastError: null,
    createdAt: now,
    updatedAt: now,
    finalizedAt: null,
    ...overrides,
  };
}

const facts = (overrides: Partial<WaitingFacts> = {}): WaitingFacts => ({
  now,
  queue: config.queues.q,
  paused: false,
  liveSchedulers: 1,
  running: 0,
  dueAhead: 0,
  ...overrides,
});

describe('why is this task waiting', () => {
  it('scheduled for later', () => {
    const reason = explainWaiting(task({ state: 'scheduled', runAt: new Date(now.getTime() + 90_000) }), facts());
    expect(reason).toEqual({ code: 'scheduled', message: 'scheduled for 2026-01-01T12:01:30.000Z (in 90 s)' });
  });

  it('backing off after attempt N, which got status S', () => {
    const reason = explainWaiting(
      task({ state: 'retryable', attempt: 3, lastStatus: 503, runAt: new Date(now.getTime() + 5_000) }),
      facts(),
    );
    expect(reason.code).toBe('backing-off');
    expect(reason.message).toContain('after attempt 3, which got status 503');
  });

  it('names a paused queue before anything else about a due task', () => {
    expect(explainWaiting(task({}), facts({ paused: true, liveSchedulers: 0 })).code).toBe('queue-paused');
  });

  it('says when no live scheduler serves the queue', () => {
    expect(explainWaiting(task({}), facts({ liveSchedulers: 0 }))).toEqual({
      code: 'no-scheduler',
      message: 'no live scheduler serves queue q',
    });
  });

  it('says when the queue is at maxConcurrent or at its rate limit', () => {
    expect(explainWaiting(task({}), facts({ running: 5, dueAhead: 40 })).message).toContain(
      'at maxConcurrent (5 of 5 running); 40 due tasks ahead',
    );
    expect(explainWaiting(task({}), facts({ running: 1, dueAhead: 40 })).code).toBe('at-rate-limit');
  });

  it('otherwise the task is next in line', () => {
    expect(explainWaiting(task({}), facts({ dueAhead: 2 })).code).toBe('next-in-line');
  });

  it('running and finished tasks are not waiting', () => {
    expect(explainWaiting(task({ state: 'running', attempt: 2, leaseOwner: 'sched-a' }), facts()).message).toContain(
      'attempt 2 is running on scheduler sched-a',
    );
    expect(explainWaiting(task({ state: 'completed' }), facts()).code).toBe('finished');
  });
});
