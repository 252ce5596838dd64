import { describe, expect, it } from 'vitest';
import { joinTargetUrl, normalizeTaskPath } from '../../../src/rules/target-path.js';
import { targetUrlOf } from '../../../src/scheduler/target-url-cache.js';
import { loadVectors } from './load-vectors.js';

/**
 * spec/vectors/paths.json: a task path checked and normalized when the task is created, and the
 * URL the scheduler requests for it: the join, then WHATWG URL serialization (the worker parses
 * the joined text with `new URL` and sends its origin, pathname and search).
 */
interface PathCase {
  name: string;
  target: string;
  path: string;
  stored: string | null;
  url: string | null;
}

const { cases } = loadVectors<PathCase>('paths.json', 40);

describe('spec/vectors/paths.json', () => {
  it.each(cases)('$name', (c) => {
    const created = normalizeTaskPath(c.target, c.path);
    expect(created.ok ? created.path : null).toBe(c.stored);
    if (!created.ok) {
      expect(c.url).toBeNull();
      return;
    }
    const sent = new URL(joinTargetUrl(c.target, created.path));
    expect(sent.origin + sent.pathname + sent.search).toBe(c.url);
    // The scheduler's own path (checked again at dispatch, then joined) gives the same URL.
    const dispatched = targetUrlOf(c.target, created.path);
    expect(dispatched.ok && new URL(dispatched.url).href).toBe(sent.href);
  });
});
