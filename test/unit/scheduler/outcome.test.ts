import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { decideOutcome, retryPlan, type OutcomeContext } from '../../../src/scheduler/outcome.js';
import { MAX_ERROR_CHARS } from '../../../src/scheduler/settlement.js';
import { defineStrategy } from '../../../src/strategies/strategy.js';
import { resolveRetryPolicies } from '../../../src/strategies/load-plugins.js';
import type { TaskRecord } from '../../../src/task.js';
import type { DispatchResult } from '../../../src/workers/protocol.js';

/** decideOutcome and retryPlan are pure: a task, a result and a context in, a settlement out. */
const now = new Date('2026-12-01T12:00:00.000Z');
const config = parseConfig({
  queues: {
    q: { target: 'https://example.com/t', retry: { strategy: 'fixed', options: { delay: '1s' }, maxAttempts: 2 } },
  },
});
let ctx: OutcomeContext;

beforeAll(async () => {
  const policy = (await resolveRetryPolicies(config)).get('q')!;
  ctx = { queue: config.queues.q, policy, owner: 'me', now, random: () => 0.5 };
});

function running(overrides: Partial<TaskRecord> = {}): TaskRecord {
  return {
    id: '01900000-0000-7000-8000-000000000001',
    queue: 'q',
    state: 'running',
    path: '/',
    method: 'POST',
    headers: {},
    body: null,
    contentType: null,
    runAt: now,
    attempt: 1,
    attemptsGivenBack: 0,
    maxAttempts: null,
    timeoutMs: null,
    key: null,
    leaseOwner: 'me',
    leaseExpiresAt: new Date(now.getTime() + 60_000),
    attemptedAt: now,
    traceparent: null,
    cron: null,
    cronFireAt: null,
    firstAttemptAt: now,
    lastStatus: 500,
    lastError: 'HTTP 500',
    createdAt: now,
    updatedAt: now,
    finalizedAt: null,
    ...overrides,
  };
}

function result(overrides: Partial<DispatchResult>): DispatchResult {
  const at = now.getTime();
  return {
    taskId: '01900000-0000-7000-8000-000000000001',
    attempt: 1,
    status: null,
    retryAfterMs: null,
    durationMs: 12,
    startedAtMs: at,
    finishedAtMs: at + 12,
    errorKind: null,
    error: null,
    responseExcerpt: null,
    ...overrides,
  };
}

describe('decideOutcome', () => {
  it('gives an attempt that got a failing status an error: the status, its reason phrase and the start of the body', () => {
    const { settlement } = decideOutcome(
      running(),
      result({ status: 503, responseExcerpt: '  down for\n maintenance ' }),
      ctx,
    );
    expect(settlement).toMatchObject({
      state: 'retryable',
      lastStatus: 503,
      lastError: 'HTTP 503 Service Unavailable: down for maintenance',
    });
    expect(settlement.record).toMatchObject({
      outcome: 'retry',
      status: 503,
      error: 'HTTP 503 Service Unavailable: down for maintenance',
    });
    const bad = decideOutcome(running(), result({ status: 400, responseExcerpt: '' }), ctx).settlement;
    expect(bad.record).toMatchObject({ outcome: 'failed', error: 'HTTP 400 Bad Request' });
    const ok = decideOutcome(running(), result({ status: 200, responseExcerpt: 'fine' }), ctx).settlement;
    expect(ok).toMatchObject({ state: 'completed', lastError: null, record: { error: null } });
  });

  it('stores no status for an attempt that got none, so the next one claims no older status as its previous', () => {
    const { settlement } = decideOutcome(
      running(),
      result({ errorKind: 'timeout', error: 'no response within 1000ms' }),
      ctx,
    );
    expect(settlement).toMatchObject({
      lastStatus: null,
      lastError: 'no response within 1000ms',
      record: { error: 'no response within 1000ms' },
    });
  });

  it('gives an interrupted attempt back without lowering its number: the counter stays, the outcome says interrupted', () => {
    const { settlement, event } = decideOutcome(
      running({ attempt: 3 }),
      result({ errorKind: 'aborted', error: 'aborted by the scheduler' }),
      ctx,
    );
    expect(event).toEqual({ type: 'interrupt' });
    expect(settlement).toMatchObject({ state: 'available', attempt: 3, nextAttempt: 3, runAt: now, lastStatus: null });
    expect(settlement.record).toMatchObject({
      outcome: 'interrupted',
      error: 'interrupted (shutdown, or heartbeat lost)',
    });
  });

  it('bounds every stored error, whatever a strategy says', () => {
    const loud = defineStrategy({
      name: 'loud',
      optionsSchema: { safeParse: () => ({ success: true, data: {} }) },
      maxDelayMs: () => 1,
      delay: () => {
        throw new Error('x'.repeat(5_000));
      },
    });
    const { settlement } = decideOutcome(running(), result({ status: 500, responseExcerpt: 'y'.repeat(1_024) }), {
      ...ctx,
      policy: { ...ctx.policy, strategy: loud },
    });
    expect(settlement.state).toBe('failed');
    expect(settlement.lastError!.length).toBeLessThanOrEqual(MAX_ERROR_CHARS);
    expect(settlement.record.error!.length).toBeLessThanOrEqual(MAX_ERROR_CHARS);
  });
});

describe('retryPlan', () => {
  const failure = { status: 500, retryAfterMs: null, error: 'HTTP 500' };

  it('counts only attempts that were not given back against maxAttempts', () => {
    // Attempt 3 with one interrupted attempt given back: 2 used of 2.
    expect(retryPlan(running({ attempt: 3, attemptsGivenBack: 1 }), ctx, failure)).toMatchObject({
      exhausted: true,
      note: '2 attempts used',
    });
    // Attempt 3 with two given back: 1 used, a retry after the fixed 1 s.
    expect(retryPlan(running({ attempt: 3, attemptsGivenBack: 2 }), ctx, failure)).toEqual({
      exhausted: false,
      runAt: new Date(now.getTime() + 1_000),
    });
  });

  it('waits the longer of Retry-After and the strategy delay, capped at its maximum: Retry-After 0 cannot make a retry sooner', () => {
    expect(retryPlan(running(), ctx, { ...failure, status: 503, retryAfterMs: 0 }).runAt).toEqual(
      new Date(now.getTime() + 1_000),
    );
    // `fixed` honours a Retry-After up to an hour (its maximum when the delay is shorter).
    expect(retryPlan(running(), ctx, { ...failure, status: 503, retryAfterMs: 30_000 }).runAt).toEqual(
      new Date(now.getTime() + 30_000),
    );
    expect(retryPlan(running(), ctx, { ...failure, status: 503, retryAfterMs: Number.MAX_SAFE_INTEGER }).runAt).toEqual(
      new Date(now.getTime() + 3_600_000),
    );
  });
});

describe('decideOutcome, one row per kind of result (queue: 2 attempts, fixed 1 s)', () => {
  const inOneSecond = new Date(now.getTime() + 1_000);
  const rows: Array<{
    name: string;
    task?: Partial<TaskRecord>;
    result: Partial<DispatchResult>;
    event: string;
    state: string;
    outcome: string;
    runAt: Date | null;
    lastStatus: number | null;
    lastError: string | null;
    backpressure: boolean;
  }> = [
    {
      name: '200 completes',
      result: { status: 200, responseExcerpt: 'ok' },
      event: 'dispatch.succeeded',
      state: 'completed',
      outcome: 'completed',
      runAt: null,
      lastStatus: 200,
      lastError: null,
      backpressure: false,
    },
    {
      name: '204 completes',
      result: { status: 204 },
      event: 'dispatch.succeeded',
      state: 'completed',
      outcome: 'completed',
      runAt: null,
      lastStatus: 204,
      lastError: null,
      backpressure: false,
    },
    {
      name: '503 retries and signals backpressure',
      result: { status: 503 },
      event: 'dispatch.failed',
      state: 'retryable',
      outcome: 'retry',
      runAt: inOneSecond,
      lastStatus: 503,
      lastError: 'HTTP 503 Service Unavailable',
      backpressure: true,
    },
    {
      name: '429 retries and signals backpressure',
      result: { status: 429 },
      event: 'dispatch.failed',
      state: 'retryable',
      outcome: 'retry',
      runAt: inOneSecond,
      lastStatus: 429,
      lastError: 'HTTP 429 Too Many Requests',
      backpressure: true,
    },
    {
      name: '500 retries without backpressure',
      result: { status: 500 },
      event: 'dispatch.failed',
      state: 'retryable',
      outcome: 'retry',
      runAt: inOneSecond,
      lastStatus: 500,
      lastError: 'HTTP 500 Internal Server Error',
      backpressure: false,
    },
    {
      name: '500 on the last attempt fails, saying why',
      task: { attempt: 2 },
      result: { attempt: 2, status: 500 },
      event: 'dispatch.failed',
      state: 'failed',
      outcome: 'failed',
      runAt: null,
      lastStatus: 500,
      lastError: 'HTTP 500 Internal Server Error (2 attempts used)',
      backpressure: false,
    },
    {
      name: '400 is discarded at once',
      result: { status: 400 },
      event: 'dispatch.discarded',
      state: 'failed',
      outcome: 'failed',
      runAt: null,
      lastStatus: 400,
      lastError: 'HTTP 400 Bad Request',
      backpressure: false,
    },
    {
      name: 'a redirect is discarded',
      result: { status: 302 },
      event: 'dispatch.discarded',
      state: 'failed',
      outcome: 'failed',
      runAt: null,
      lastStatus: 302,
      lastError: 'HTTP 302 Found',
      backpressure: false,
    },
    {
      name: 'a timeout retries and signals backpressure',
      result: { errorKind: 'timeout', error: 'no response within 1000ms' },
      event: 'dispatch.failed',
      state: 'retryable',
      outcome: 'retry',
      runAt: inOneSecond,
      lastStatus: null,
      lastError: 'no response within 1000ms',
      backpressure: true,
    },
    {
      name: 'a refused connection retries',
      result: { errorKind: 'connection-refused', error: 'ECONNREFUSED' },
      event: 'dispatch.failed',
      state: 'retryable',
      outcome: 'retry',
      runAt: inOneSecond,
      lastStatus: null,
      lastError: 'ECONNREFUSED',
      backpressure: false,
    },
    {
      name: 'a refused target fails at once',
      result: { errorKind: 'guard-refused', error: 'target refused: private address' },
      event: 'dispatch.discarded',
      state: 'failed',
      outcome: 'failed',
      runAt: null,
      lastStatus: null,
      lastError: 'target refused: private address',
      backpressure: false,
    },
    {
      name: 'an abort gives the attempt back, due now',
      result: { errorKind: 'aborted', error: 'aborted by the scheduler' },
      event: 'interrupt',
      state: 'available',
      outcome: 'interrupted',
      runAt: now,
      lastStatus: null,
      lastError: 'interrupted (shutdown, or heartbeat lost)',
      backpressure: false,
    },
    {
      name: 'a task not sent keeps its reason',
      result: { errorKind: 'aborted', error: 'not sent: 10 ms of lease left' },
      event: 'interrupt',
      state: 'available',
      outcome: 'interrupted',
      runAt: now,
      lastStatus: null,
      lastError: 'not sent: 10 ms of lease left',
      backpressure: false,
    },
  ];

  for (const row of rows) {
    it(row.name, () => {
      const task = running(row.task);
      const decision = decideOutcome(task, result(row.result), ctx);
      expect(decision.event.type).toBe(row.event);
      expect(decision.backpressure).toBe(row.backpressure);
      expect(decision.settlement).toEqual({
        taskId: task.id,
        attempt: task.attempt,
        owner: 'me',
        state: row.state,
        nextAttempt: task.attempt,
        runAt: row.runAt,
        lastStatus: row.lastStatus,
        lastError: row.lastError,
        record: {
          startedAt: now,
          finishedAt: new Date(now.getTime() + 12),
          status: row.result.status ?? null,
          durationMs: 12,
          // The attempt's own error: the task's lastError without the retry budget's note.
          error: row.lastError?.replace(' (2 attempts used)', '') ?? null,
          responseExcerpt: row.result.responseExcerpt ?? null,
          outcome: row.outcome,
        },
      });
    });
  }
});

describe('retryPlan, one row per budget rule (queue: 2 attempts, fixed 1 s)', () => {
  const failure = { status: 500, retryAfterMs: null, error: 'HTTP 500' };
  const anHourAgo = new Date(now.getTime() - 3_600_000);
  const rows: Array<{
    name: string;
    task: Partial<TaskRecord>;
    maxRetryDurationMs?: number;
    exhausted: boolean;
    runAt: Date | null;
    note?: string;
  }> = [
    {
      name: 'first attempt: retried after the strategy delay',
      task: {},
      exhausted: false,
      runAt: new Date(now.getTime() + 1_000),
    },
    { name: 'the queue maxAttempts used', task: { attempt: 2 }, exhausted: true, runAt: null, note: '2 attempts used' },
    {
      name: "the task's own maxAttempts below the queue's",
      task: { maxAttempts: 1 },
      exhausted: true,
      runAt: null,
      note: '1 attempts used',
    },
    {
      name: "the task's own maxAttempts above the queue's",
      task: { attempt: 2, maxAttempts: 3 },
      exhausted: false,
      runAt: new Date(now.getTime() + 1_000),
    },
    {
      name: "the task's own maxAttempts clamped to the queue's cap (100)",
      task: { attempt: 100, maxAttempts: 5_000 },
      exhausted: true,
      runAt: null,
      note: '100 attempts used',
    },
    {
      name: 'attempts given back do not count',
      task: { attempt: 2, attemptsGivenBack: 1 },
      exhausted: false,
      runAt: new Date(now.getTime() + 1_000),
    },
    {
      name: 'maxRetryDuration from the first attempt used',
      task: { firstAttemptAt: anHourAgo },
      maxRetryDurationMs: 3_600_000,
      exhausted: true,
      runAt: null,
      note: 'maxRetryDuration used',
    },
    {
      name: 'maxRetryDuration not yet used',
      task: { firstAttemptAt: anHourAgo },
      maxRetryDurationMs: 3_601_000,
      exhausted: false,
      runAt: new Date(now.getTime() + 1_000),
    },
    {
      name: 'no first attempt recorded: counted from now',
      task: { firstAttemptAt: null, attemptedAt: null },
      maxRetryDurationMs: 1_000,
      exhausted: false,
      runAt: new Date(now.getTime() + 1_000),
    },
    {
      name: 'maxRetryDuration 0: no limit',
      task: { firstAttemptAt: new Date(0) },
      maxRetryDurationMs: 0,
      exhausted: false,
      runAt: new Date(now.getTime() + 1_000),
    },
  ];

  for (const row of rows) {
    it(row.name, () => {
      const policy = { ...ctx.policy, maxRetryDurationMs: row.maxRetryDurationMs ?? ctx.policy.maxRetryDurationMs };
      const plan = retryPlan(running(row.task), { ...ctx, policy }, failure);
      expect(plan).toEqual(
        row.note === undefined
          ? { exhausted: row.exhausted, runAt: row.runAt }
          : { exhausted: row.exhausted, runAt: row.runAt, note: row.note },
      );
    });
  }
});
