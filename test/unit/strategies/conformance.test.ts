import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkStrategyConformance } from '../../../src/strategies/conformance.js';
import { builtinStrategies } from '../../../src/strategies/registry.js';
import {
  cloudTasksStrategy,
  exponentialStrategy,
  fixedStrategy,
  linearStrategy,
} from '../../../src/strategies/index.js';
import { defineStrategy, type AttemptInfo } from '../../../src/strategies/strategy.js';

/** A 1s-capped test strategy with the given delay function. */
const strategyWith = (delay: (info: AttemptInfo) => number) =>
  defineStrategy({ name: 'probe', optionsSchema: z.strictObject({}), maxDelayMs: () => 1000, delay });

// Raw option values the way a config gives them: ms numbers or duration strings.
const duration = (minMs: number, maxMs: number) =>
  fc.oneof(
    fc.integer({ min: minMs, max: maxMs }),
    fc.integer({ min: Math.ceil(minMs / 1000), max: Math.floor(maxMs / 1000) }).map((s) => `${s}s`),
  );
const jitter = fc.constantFrom('none', 'full', 'equal');
const ms = (raw: number | string) => (typeof raw === 'number' ? raw : Number(raw.slice(0, -1)) * 1000);
const DAY = 86_400_000;

describe('checkStrategyConformance', () => {
  it.each([...builtinStrategies.keys()])('passes the built-in %s with default options', (name) => {
    expect(checkStrategyConformance(builtinStrategies.get(name)!)).toEqual({ ok: true, failures: [] });
  });

  const runs = { numRuns: 40 };
  it('passes exponential for arbitrary valid options', () => {
    fc.assert(
      fc.property(
        duration(1, DAY),
        duration(1, 30 * DAY),
        fc.double({ min: 1, max: 100, noNaN: true }),
        jitter,
        (initialDelay, maxDelay, factor, j) => {
          fc.pre(ms(maxDelay) >= ms(initialDelay));
          const result = checkStrategyConformance(
            exponentialStrategy,
            { initialDelay, maxDelay, factor, jitter: j },
            { samples: 1 },
          );
          expect(result).toEqual({ ok: true, failures: [] });
        },
      ),
      runs,
    );
  });

  it('passes linear for arbitrary valid options', () => {
    fc.assert(
      fc.property(duration(0, DAY), duration(0, DAY), duration(0, 30 * DAY), (initialDelay, increment, maxDelay) => {
        fc.pre(ms(maxDelay) >= ms(initialDelay));
        expect(checkStrategyConformance(linearStrategy, { initialDelay, increment, maxDelay }, { samples: 1 })).toEqual(
          { ok: true, failures: [] },
        );
      }),
      runs,
    );
  });

  it('passes fixed for arbitrary valid options', () => {
    fc.assert(
      fc.property(duration(0, 365 * DAY), (delay) => {
        expect(checkStrategyConformance(fixedStrategy, { delay }, { samples: 1 })).toEqual({ ok: true, failures: [] });
      }),
      runs,
    );
  });

  it('passes cloud-tasks for arbitrary valid options', () => {
    fc.assert(
      fc.property(
        duration(1, DAY),
        duration(1, 365 * DAY),
        fc.integer({ min: 0, max: 100 }),
        jitter,
        (minBackoff, maxBackoff, maxDoublings, j) => {
          fc.pre(ms(maxBackoff) >= ms(minBackoff));
          const options = { minBackoff, maxBackoff, maxDoublings, jitter: j };
          expect(checkStrategyConformance(cloudTasksStrategy, options, { samples: 1 })).toEqual({
            ok: true,
            failures: [],
          });
        },
      ),
      runs,
    );
  });

  it('catches a negative delay at a late attempt', () => {
    const result = checkStrategyConformance(strategyWith((info) => (info.attempt > 90 ? -1 : 10)));
    expect(result.ok).toBe(false);
    expect(result.failures[0]).toBe(
      'attempt 91 (status none, random() = 0): returned -1; expected a finite number >= 0',
    );
  });

  it('tries random() = 0 and random() = 0.999999 even with no seeded samples', () => {
    const atZero = checkStrategyConformance(
      strategyWith((info) => 1 / info.random()),
      undefined,
      { samples: 0 },
    );
    expect(atZero.failures[0]).toMatch(/random\(\) = 0\): returned Infinity/);
    const nearOne = checkStrategyConformance(
      strategyWith((info) => (info.random() > 0.9999 ? 2000 : 0)),
      undefined,
      { samples: 0 },
    );
    expect(nearOne.failures[0]).toMatch(/random\(\) = 0.999999\): returned 2000, above maxDelayMs 1000/);
  });

  it('catches NaN, throws, impurity and Math.random, each reported separately', () => {
    let calls = 0;
    const result = checkStrategyConformance(
      strategyWith((info) => {
        if (info.attempt === 7) return Number.NaN;
        if (info.attempt === 8) throw new Error('no data');
        if (info.attempt === 9) return ++calls % 1000;
        return Math.floor(Math.random() * 0);
      }),
    );
    expect(result.failures[0]).toBe(
      'calls Math.random; use attemptInfo.random so a stored attempt replays to the same delay',
    );
    expect(result.failures).toContain(
      'attempt 7 (status none, random() = 0): returned NaN; expected a finite number >= 0',
    );
    expect(result.failures).toContain('attempt 8 (status none, random() = 0): threw no data');
    expect(result.failures.some((f) => /^attempt 9 .*not pure: returned 1, then 2/.test(f))).toBe(true);
    expect(result.failures.some((f) => /^\.\.\. and \d+ more "not pure" failures$/.test(f))).toBe(true);
  });

  it('reports options the schema rejects and a malformed strategy instead of throwing', () => {
    expect(checkStrategyConformance(exponentialStrategy, { factor: 0 })).toEqual({
      ok: false,
      failures: ['options.factor rejected by optionsSchema: expected a number >= 1, got 0'],
    });
    const result = checkStrategyConformance({ name: 'half' } as never);
    expect(result.ok).toBe(false);
    expect(result.failures).toHaveLength(3);
  });

  it('reports a maxDelayMs that is not a usable number', () => {
    const broken = { ...strategyWith(() => 0), maxDelayMs: () => -5 };
    expect(checkStrategyConformance(broken)).toEqual({
      ok: false,
      failures: ['maxDelayMs returned -5; expected a finite number >= 0'],
    });
  });
});
