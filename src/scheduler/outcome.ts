import type { QueueConfig } from '../config/schema.js';
import type { Settlement } from '../db/dispatch.repository.js';
import type { TaskEvent } from '../machines/task.events.js';
import { nextRetryDelay } from '../strategies/strategy.js';
import type { RetryPolicy } from '../strategies/load-plugins.js';
import { taskRetryPolicy } from '../strategies/task-retry-policy.js';
import type { AttemptOutcome, TaskRecord } from '../task.js';
import { effectiveMaxAttempts } from '../rules/task-limits.js';
import { classifyResult, statusText } from '../workers/classify.js';
import type { DispatchResult } from '../workers/protocol.js';
import { bounded, buildSettlement, type AttemptRecord, type SettlementInput } from './settlement.js';

/**
 * One attempt's result → the task's next state and the attempt record, as data. Pure: the clock and
 * the random source come in, so tests (and a restart) get the same answer from the same inputs.
 * The machine decides the state; this module only computes the event and the retry budget, and the
 * settlement builder (settlement.ts) turns them into the write.
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
  const backpressure = result.status === 429 || result.status === 503 || result.errorKind === 'timeout';

  if (result.errorKind === 'aborted') {
    // Cut by a graceful shutdown or by fencing after a lost heartbeat, or not sent at all because
    // its lease ran short: given back without spending the attempt (its number stays used).
    const why = result.error?.startsWith('not sent') ? result.error : 'interrupted (shutdown, or heartbeat lost)';
    // Due again at once: the attempt was not spent.
    const record = attemptRecord(result, 'interrupted', why);
    return decision(
      { task, owner: ctx.owner, event: { type: 'interrupt' }, record, runAt: ctx.now, lastError: why },
      backpressure,
    );
  }
  const classification = classifyResult(result, ctx.queue.statusMap);
  if (classification.outcome === 'completed') {
    const record = attemptRecord(result, 'completed', null);
    return decision(
      { task, owner: ctx.owner, event: { type: 'dispatch.succeeded' }, record, runAt: null, lastError: null },
      backpressure,
    );
  }
  // Every attempt that did not complete the task says why, the ones that got a status included.
  const failure = describeFailure(result, classification.reason);
  if (classification.outcome === 'failed') {
    const record = attemptRecord(result, 'failed', failure);
    return decision(
      { task, owner: ctx.owner, event: { type: 'dispatch.discarded' }, record, runAt: null, lastError: failure },
      backpressure,
    );
  }
  const retry = retryPlan(task, ctx, {
    status: result.status,
    retryAfterMs: classification.retryAfterMs,
    error: failure,
  });
  return decision(
    {
      task,
      owner: ctx.owner,
      event: { type: 'dispatch.failed', exhausted: retry.exhausted },
      record: attemptRecord(result, retry.exhausted ? 'failed' : 'retry', failure),
      runAt: retry.runAt,
      lastError: retry.note ? `${failure} (${retry.note})` : failure,
    },
    backpressure,
  );
}

/** The settlement, built once; a refusal by the machine here is a scheduler bug, never an outcome. */
function decision(input: SettlementInput, backpressure: boolean): Decision {
  const settlement = buildSettlement(input);
  if (settlement === undefined)
    throw new Error(`the machine refuses ${input.event.type} from ${input.task.state}: a scheduler bug`);
  return { event: input.event, backpressure, settlement };
}

function attemptRecord(result: DispatchResult, outcome: AttemptOutcome, error: string | null): AttemptRecord {
  return {
    startedAt: new Date(result.startedAtMs),
    finishedAt: new Date(result.finishedAtMs),
    status: result.status,
    durationMs: Math.round(result.durationMs),
    error: error === null ? null : bounded(error),
    responseExcerpt: result.responseExcerpt,
    outcome,
  };
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
  // The task's own maxAttempts (else the queue's), clamped to the queue's cap: a writer that could
  // not see the config (enqueueWithin) may have stored more than the queue allows.
  const maxAttempts = effectiveMaxAttempts(task.maxAttempts, ctx.queue);
  // Interrupted attempts keep their numbers but were given back: they do not count.
  const used = task.attempt - task.attemptsGivenBack;
  if (used >= maxAttempts) return { exhausted: true, runAt: null, note: `${maxAttempts} attempts used` };
  // The task's own retry settings over the queue's (spec 11.3); settings that do not fit the
  // queue's strategy were refused at dispatch already, so this fails only if the config changed since.
  const own = taskRetryPolicy(ctx.policy, task.retry);
  if (!own.ok) return { exhausted: true, runAt: null, note: own.message };
  const policy = own.policy;
  const firstAttemptAt = task.firstAttemptAt ?? task.attemptedAt ?? ctx.now;
  const delay = nextRetryDelay(policy.strategy, policy.options, {
    attempt: used,
    status: failure.status,
    retryAfterMs: failure.retryAfterMs,
    error: failure.error,
    firstAttemptAt,
    queue: task.queue,
    random: ctx.random,
  });
  if (!delay.ok) return { exhausted: true, runAt: null, note: delay.message };
  const runAt = new Date(ctx.now.getTime() + delay.delayMs);
  const limit = policy.maxRetryDurationMs;
  if (limit > 0 && runAt.getTime() - firstAttemptAt.getTime() > limit) {
    return { exhausted: true, runAt: null, note: 'maxRetryDuration used' };
  }
  return { exhausted: false, runAt };
}

/**
 * Why an attempt did not complete the task, for its `error` and the task's `lastError`: the status
 * and its reason phrase (`reason`, from the classification, names a statusMap entry that decided)
 * and the start of the answer's body; or, with no status, what went wrong.
 */
export function describeFailure(
  result: Pick<DispatchResult, 'status' | 'error' | 'errorKind' | 'responseExcerpt'>,
  reason?: string,
): string {
  if (result.status !== null) {
    const head = reason ?? statusText(result.status);
    const excerpt = result.responseExcerpt?.replace(/\s+/g, ' ').trim().slice(0, FAILURE_EXCERPT_CHARS);
    return excerpt ? `${head}: ${excerpt}` : head;
  }
  return result.error ?? result.errorKind ?? 'no response';
}

/** Characters of the response body quoted in an error; the whole excerpt is in responseExcerpt. */
const FAILURE_EXCERPT_CHARS = 200;
