import { backoffMs } from '../backoff.js';
import type { Settlement } from '../db/dispatch.repository.js';
import type { TaskRecord } from '../task.js';
import { holeyMap } from '../v8-shapes.js';
import { sendWithinMs, unsentResult, type DispatchRequest, type DispatchResult } from '../workers/protocol.js';
import { failpoint } from './failpoints.js';
import { decideOutcome, type Decision, type OutcomeContext } from './outcome.js';
import { DATABASE_BACKOFF, errorText, type ProducerDeps } from './producer-deps.js';
import type { QueueRate } from './queue-rate.js';
import { withResultAndCallback } from './callbacks.js';
import { buildDispatchRequest } from './request-builder.js';
import { taskRetryPolicy } from '../strategies/task-retry-policy.js';
import { delay } from './wait.js';

const ABORTED = AbortSignal.abort();

/**
 * One claimed batch, sent and settled: each task's request is built (a refused target fails at
 * once, unsent), the sendable ones go to the worker pool as one batch within their leases, every
 * result is decided (outcome.ts) and all outcomes are written in one statement. Infrastructure
 * failures (the pool itself) reject; outcomes never do.
 */
export function createBatchDispatch(deps: ProducerDeps, rate: QueueRate): (tasks: TaskRecord[]) => Promise<void> {
  const { name, logger } = deps;

  async function dispatchAndSettle(tasks: TaskRecord[]): Promise<void> {
    failpoint('after-claim', () => tasks.map((task) => task.id));
    const refused: Decision[] = [];
    const refusedTasks: TaskRecord[] = [];
    const sendable: TaskRecord[] = [];
    const requests = [];
    for (const task of tasks) {
      const built = retryRefusal(task) ?? buildDispatchRequest(task, deps.queue, deps.leaseMs);
      if (built.ok) {
        sendable.push(task);
        requests.push(built.request);
      } else {
        // The request builder refused the target, or the task's retry settings do not fit: failed at once, nothing sent.
        refused.push(
          decideOutcome(
            task,
            unsentResult({ taskId: task.id, attempt: task.attempt }, 'guard-refused', built.reason, deps.clock.now()),
            context(),
          ),
        );
        refusedTasks.push(task);
      }
    }
    const fenced = deps.mayDispatch?.() === false;
    // Watched from before the send, so a cancel heard meanwhile is not missed (cancel-watch.ts).
    deps.cancels?.track(sendable);
    let results: DispatchResult[];
    try {
      results = await sendWithinLease(requests, sendable, fenced);
    } finally {
      deps.cancels?.untrack(sendable);
    }
    failpoint('after-response', () => tasks.map((task) => task.id));
    const decisions = holeyMap(sendable, (task, i) => decideOutcome(task, results[i], context()));
    // Sent first, then refused: decisions and tasks in the same order.
    const all = refused.length === 0 ? decisions : decisions.concat(refused);
    // A finishing task's stored result and callback task ride on its settlement (callbacks.ts).
    const now = deps.clock.now();
    await settle(
      holeyMap(all, (d, i) =>
        i < sendable.length
          ? withResultAndCallback(d.settlement, sendable[i], deps.queue, results[i], now)
          : withResultAndCallback(d.settlement, refusedTasks[i - sendable.length], deps.queue, null, now),
      ),
    );
    deps.onDecisions?.(all, refused.length === 0 ? sendable : sendable.concat(refusedTasks), results);
    rate.observe(decisions);
  }

  /**
   * A request is only sent while the task's lease covers its whole timeout plus a margin
   * (protocol.ts, sendWithinMs); a task whose lease no longer does (it waited too long after its
   * claim) is given back unsent, recorded as interrupted. The timeout is never shortened. So no
   * request of this scheduler is ever in flight after its lease expired, when the rescuer may
   * already have handed the task to another scheduler.
   */
  async function sendWithinLease(
    requests: DispatchRequest[],
    tasks: TaskRecord[],
    fenced: boolean,
  ): Promise<DispatchResult[]> {
    if (requests.length === 0) return [];
    if (fenced) return deps.pool.dispatch(requests, { signal: ABORTED });
    const now = deps.clock.now().getTime();
    const results: DispatchResult[] = new Array(requests.length);
    const send: DispatchRequest[] = [];
    const at: number[] = [];
    requests.forEach((request, i) => {
      const leaseLeftMs = (tasks[i].leaseExpiresAt?.getTime() ?? now + deps.leaseMs) - now;
      const waitMs = sendWithinMs(leaseLeftMs, request.timeoutMs, deps.leaseMs);
      if (deps.cancels?.wasCancelled(tasks[i].id)) {
        // Cancelled between its claim and now: not sent; the settle loses to the cancel.
        results[i] = unsentResult(request, 'aborted', 'cancelled before sending', deps.clock.now());
        return;
      }
      if (waitMs < 0) {
        // Recorded as interrupted: the attempt is not spent.
        const why = `not sent: ${Math.max(0, Math.round(leaseLeftMs))} ms of lease left, less than its ${request.timeoutMs} ms timeout and the margin`;
        results[i] = unsentResult(request, 'aborted', why, deps.clock.now());
        return;
      }
      // The worker sends it only within this time (it may wait for a connection to its target).
      request.sendWithinMs = waitMs;
      send.push(request);
      at.push(i);
    });
    if (send.length < requests.length) {
      logger.warn(
        { queue: name, givenBack: requests.length - send.length },
        'tasks waited past their lease before sending; given back unsent',
      );
    }
    const sent = send.length ? await deps.pool.dispatch(send) : [];
    sent.forEach((result, j) => (results[at[j]] = result));
    return results;
  }

  /**
   * A task whose own retry settings do not fit the queue's strategy (written by enqueueWithin,
   * which cannot see the config) is failed at once, unsent, with the field named (spec 11.3):
   * retrying could never make them fit. Only tasks with settings are looked at; the check is cached
   * by their text (task-retry-policy.ts).
   */
  function retryRefusal(task: TaskRecord): { ok: false; reason: string } | undefined {
    if (task.retry === null || task.retry === undefined) return undefined;
    const own = taskRetryPolicy(deps.policy, task.retry);
    return own.ok ? undefined : { ok: false, reason: own.message };
  }

  /**
   * A settle that lost its compare-and-set: the task was cancelled while running (or rescued by
   * another scheduler after this one's lease ran out). Where a cancel won, this scheduler gives
   * its lease up; the acknowledgement's own WHERE leaves any other case alone.
   */
  async function acknowledgeCancels(settlements: Settlement[], won: Set<string>): Promise<void> {
    const lost = settlements.filter((s) => !won.has(s.taskId)).map((s) => s.taskId);
    await deps.cancels?.acknowledge(lost);
  }

  function context(): OutcomeContext {
    return { queue: deps.queue, policy: deps.policy, owner: deps.owner, now: deps.clock.now(), random: deps.random };
  }

  /**
   * Writes outcomes, retrying through database outages while the lease still holds: an outcome is
   * only dropped when the lease is about to expire, and then the rescuer owns the task.
   */
  async function settle(settlements: Settlement[]): Promise<void> {
    const giveUpAt = deps.clock.now().getTime() + deps.leaseMs * 0.9;
    for (let attempt = 0; ; attempt++) {
      try {
        if (settlements.length > 1) failpoint('mid-settle', () => settlements.map((s) => s.taskId));
        const won = await deps.repository.settle(settlements, deps.clock.now());
        if (won.size < settlements.length) await acknowledgeCancels(settlements, won);
        return;
      } catch (error) {
        if (deps.clock.now().getTime() > giveUpAt) {
          logger.error(
            { queue: name, tasks: settlements.length, err: errorText(error) },
            'could not record outcomes before the lease ran out; the rescuer will retry these tasks',
          );
          return;
        }
        logger.warn({ queue: name, err: errorText(error) }, 'recording outcomes failed; retrying');
        await delay(backoffMs(attempt, DATABASE_BACKOFF));
      }
    }
  }

  return dispatchAndSettle;
}
