/**
 * Dispatch cases on the outcome table (docs/spec.md 6): what each answer, timeout or broken
 * connection makes of a task, and a queue's statusMap. Each answer is scripted into the task's
 * path, so the cases run side by side without sharing anything at the target.
 */
import type { ConformanceCase } from '../kit.js';
import { expectNoMoreRequests, expectRun, runScripted } from './dispatch-support.js';

/** One case that runs a task per answer, concurrently, and checks each with `check`. */
function perAnswer(
  name: string,
  answers: string[],
  queue: 'queue' | 'mapped',
  check: (answer: string, run: Awaited<ReturnType<typeof runScripted>>) => Promise<void> | void,
  options: { timeoutMs?: number; pushesBack?: boolean } = {},
): ConformanceCase {
  return {
    name,
    section: '6',
    level: 'MUST',
    group: 'dispatch',
    timeoutMs: options.timeoutMs,
    // A 429, 503 or timeout slows the whole queue down (spec 6): alone, it slows no other case.
    serial: options.pushesBack === true,
    async run(kit) {
      await Promise.all(
        answers.map(async (answer) => {
          const run = await runScripted(kit, kit.names[queue], `out-${answer}`, answer);
          await check(answer, run);
          await expectNoMoreRequests(kit, run.marker, run.requests.length, `answer ${answer}`);
        }),
      );
    },
  };
}

/** `503,200` → 503: the status the first attempt got. */
const firstStatus = (answer: string) => Number(answer.slice(0, 3));

export const dispatchOutcomeCases: ConformanceCase[] = [
  perAnswer('6 a 2xx answer completes the task', ['200', '201', '204'], 'queue', (answer, run) =>
    expectRun(run, `answer ${answer}`, {
      state: 'completed',
      requests: 1,
      statuses: [Number(answer)],
      outcomes: ['completed'],
    }),
  ),
  perAnswer('6 400, 404 and 418 fail the task at once', ['400', '404', '418'], 'queue', (answer, run) =>
    expectRun(run, `answer ${answer}`, {
      state: 'failed',
      requests: 1,
      statuses: [Number(answer)],
      outcomes: ['failed'],
    }),
  ),
  perAnswer(
    '6 a 3xx answer fails the task at once and is not followed',
    ['301', '302', '307'],
    'queue',
    (answer, run) =>
      expectRun(run, `answer ${answer}`, {
        state: 'failed',
        requests: 1,
        statuses: [Number(answer)],
        outcomes: ['failed'],
      }),
  ),
  perAnswer(
    '6 408, 429, 500 and 503 are retried',
    ['408,200', '429,200', '500,200', '503,200'],
    'queue',
    (answer, run) =>
      expectRun(run, `answers ${answer}`, {
        state: 'completed',
        requests: 2,
        statuses: [firstStatus(answer), 200],
        outcomes: ['retry', 'completed'],
      }),
    { pushesBack: true },
  ),
  perAnswer(
    '6 a timeout is retried and records no status',
    ['hang,200'],
    'queue',
    (_answer, run) => {
      expectRun(run, 'no answer within the timeout, then 200', {
        state: 'completed',
        requests: 2,
        statuses: [null, 200],
        outcomes: ['retry', 'completed'],
      });
    },
    { timeoutMs: 25_000, pushesBack: true },
  ),
  perAnswer('6 a reset connection is retried', ['reset,200'], 'queue', (_answer, run) =>
    expectRun(run, 'a reset connection, then 200', {
      state: 'completed',
      requests: 2,
      statuses: [null, 200],
      outcomes: ['retry', 'completed'],
    }),
  ),
  perAnswer(
    '6 statusMap maps an exact code: 409 retried, 404 completed, 418 failed',
    ['409,200', '404', '418'],
    'mapped',
    (answer, run) => {
      if (answer === '409,200')
        return expectRun(run, 'statusMap "409": "retry"', {
          state: 'completed',
          requests: 2,
          statuses: [409, 200],
          outcomes: ['retry', 'completed'],
        });
      if (answer === '404')
        return expectRun(run, 'statusMap "404": "completed"', {
          state: 'completed',
          requests: 1,
          statuses: [404],
          outcomes: ['completed'],
        });
      return expectRun(run, 'statusMap "418": "failed"', {
        state: 'failed',
        requests: 1,
        statuses: [418],
        outcomes: ['failed'],
      });
    },
  ),
  perAnswer(
    '6 statusMap: an exact code beats its class, a class beats the default',
    ['500', '503,200'],
    'mapped',
    (answer, run) => {
      if (answer === '500')
        return expectRun(run, 'statusMap "5xx": "failed" (default: retry)', {
          state: 'failed',
          requests: 1,
          statuses: [500],
          outcomes: ['failed'],
        });
      return expectRun(run, 'statusMap "503": "retry" beats "5xx": "failed"', {
        state: 'completed',
        requests: 2,
        statuses: [503, 200],
        outcomes: ['retry', 'completed'],
      });
    },
    { pushesBack: true },
  ),
];
