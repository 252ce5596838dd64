import { describe, expect, it } from 'vitest';
import { readRetry } from '../../../src/operator/enqueue-input.js';
import { checkTaskRetry, parseTaskRetryText, taskRetryText } from '../../../src/rules/task-retry.js';
import type { RetryPolicy } from '../../../src/strategies/load-plugins.js';
import { cloudTasksStrategy, exponentialStrategy, parseStrategyOptions } from '../../../src/strategies/index.js';
import { applyTaskRetry, taskRetryPolicy } from '../../../src/strategies/task-retry-policy.js';

/** A task's own retry settings over its queue's policy (spec 11.3), and their stored form. */
function policyOf(strategy: typeof exponentialStrategy | typeof cloudTasksStrategy, raw: Record<string, unknown>) {
  const parsed = parseStrategyOptions(strategy as never, raw);
  if (!parsed.ok) throw new Error('bad test options');
  return {
    strategy,
    options: parsed.options,
    rawOptions: raw,
    maxAttempts: 5,
    maxRetryDurationMs: 3_600_000,
  } as RetryPolicy;
}

describe('task retry settings', () => {
  it("lays the task's options over the queue's raw options, key by key, through the strategy's schema", () => {
    const queue = policyOf(exponentialStrategy, { initialDelay: '2s', maxDelay: '10m', jitter: 'none' });
    const applied = applyTaskRetry({ maxRetryDurationMs: 60_000, options: { initialDelay: '100ms' } }, queue);
    expect(applied).toEqual({
      ok: true,
      policy: expect.objectContaining({
        strategy: exponentialStrategy,
        options: { initialDelay: 100, factor: 2, maxDelay: 600_000, jitter: 'none' },
        maxRetryDurationMs: 60_000,
        maxAttempts: 5,
      }),
    });
    // The duration alone keeps the queue's parsed options as they are.
    const durationOnly = applyTaskRetry({ maxRetryDurationMs: 1_000, options: null }, queue);
    expect(durationOnly.ok && durationOnly.policy.options).toBe(queue.options);
  });

  it('names each refused option under retry, with the strategy, and clamps a wider window to the queue', () => {
    const queue = policyOf(cloudTasksStrategy, { minBackoff: '1s' });
    const text = taskRetryText({ maxRetryDurationMs: 7_200_000, options: { maxDoublings: -1, nope: true } })!;
    const resolved = taskRetryPolicy(queue, text);
    expect(resolved.ok).toBe(false);
    const message = resolved.ok ? '' : resolved.message;
    expect(message).toBe(
      'retry.options.maxDoublings: expected an integer >= 0, got -1 (strategy "cloud-tasks"); retry.options.nope: unknown option (strategy "cloud-tasks")',
    );
    // A window over the queue's runs within the queue's (as maxAttempts is clamped to its cap).
    const wide = taskRetryPolicy(queue, taskRetryText({ maxRetryDurationMs: 7_200_000, options: null }));
    expect(wide.ok && wide.policy.maxRetryDurationMs).toBe(3_600_000);
    const narrow = taskRetryPolicy(queue, taskRetryText({ maxRetryDurationMs: 60_000, options: null }));
    expect(narrow.ok && narrow.policy.maxRetryDurationMs).toBe(60_000);
  });

  it('answers the queue policy itself for a task without settings, and caches a resolution by its text', () => {
    const queue = policyOf(exponentialStrategy, {});
    expect(taskRetryPolicy(queue, null)).toEqual({ ok: true, policy: queue });
    const text = taskRetryText({ maxRetryDurationMs: null, options: { factor: 3 } })!;
    const first = taskRetryPolicy(queue, text);
    const again = taskRetryPolicy(queue, text);
    expect(first.ok && again.ok && again.policy).toBe(first.ok && first.policy);
    // Unreadable text from another writer is a failure with a message, never a throw.
    expect(taskRetryPolicy(queue, '{not json')).toEqual({ ok: false, message: expect.stringContaining('not JSON') });
    expect(taskRetryPolicy(queue, '{"options":[1]}')).toEqual({
      ok: false,
      message: 'retry.options: expected an object',
    });
  });

  it('stores null for empty settings and round-trips the stored text', () => {
    const checked = checkTaskRetry({});
    expect('retry' in checked && taskRetryText(checked.retry)).toBeNull();
    const full = checkTaskRetry({ maxRetryDuration: '1.5m', options: { delay: '5s' } });
    expect(full).toEqual({ retry: { maxRetryDurationMs: 90_000, options: { delay: '5s' } } });
    const text = taskRetryText('retry' in full ? full.retry : null)!;
    expect(parseTaskRetryText(text)).toEqual(full);
    expect(checkTaskRetry({ options: { pad: 'x'.repeat(3000) } })).toEqual({
      problems: [{ path: 'options', message: 'expected at most 2048 bytes of JSON, got 3010' }],
    });
  });

  it('reads the CLI flags into retry, numbers and booleans typed', () => {
    expect(readRetry(undefined, [])).toBeUndefined();
    expect(readRetry('10m', ['initialDelay=100ms', 'factor=3', 'jitter=none'])).toEqual({
      maxRetryDuration: '10m',
      options: { initialDelay: '100ms', factor: 3, jitter: 'none' },
    });
    expect(() => readRetry(undefined, ['factor'])).toThrow('--retry-option: expected "name=value", got "factor"');
  });
});
