import type { QueueConfig } from '../config/schema.js';
import type { Settlement } from '../db/dispatch.repository.js';
import { nextState } from '../machines/apply.js';
import type { TaskEvent } from '../machines/task.events.js';
import { nextRetryDelay } from '../strategies/strategy.js';
import type { RetryPolicy } from '../strategies/load-plugins.js';
import type { AttemptOutcome, TaskRecord } from '../task.js';
import { classifyResult } from '../workers/classify.js';
import type { DispatchResult } from '../workers/protocol.js';

/**
 * One attempt's result → the task's next state and the attempt record, as data. Pure: the clock and
 * the random source come in, so tests (and a restart) get the same answer from the same inputs.
 * The machine decides the state; this module only computes the event and the retry budget.
 */
export interface OutcomeContext {
  queue: QueueConfig;
  policy: RetryPolicy;
  owner: string;
  now: Date;
  random: () => number;
}

export interface Decision {
  settlement: Settlement;
  event: TaskEvent;
  /** Signals backpressure (429/503/timeout) to the queue's adaptive rate. */
  backpressure: boolean;
}

export function decideOutcome(task: TaskRecord, result: DispatchResult, ctx: OutcomeContext): Decision {
  const record = {
    startedAt: new Date(result.startedAtMs),
    finishedAt: new Date(result.finishedAtMs),
    status: result.status,
    durationMs: Math.round(result.durationMs),
    error: result.error,
    responseExcerpt: result.responseExcerpt,
  };
  const lastError = describeFailure(result);
  const backpressure = result.status === 429 || result.status === 503 || result.errorKind === 'timeout';

  if (result.errorKind === 'aborted') {
    // Cut by a graceful shutdown or by fencing after a lost heartbeat, or not sent at all because
    // its lease ran short: given back without spending the attempt.
    const why = result.error?.startsWith('not sent') ? result.error : 'interrupted (shutdown, or heartbeat lost)';
    return settle(task, ctx, { type: 'interrupt' }, 'interrupted', { ...record, error: why }, null, task.attempt - 1, backpressure, lastError);
  }
  const classification = classifyResult(result, ctx.queue.statusMap);
  if (classification.outcome === 'completed') {
    return settle(task, ctx, { type: 'dispatch.succeeded' }, 'completed', record, null, task.attempt, backpressure, null);
  }
  if (classification.outcome === 'failed') {
    return settle(task, ctx, { type: 'dispatch.discarded' }, 'failed', record, null, task.attempt, backpressure, lastError);
  }
  const retry = retryPlan(task, ctx, {
    status: result.status,
    retryAfterMs: classification.retryAfterMs,
    error: lastError,
  });
  return settle(
    task,
    ctx,
    { type: 'dispatch.failed', exhausted: retry.exhausted },
    retry.exhausted ? 'failed' : 'retry',
    record,
    retry.runAt,
    task.attempt,
    backpressure,
    retry.note ? `${lastError ?? ''} (${retry.note})` : lastError,
  );
}

/**
 * Whether the budget allows another attempt, and when. Retries stop at maxAttempts (the first
 * attempt included) or maxRetryDuration from the first attempt's start, whichever comes first.
 * A strategy that returns an unusable delay fails the task with a message naming it.
 */
export function retryPlan(
  task: TaskRecord,
  ctx: OutcomeContext,
  failure: { status: number | null; retryAfterMs: number | null; error: string | null },
): { exhausted: boolean; runAt: Date | null; note?: string } {
  const maxAttempts = task.maxAttempts ?? ctx.policy.maxAttempts;
  if (task.attempt >= maxAttempts) return { exhausted: true, runAt: null, note: `${maxAttempts} attempts used` };
  const firstAttemptAt = task.firstAttemptAt ?? task.attemptedAt ?? ctx.now;
  const delay = nextRetryDelay(ctx.policy.strategy, ctx.policy.options, {
    attempt: task.attempt,
    status: failure.status,
    retryAfterMs: failure.retryAfterMs,
    error: failure.error,
    firstAttemptAt,
    queue: task.queue,
    random: ctx.random,
  });
  if (!delay.ok) return { exhausted: true, runAt: null, note: delay.message };
  const runAt = new Date(ctx.now.getTime() + delay.delayMs);
  const limit = ctx.policy.maxRetryDurationMs;
  if (limit > 0 && runAt.getTime() - firstAttemptAt.getTime() > limit) {
    return { exhausted: true, runAt: null, note: 'maxRetryDuration used' };
  }
  return { exhausted: false, runAt };
}

function settle(
  task: TaskRecord,
  ctx: OutcomeContext,
  event: TaskEvent,
  outcome: AttemptOutcome,
  record: Omit<Settlement['record'], 'outcome'>,
  runAt: Date | null,
  nextAttempt: number,
  backpressure: boolean,
  lastError: string | null,
): Decision {
  const state = nextState(task.state, event);
  if (state === undefined) throw new Error(`the machine refuses ${event.type} from ${task.state}: a scheduler bug`);
  return {
    event,
    backpressure,
    settlement: {
      taskId: task.id,
      attempt: task.attempt,
      owner: ctx.owner,
      state,
      nextAttempt,
      runAt: event.type === 'interrupt' ? ctx.now : runAt,
      lastStatus: record.status,
      lastError: outcome === 'completed' ? null : lastError,
      record: { ...record, outcome },
    },
  };
}

export function describeFailure(result: Pick<DispatchResult, 'status' | 'error' | 'errorKind' | 'responseExcerpt'>): string | null {
  if (result.status !== null) {
    if (result.status >= 200 && result.status < 300) return null;
    const excerpt = result.responseExcerpt?.replace(/\s+/g, ' ').trim().slice(0, 200);
    return excerpt ? `HTTP ${result.status}: ${excerpt}` : `HTTP ${result.status}`;
  }
  return result.error ?? result.errorKind ?? 'no response';
}
