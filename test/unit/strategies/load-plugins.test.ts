import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { isDispatchrError, type DispatchrError } from '../../../src/errors.js';
import { checkStrategyConformance } from '../../../src/strategies/conformance.js';
import { resolveRetryPolicies, strategyFromModule } from '../../../src/strategies/load-plugins.js';
import { nextRetryDelay } from '../../../src/strategies/strategy.js';
import { attemptInfo } from './helpers.js';

const ZOD_DIR = path.resolve('node_modules/zod');
const roots: string[] = [];
let dir: string;

/** A fresh config folder per test, with zod linked in so plugins can `import { z } from 'zod'` as real ones do. */
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'dispatchr-strategies-'));
  roots.push(dir);
  mkdirSync(path.join(dir, 'node_modules'));
  symlinkSync(ZOD_DIR, path.join(dir, 'node_modules', 'zod'), 'dir');
});
afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

function write(relative: string, source: string): string {
  const file = path.join(dir, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, source);
  return file;
}

/** A plugin that waits `step` ms per attempt; `body` replaces its delay when given. */
function stepPlugin(body = 'return info.attempt * options.step;'): string {
  return `import { z } from 'zod';
export const name = 'stepper';
export const optionsSchema = z.strictObject({ step: z.number().int().min(1, { error: 'expected an integer >= 1' }).max(60000, { error: 'expected an integer <= 60000' }).default(100) });
export const maxDelayMs = (options) => options.step * 1000;
export function delay(info, options) { ${body} }
`;
}

const queue = (retry: Record<string, unknown>) => ({ target: 'https://app.example.com', retry });
const configWith = (queues: Record<string, unknown>) =>
  parseConfig({ queues }, { file: path.join(dir, 'dispatchr.yml'), dir });

async function problems(queues: Record<string, unknown>): Promise<DispatchrError['details']> {
  const error: unknown = await resolveRetryPolicies(configWith(queues)).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isDispatchrError(error, 'config_invalid')) throw new Error(`expected config_invalid, got ${String(error)}`);
  expect(error.status).toBe(2);
  return error.details;
}

describe('resolveRetryPolicies', () => {
  it('builds built-in policies with parsed options and the queue limits', async () => {
    const policies = await resolveRetryPolicies(
      configWith({
        plain: queue({}),
        tuned: queue({
          strategy: 'cloud-tasks',
          options: { minBackoff: '10s' },
          maxAttempts: 5,
          maxRetryDuration: '1h',
        }),
      }),
    );
    expect(policies.get('plain')).toMatchObject({
      strategy: { name: 'exponential' },
      options: { initialDelay: 1000, jitter: 'full' },
      maxAttempts: 25,
    });
    expect(policies.get('tuned')).toMatchObject({
      strategy: { name: 'cloud-tasks' },
      options: { minBackoff: 10_000, maxBackoff: 3_600_000, maxDoublings: 16, jitter: 'none' },
      maxAttempts: 5,
      maxRetryDurationMs: 3_600_000,
    });
  });

  it('loads a plugin by a path relative to the config folder, once for every queue that uses it', async () => {
    write('strategies/stepper.js', stepPlugin());
    const policies = await resolveRetryPolicies(
      configWith({
        a: queue({ strategy: './strategies/stepper.js', options: { step: 250 } }),
        b: queue({ strategy: './strategies/stepper.js' }),
      }),
    );
    const a = policies.get('a')!;
    expect(a.strategy.name).toBe('stepper');
    expect(a.options).toEqual({ step: 250 });
    expect(policies.get('b')!.options).toEqual({ step: 100 });
    expect(policies.get('b')!.strategy).toBe(a.strategy);
    expect(nextRetryDelay(a.strategy, a.options, attemptInfo(3))).toEqual({ ok: true, delayMs: 750 });
  });

  it('accepts absolute paths, file: URLs and a default export', async () => {
    const file = write(
      'default-export.js',
      `import { z } from 'zod';
export default { name: 'half-second', optionsSchema: z.object({}), maxDelayMs: () => 500, delay: () => 500 };
`,
    );
    const policies = await resolveRetryPolicies(
      configWith({ abs: queue({ strategy: file }), url: queue({ strategy: pathToFileURL(file).href }) }),
    );
    expect(policies.get('abs')!.strategy.name).toBe('half-second');
    expect(policies.get('url')!.strategy.delay(attemptInfo(1), {})).toBe(500);
  });

  it('resolves an npm package from the config folder', async () => {
    write(
      'node_modules/dispatchr-strategy-stepper/package.json',
      JSON.stringify({ name: 'dispatchr-strategy-stepper', type: 'module', exports: './index.js' }),
    );
    write('node_modules/dispatchr-strategy-stepper/index.js', stepPlugin());
    const policies = await resolveRetryPolicies(
      configWith({ q: queue({ strategy: 'dispatchr-strategy-stepper', options: { step: 5 } }) }),
    );
    expect(policies.get('q')).toMatchObject({ strategy: { name: 'stepper' }, options: { step: 5 } });
  });

  it('resolves an ESM-only package, whose "exports" only has an import condition', async () => {
    const exports = { '.': { types: './index.d.ts', import: './esm/index.js' }, './package.json': './package.json' };
    write(
      'node_modules/@acme/esm-strategy/package.json',
      JSON.stringify({ name: '@acme/esm-strategy', type: 'module', exports }),
    );
    write('node_modules/@acme/esm-strategy/esm/index.js', stepPlugin());
    const policies = await resolveRetryPolicies(configWith({ q: queue({ strategy: '@acme/esm-strategy' }) }));
    expect(policies.get('q')).toMatchObject({ strategy: { name: 'stepper' }, options: { step: 100 } });
  });

  it('unwraps a CommonJS package compiled from TypeScript (exports.default)', async () => {
    write('node_modules/cjs-strategy/package.json', JSON.stringify({ name: 'cjs-strategy', main: 'lib/index.js' }));
    write(
      'node_modules/cjs-strategy/lib/index.js',
      `"use strict"; Object.defineProperty(exports, "__esModule", { value: true });
exports.default = { name: 'cjs', optionsSchema: { safeParse: (v) => ({ success: true, data: v }) }, maxDelayMs: () => 9, delay: () => 9 };`,
    );
    const policies = await resolveRetryPolicies(configWith({ q: queue({ strategy: 'cjs-strategy' }) }));
    expect(policies.get('q')!.strategy.delay(attemptInfo(1), {})).toBe(9);
  });

  it('finds the strategy in each module shape Node hands back', () => {
    const strategy = { name: 's', delay: () => 1 };
    expect(strategyFromModule({ name: 's', delay: strategy.delay, default: { other: true } })).toMatchObject({
      name: 's',
    });
    expect(strategyFromModule({ default: strategy })).toBe(strategy);
    // what native Node gives for CommonJS compiled from TypeScript: default is the whole module.exports
    expect(strategyFromModule({ __esModule: true, default: { __esModule: true, default: strategy } })).toBe(strategy);
  });

  it('stops on a missing plugin file, naming the resolved path', async () => {
    expect(await problems({ emails: queue({ strategy: './strategies/nope.js' }) })).toEqual([
      {
        path: 'queues.emails.retry.strategy',
        message: `retry strategy plugin "./strategies/nope.js" not found: ${path.join(dir, 'strategies', 'nope.js')} does not exist (relative paths start from ${dir})`,
      },
    ]);
  });

  it('lists every missing or mistyped export of a malformed plugin', async () => {
    write(
      'no-delay.js',
      `export const name = 'broken'; export const optionsSchema = { safeParse: (v) => ({ success: true, data: v }) }; export const maxDelayMs = () => 1;`,
    );
    write(
      'wrong-types.js',
      `export const name = 42; export const optionsSchema = {}; export const delay = 'soon'; export const maxDelayMs = () => 1;`,
    );
    expect(
      await problems({ emails: queue({ strategy: './no-delay.js' }), sms: queue({ strategy: './wrong-types.js' }) }),
    ).toEqual([
      {
        path: 'queues.emails.retry.strategy',
        message:
          'retry strategy plugin "./no-delay.js" is malformed: expected an exported "delay" function (attemptInfo, options) => ms, got undefined',
      },
      {
        path: 'queues.sms.retry.strategy',
        message:
          'retry strategy plugin "./wrong-types.js" is malformed: expected an exported "name" (a non-empty string), got 42',
      },
      {
        path: 'queues.sms.retry.strategy',
        message:
          'retry strategy plugin "./wrong-types.js" is malformed: expected an exported "optionsSchema" (a zod schema, with safeParse), got {}',
      },
      {
        path: 'queues.sms.retry.strategy',
        message:
          'retry strategy plugin "./wrong-types.js" is malformed: expected an exported "delay" function (attemptInfo, options) => ms, got "soon"',
      },
    ]);
  });

  it('reports a plugin that fails to evaluate', async () => {
    write('syntax.js', 'export const name = ;');
    const [problem] = await problems({ emails: queue({ strategy: './syntax.js' }) });
    expect(problem.path).toBe('queues.emails.retry.strategy');
    expect(problem.message).toMatch(/^retry strategy plugin "\.\/syntax\.js" could not be loaded from .*syntax\.js: /);
  });

  it('reports options failing the schema at their own path, naming the plugin and the limit', async () => {
    write('stepper.js', stepPlugin());
    expect(await problems({ emails: queue({ strategy: './stepper.js', options: { step: 0, extra: true } }) })).toEqual([
      {
        path: 'queues.emails.retry.options.step',
        message: 'strategy "stepper" (./stepper.js): expected an integer >= 1, got 0',
      },
      { path: 'queues.emails.retry.options.extra', message: 'strategy "stepper" (./stepper.js): unknown option' },
    ]);
  });

  it('collects problems from every queue into one error, built-ins included', async () => {
    const details = await problems({
      a: queue({ strategy: 'exponental' }),
      b: queue({ strategy: 'exponential', options: { initialDelay: 'soon' } }),
      c: queue({ strategy: './missing.js' }),
      d: queue({ strategy: 'fixed' }),
    });
    expect(details.map((d) => d.path)).toEqual([
      'queues.a.retry.strategy',
      'queues.b.retry.options.initialDelay',
      'queues.c.retry.strategy',
    ]);
    expect(details[0].message).toBe('unknown retry strategy "exponental"; did you mean "exponential"?');
    expect(details[1].message).toMatch(/^strategy "exponential": expected a duration from 1ms to 365d .*, got "soon"$/);
  });

  it('explains an unknown name that is neither a built-in nor an installed package', async () => {
    const [unknown, bareFile] = await problems({
      a: queue({ strategy: 'no-such-strategy-pkg' }),
      b: queue({ strategy: 'fib.js' }),
    });
    expect(unknown.message).toContain(`unknown retry strategy "no-such-strategy-pkg"; expected one of "exponential"`);
    expect(unknown.message).toContain(`(no package "no-such-strategy-pkg" found from ${dir})`);
    expect(bareFile.message).toMatch(/; for a file next to the config write "\.\/fib\.js"$/);
  });

  it('refuses a plugin whose maxDelayMs is not a usable number', async () => {
    write('nan-max.js', stepPlugin().replace('options.step * 1000', 'Number.NaN'));
    expect(await problems({ q: queue({ strategy: './nan-max.js' }) })).toEqual([
      {
        path: 'queues.q.retry.strategy',
        message:
          'strategy "stepper" (./nan-max.js): maxDelayMs returned NaN for these options; expected a finite number >= 0',
      },
    ]);
  });

  it('loads a plugin returning -1 or NaN, whose delays then come back as data messages', async () => {
    write('negative.js', stepPlugin('return -1;'));
    write('nan.js', stepPlugin('return info.attempt > 2 ? Number.NaN : 10;'));
    const policies = await resolveRetryPolicies(
      configWith({ neg: queue({ strategy: './negative.js' }), nan: queue({ strategy: './nan.js' }) }),
    );
    const neg = policies.get('neg')!;
    const nan = policies.get('nan')!;
    expect(nextRetryDelay(neg.strategy, neg.options, attemptInfo(1))).toEqual({
      ok: false,
      message: 'strategy "stepper" returned -1 for attempt 1',
    });
    expect(nextRetryDelay(nan.strategy, nan.options, attemptInfo(2))).toEqual({ ok: true, delayMs: 10 });
    expect(nextRetryDelay(nan.strategy, nan.options, attemptInfo(3))).toEqual({
      ok: false,
      message: 'strategy "stepper" returned NaN for attempt 3',
    });
    expect(checkStrategyConformance(neg.strategy).ok).toBe(false);
  });
});
