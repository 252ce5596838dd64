import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { decideOutcome, MAX_ERROR_CHARS, retryPlan, type OutcomeContext } from '../../../src/scheduler/outcome.js';
import { defineStrategy } from '../../../src/strategies/strategy.js';
import { resolveRetryPolicies } from '../../../src/strategies/load-plugins.js';
import type { TaskRecord } from '../../../src/task.js';
import type { DispatchResult } from '../../../src/workers/protocol.js';

/** decideOutcome and retryPlan are pure: a task, a result and a context in, a settlement out. */
const now = new Date('2026-12-01T12:00:00.000Z');
const config = parseConfig({
  queues: { q: { target: 'https://example.com/t', retry: { strategy: 'fixed', options: { delay: '1s' }, maxAttempts: 2 } } },
});
let ctx: OutcomeContext;

beforeAll(async () => {
  const policy = (await resolveRetryPolicies(config)).get('q')!;
  ctx = { queue: config.queues.q, policy, owner: 'me', now, random: () => 0.5 };
});

function running(overrides: Partial<TaskRecord> = {}): TaskRecord {
  return {
    id: '01900000-0000-7000-8000-000000000001', queue: 'q', state: 'running', path: '/', method: 'POST', headers: {}, body: null,
    contentType: null, runAt: now, attempt: 1, attemptsGivenBack: 0, maxAttempts: null, timeoutMs: null, key: null,
    leaseOwner: 'me', leaseExpiresAt: new Date(now.getTime() + 60_000), attemptedAt: now, traceparent: null,
    firstAttemptAt: now, lastStatus: 500, lastError: 'HTTP 500', createdAt: now, updatedAt: now, finalizedAt: null, ...overrides,
  };
}

function result(overrides: Partial<DispatchResult>): DispatchResult {
  const at = now.getTime();
  return {
    taskId: '01900000-0000-7000-8000-000000000001', attempt: 1, status: null, retryAfterMs: null, durationMs: 12,
    startedAtMs: at, finishedAtMs: at + 12, errorKind: null, error: null, responseExcerpt: null, ...overrides,
  };
}

describe('decideOutcome', () => {
  it('gives an attempt that got a failing status an error: the status, its reason phrase and the start of the body', () => {
    const { settlement } = decideOutcome(running(), result({ status: 503, responseExcerpt: '  down for\n maintenance ' }), ctx);
    expect(settlement).toMatchObject({ state: 'retryable', lastStatus: 503, lastError: 'HTTP 503 Service Unavailable: down for maintenance' });
    expect(settlement.record).toMatchObject({ outcome: 'retry', status: 503, error: 'HTTP 503 Service Unavailable: down for maintenance' });
    const bad = decideOutcome(running(), result({ status: 400, responseExcerpt: '' }), ctx).settlement;
    expect(bad.record).toMatchObject({ outcome: 'failed', error: 'HTTP 400 Bad Request' });
    const ok = decideOutcome(running(), result({ status: 200, responseExcerpt: 'fine' }), ctx).settlement;
    expect(ok).toMatchObject({ state: 'completed', lastError: null, record: { error: null } });
  });

  it('stores no status for an attempt that got none, so the next one claims no older status as its previous', () => {
    const { settlement } = decideOutcome(running(), result({ errorKind: 'timeout', error: 'no response within 1000ms' }), ctx);
    expect(settlement).toMatchObject({ lastStatus: null, lastError: 'no response within 1000ms', record: { error: 'no response within 1000ms' } });
  });

  it('gives an interrupted attempt back without lowering its number: the counter stays, the outcome says interrupted', () => {
    const { settlement, event } = decideOutcome(running({ attempt: 3 }), result({ errorKind: 'aborted', error: 'aborted by the scheduler' }), ctx);
    expect(event).toEqual({ type: 'interrupt' });
    expect(settlement).toMatchObject({ state: 'available', attempt: 3, nextAttempt: 3, runAt: now, lastStatus: null });
    expect(settlement.record).toMatchObject({ outcome: 'interrupted', error: 'interrupted (shutdown, or heartbeat lost)' });
  });

  it('bounds every stored error, whatever a strategy says', () => {
    const loud = defineStrategy({ name: 'loud', optionsSchema: { safeParse: () => ({ success: true, data: {} }) }, maxDelayMs: () => 1, delay: () => { throw new Error('x'.repeat(5_000)); } });
    const { settlement } = decideOutcome(running(), result({ status: 500, responseExcerpt: 'y'.repeat(1_024) }), { ...ctx, policy: { ...ctx.policy, strategy: loud } });
    expect(settlement.state).toBe('failed');
    expect(settlement.lastError!.length).toBeLessThanOrEqual(MAX_ERROR_CHARS);
    expect(settlement.record.error!.length).toBeLessThanOrEqual(MAX_ERROR_CHARS);
  });
});

describe('retryPlan', () => {
  const failure = { status: 500, retryAfterMs: null, error: 'HTTP 500' };

  it('counts only attempts that were not given back against maxAttempts', () => {
    // Attempt 3 with one interrupted attempt given back: 2 used of 2.
    expect(retryPlan(running({ attempt: 3, attemptsGivenBack: 1 }), ctx, failure)).toMatchObject({ exhausted: true, note: '2 attempts used' });
    // Attempt 3 with two given back: 1 used, a retry after the fixed 1 s.
    expect(retryPlan(running({ attempt: 3, attemptsGivenBack: 2 }), ctx, failure)).toEqual({ exhausted: false, runAt: new Date(now.getTime() + 1_000) });
  });

  it('waits the longer of Retry-After and the strategy delay, capped at its maximum: Retry-After 0 cannot make a retry sooner', () => {
    expect(retryPlan(running(), ctx, { ...failure, status: 503, retryAfterMs: 0 }).runAt).toEqual(new Date(now.getTime() + 1_000));
    // `fixed` 1 s has a maximum delay of 1 s: a longer Retry-After is capped there.
    expect(retryPlan(running(), ctx, { ...failure, status: 503, retryAfterMs: Number.MAX_SAFE_INTEGER }).runAt).toEqual(new Date(now.getTime() + 1_000));
  });
});
