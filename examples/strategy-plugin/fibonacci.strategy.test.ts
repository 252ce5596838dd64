import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import {
  checkStrategyConformance,
  nextRetryDelay,
  type AttemptInfo,
  type RetryStrategy,
} from '../../src/strategies/index.js';
import { resolveRetryPolicies } from '../../src/strategies/load-plugins.js';

const here = path.dirname(fileURLToPath(import.meta.url));
// Imported by URL, as the scheduler does: the plugin is plain JavaScript with no type declarations.
const fibonacci = (await import(new URL('./fibonacci.strategy.js', import.meta.url).href)) as RetryStrategy<{
  unit: number;
  maxDelay: number;
}>;

const info = (attempt: number): AttemptInfo => ({
  attempt,
  status: 500,
  retryAfterMs: null,
  error: null,
  firstAttemptAt: new Date(0),
  queue: 'emails',
  random: () => 0.5,
});

describe('fibonacci strategy plugin', () => {
  it('passes the conformance check with default and custom options', () => {
    expect(checkStrategyConformance(fibonacci)).toEqual({ ok: true, failures: [] });
    expect(checkStrategyConformance(fibonacci, { unit: '2s', maxDelay: '30m' }, { samples: 2 })).toEqual({
      ok: true,
      failures: [],
    });
  });

  it('grows along the Fibonacci sequence and stops at maxDelay', async () => {
    const config = parseConfig(
      {
        queues: {
          emails: {
            target: 'https://app.example.com',
            retry: { strategy: './fibonacci.strategy.js', options: { unit: '1s', maxDelay: '10s' } },
          },
        },
      },
      { file: path.join(here, 'dispatchr.yml'), dir: here },
    );
    const policy = (await resolveRetryPolicies(config)).get('emails')!;
    expect(policy.strategy.name).toBe('fibonacci');
    const delays = [1, 2, 3, 4, 5, 6, 7].map((attempt) =>
      nextRetryDelay(policy.strategy, policy.options, info(attempt)),
    );
    expect(delays.map((d) => (d.ok ? d.delayMs : d.message))).toEqual([1000, 2000, 3000, 5000, 8000, 10_000, 10_000]);
  });

  it('rejects options outside its limits at start-up', async () => {
    const config = parseConfig(
      {
        queues: {
          emails: {
            target: 'https://app.example.com',
            retry: { strategy: './fibonacci.strategy.js', options: { unit: 'soon' } },
          },
        },
      },
      { file: null, dir: here },
    );
    await expect(resolveRetryPolicies(config)).rejects.toMatchObject({
      code: 'config_invalid',
      details: [
        {
          path: 'queues.emails.retry.options.unit',
          message: expect.stringContaining(
            'strategy "fibonacci" (./fibonacci.strategy.js): expected a duration from 1ms to 365d, got "soon"',
          ),
        },
      ],
    });
  });
});
