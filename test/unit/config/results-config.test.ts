import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { checkCallbackTarget } from '../../../src/rules/callback-target.js';

/** `response.maxBytes` and `callbacks` in config (docs/spec.md 9, 11.4, 11.5), and the callback rule enqueueWithin shares. */
const target = 'https://example.com/tasks';

function problems(raw: unknown): string[] {
  try {
    parseConfig(raw, undefined, {});
  } catch (error) {
    return (error as { details: { path: string; message: string }[] }).details.map((d) => `${d.path}: ${d.message}`);
  }
  return [];
}

describe('response.maxBytes', () => {
  it('defaults to the 1 KB excerpt and accepts up to 1 MiB', () => {
    const config = parseConfig({ queues: { a: { target }, b: { target, response: { maxBytes: 1_048_576 } } } });
    expect(config.queues.a.response.maxBytes).toBe(1024);
    expect(config.queues.b.response.maxBytes).toBe(1_048_576);
  });

  it('refuses more than 1 MiB, or less than the excerpt, naming the field and the limit', () => {
    expect(problems({ queues: { a: { target, response: { maxBytes: 1_048_577 } } } })).toEqual([
      'queues.a.response.maxBytes: expected an integer <= 1048576, got 1048577',
    ]);
    expect(problems({ queues: { a: { target, response: { maxBytes: 10 } } } })).toEqual([
      'queues.a.response.maxBytes: expected an integer >= 1024, got 10',
    ]);
  });
});

describe('queue callbacks', () => {
  it('takes a configured queue and a path inside its target (normalized)', () => {
    const config = parseConfig({
      queues: { a: { target, callbacks: { onComplete: { queue: 'b', path: 'done' } } }, b: { target } },
    });
    expect(config.queues.a.callbacks?.onComplete).toEqual({ queue: 'b', path: '/done' });
  });

  it('refuses an unknown queue and a path that leaves the target, naming each field', () => {
    const raw = {
      queues: {
        a: {
          target,
          callbacks: { onComplete: { queue: 'nope', path: '/x' }, onFailure: { queue: 'a', path: '/../up' } },
        },
      },
    };
    const found = problems(raw);
    expect(found).toHaveLength(2);
    expect(found[0]).toMatch(/^queues\.a\.callbacks\.onComplete\.queue: expected a configured queue/);
    expect(found[1]).toMatch(/^queues\.a\.callbacks\.onFailure\.path: /);
  });
});

describe('checkCallbackTarget (enqueueWithin: no config)', () => {
  it('checks the shape and a relative path only', () => {
    expect(checkCallbackTarget('onComplete', { queue: 'b', path: 'x' })).toEqual({ ok: true, queue: 'b', path: '/x' });
    expect(checkCallbackTarget('onFailure', 'b')).toMatchObject({ ok: false, field: 'onFailure' });
    expect(checkCallbackTarget('onFailure', { queue: 'b c' })).toMatchObject({ ok: false, field: 'onFailure.queue' });
    expect(checkCallbackTarget('onFailure', { queue: 'b', path: 'https://evil.example/' })).toMatchObject({
      ok: false,
      field: 'onFailure.path',
    });
    expect(checkCallbackTarget('onFailure', { queue: 'b', extra: 1 })).toMatchObject({
      ok: false,
      field: 'onFailure.extra',
    });
  });
});
