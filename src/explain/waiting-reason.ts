import type { QueueConfig } from '../config/schema.js';
import type { TaskRecord } from '../task.js';

/**
 * "Why is this task not running?", answered from facts the database holds. Pure: the caller
 * gathers the facts (see explain-task.ts), so the reasoning is testable without a database.
 */
export type WaitingCode =
  | 'scheduled'
  | 'backing-off'
  | 'queue-paused'
  | 'no-scheduler'
  | 'at-max-concurrent'
  | 'at-rate-limit'
  | 'next-in-line'
  | 'queue-not-configured'
  | 'running'
  | 'finished';

export interface WaitingReason {
  code: WaitingCode;
  message: string;
}

export interface WaitingFacts {
  now: Date;
  queue: QueueConfig | undefined;
  paused: boolean;
  liveSchedulers: number;
  running: number;
  /** Due tasks of the queue that will be claimed before this one. */
  dueAhead: number;
}

const seconds = (ms: number) => `${Math.max(0, Math.round(ms / 100) / 10)} s`;

export function explainWaiting(task: TaskRecord, facts: WaitingFacts): WaitingReason {
  const { now } = facts;
  if (task.state === 'completed' || task.state === 'failed' || task.state === 'cancelled') {
    return { code: 'finished', message: `the task is ${task.state}` };
  }
  if (task.state === 'running') {
    const until = task.leaseExpiresAt ? `, lease until ${task.leaseExpiresAt.toISOString()}` : '';
    return {
      code: 'running',
      message: `attempt ${task.attempt} is running on scheduler ${task.leaseOwner ?? 'unknown'}${until}`,
    };
  }
  const dueInMs = task.runAt.getTime() - now.getTime();
  if (dueInMs > 0) {
    if (task.state === 'retryable') {
      const got = task.lastStatus !== null ? `status ${task.lastStatus}` : (task.lastError ?? 'no response');
      return {
        code: 'backing-off',
        message: `backing off after attempt ${task.attempt}, which got ${got}; next attempt at ${task.runAt.toISOString()} (in ${seconds(dueInMs)})`,
      };
    }
    return { code: 'scheduled', message: `scheduled for ${task.runAt.toISOString()} (in ${seconds(dueInMs)})` };
  }
  if (!facts.queue)
    return { code: 'queue-not-configured', message: `queue ${task.queue} is not configured on this recorder` };
  if (facts.paused) return { code: 'queue-paused', message: `queue ${task.queue} is paused` };
  if (facts.liveSchedulers === 0)
    return { code: 'no-scheduler', message: `no live scheduler serves queue ${task.queue}` };
  if (facts.running >= facts.queue.maxConcurrent) {
    return {
      code: 'at-max-concurrent',
      message: `queue ${task.queue} is at maxConcurrent (${facts.running} of ${facts.queue.maxConcurrent} running); ${facts.dueAhead} due tasks ahead`,
    };
  }
  if (facts.queue.rateLimit && facts.dueAhead >= facts.queue.rateLimit.perSecond) {
    return {
      code: 'at-rate-limit',
      message: `queue ${task.queue} is at its rate limit (${facts.queue.rateLimit.perSecond}/s) with ${facts.dueAhead} due tasks ahead`,
    };
  }
  return {
    code: 'next-in-line',
    message: `due ${seconds(-dueInMs)} ago; waiting for the next claim (${facts.dueAhead} due tasks ahead)`,
  };
}
