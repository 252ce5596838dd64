/**
 * Dispatch cases on the retry budget, attempt numbers and Retry-After (docs/spec.md 5.2, 6, 7).
 * The kit's queue retries at a fixed 300 ms, 3 attempts in all; timing is judged on the arrival
 * times at the kit's own target, with a little slack for timers and polling.
 */
import { expectEqual, expectTrue } from '../assert.js';
import type { ConformanceCase, KitContext } from '../kit.js';
import {
  expectNoMoreRequests,
  expectRun,
  header,
  KIT_RETRY_DELAY_MS,
  runScripted,
  SLACK_MS,
} from './dispatch-support.js';

const budget: ConformanceCase = {
  name: '7 a task is tried maxAttempts times in all, then failed, each attempt with a new number',
  section: '7',
  level: 'MUST',
  group: 'dispatch',
  async run(kit) {
    const run = await runScripted(kit, kit.names.queue, 'budget', '500');
    expectRun(run, 'always 500, queue maxAttempts 3', {
      state: 'failed',
      requests: 3,
      statuses: [500, 500, 500],
      outcomes: ['retry', 'retry', 'failed'],
    });
    expectEqual(run.task.attempt, 3, 'the task attempt');
    expectEqual(
      run.requests.map((r) => header(r, 'dispatchr-attempt')),
      ['1', '2', '3'],
      'Dispatchr-Attempt: never the same number twice',
    );
    expectEqual(
      run.task.attempts.map((a: any) => a.number),
      [1, 2, 3],
      'the recorded attempt numbers',
    );
    await expectNoMoreRequests(kit, run.marker, 3, 'a failed task');
  },
};

const perTaskBudget: ConformanceCase = {
  name: "7 a task's own maxAttempts replaces the queue's",
  section: '7',
  level: 'MUST',
  group: 'dispatch',
  async run(kit) {
    await Promise.all(
      [1, 2].map(async (maxAttempts) => {
        const run = await runScripted(kit, kit.names.queue, `max${maxAttempts}`, '500', { maxAttempts });
        expectRun(run, `always 500, the task's maxAttempts ${maxAttempts}`, {
          state: 'failed',
          requests: maxAttempts,
        });
        expectEqual(
          run.requests.map((r) => header(r, 'dispatchr-attempt')),
          maxAttempts === 1 ? ['1'] : ['1', '2'],
          `maxAttempts ${maxAttempts}: Dispatchr-Attempt`,
        );
        await expectNoMoreRequests(kit, run.marker, maxAttempts, `maxAttempts ${maxAttempts}`);
      }),
    );
  },
};

/** The gap between the first two requests of a run. */
function gap(run: { requests: Array<{ at: number }> }): number {
  return run.requests[1].at - run.requests[0].at;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A strategy option as `GET /v1/queues` shows it: milliseconds, or a duration with a unit. */
function durationMs(value: unknown): number | null {
  if (typeof value === 'number') return value;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(String(value));
  return match ? Number(match[1]) * UNIT_MS[match[2]] : null;
}

/**
 * The longest delay of the queue's retry strategy (spec 7), which caps `Retry-After` (spec 6):
 * `fixed` the larger of its `delay` and one hour, the others `maxDelay` / `maxBackoff` (spec 7.1).
 * Null for a strategy the kit does not know (a plugin): then `Retry-After` is taken as uncapped.
 */
async function strategyMaxDelayMs(kit: KitContext, queue: string): Promise<number | null> {
  const res = await kit.api.request('GET', '/v1/queues');
  const retry = (res.json?.queues ?? []).find((q: any) => q?.name === queue)?.config?.retry;
  const options = retry?.options ?? {};
  if (retry?.strategy === 'fixed') {
    const delay = durationMs(options.delay ?? '10s');
    return delay === null ? null : Math.max(delay, 3_600_000);
  }
  if (retry?.strategy === 'exponential' || retry?.strategy === 'linear') return durationMs(options.maxDelay ?? '1h');
  if (retry?.strategy === 'cloud-tasks') return durationMs(options.maxBackoff ?? '1h');
  return null;
}

const RETRY_AFTER_MS = 2_000;

const retryAfter: ConformanceCase = {
  name: '6 Retry-After on a 429 or 503 delays the next attempt',
  section: '6',
  level: 'MUST',
  group: 'dispatch',
  // A 429 or 503 slows the whole queue down (spec 6): alone, it slows no other case.
  serial: true,
  async run(kit) {
    // Retry-After is honoured up to the strategy's maximum delay (an hour for the kit's fixed
    // 300 ms); a configuration whose strategy caps lower is checked up to its cap.
    const cap = await strategyMaxDelayMs(kit, kit.names.queue);
    const expected = cap === null ? RETRY_AFTER_MS : Math.min(RETRY_AFTER_MS, cap);
    if (expected < RETRY_AFTER_MS)
      kit.log(
        `Retry-After: 2 checked only up to ${expected} ms: the queue's retry strategy caps every delay there (spec 6)`,
      );
    await Promise.all(
      ['503ra2,200', '429ra2,200'].map(async (steps) => {
        const run = await runScripted(kit, kit.names.queue, `ra-${steps}`, steps);
        expectRun(run, `${steps}`, { state: 'completed', requests: 2 });
        const ms = gap(run);
        expectTrue(
          ms >= expected - SLACK_MS,
          `${steps}: the second attempt came ${ms} ms after the first, before Retry-After: 2 allowed (capped at ${expected} ms by the strategy's maximum delay)`,
        );
      }),
    );
  },
};

const retryAfterOnlyLengthens: ConformanceCase = {
  name: "6 Retry-After: 0 does not shorten the strategy's delay",
  section: '6',
  level: 'MUST',
  group: 'dispatch',
  serial: true,
  async run(kit) {
    const run = await runScripted(kit, kit.names.queue, 'ra0', '503ra0,200');
    expectRun(run, '503 with Retry-After: 0, then 200', { state: 'completed', requests: 2 });
    const ms = gap(run);
    expectTrue(
      ms >= KIT_RETRY_DELAY_MS - SLACK_MS / 2,
      `the second attempt came ${ms} ms after the first, sooner than the queue's fixed ${KIT_RETRY_DELAY_MS} ms delay`,
    );
  },
};

export const dispatchRetryCases: ConformanceCase[] = [budget, perTaskBudget, retryAfter, retryAfterOnlyLengthens];
