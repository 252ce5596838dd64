import { describe, expect, it } from 'vitest';
import { DispatchrValidationError, type TaskInput } from '../../../src/client/index.js';
import { checkTask, runAtOf } from '../../../src/client/task-rules.js';
import { toTaskInsertRow } from '../../../src/db/task-insert-row.js';

/**
 * What enqueueWithin refuses before it touches the database (no recorder stands in between), and
 * how an accepted task becomes a row: the recorder's header, path and JSON rules, and the
 * repository's state and runAt rules.
 */
const now = new Date('2025-06-01T12:00:00.000Z');
const check = (task: TaskInput, queue = 'emails') => checkTask(queue, task, { now, leaseMs: 120_000 });
/** The row enqueueWithin would write when the transaction started at `now`. */
const rowOf = (task: TaskInput) => {
  const { due, ...rest } = check(task);
  return toTaskInsertRow({ ...rest, runAt: runAtOf(due, now) }, now, 'id');
};

function problems(task: TaskInput, queue = 'emails'): string[] {
  try {
    check(task, queue);
  } catch (error) {
    expect(error).toBeInstanceOf(DispatchrValidationError);
    expect((error as DispatchrValidationError).code).toBe('validation_failed');
    return (error as DispatchrValidationError).errors.map((e) => e.path);
  }
  return [];
}

describe('checkTask: refused', () => {
  it('paths that climb out of the target, absolute URLs, control characters', () => {
    for (const path of [
      '/a/../b',
      '/%2e%2e/x',
      '/a\\b',
      '//evil.example/x',
      'https://evil.example/x',
      'user:1',
      '/a b',
      '/a#f',
      '/%zz',
    ]) {
      expect(problems({ path }), path).toEqual(['path']);
    }
  });

  it('headers with CR/LF, reserved names, duplicates, or too many', () => {
    expect(problems({ headers: { 'x-a': 'v\r\nx-b: 1' } })).toEqual(['headers.x-a']);
    expect(
      problems({
        headers: { 'Content-Type': 'text/plain', Host: 'h', 'Dispatchr-Attempt': '9', 'webhook-signature': 'v1,x' },
      }),
    ).toHaveLength(4);
    expect(problems({ headers: { 'X-A': '1', 'x-a': '2' } })).toEqual(['headers.x-a']);
    expect(problems({ headers: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`x-${i}`, 'v'])) })).toEqual([
      'headers',
    ]);
  });

  it('bodies PostgreSQL cannot store or that are not JSON, and GET with a body', () => {
    expect(problems({ body: { text: 'nul \u0000 here' } })).toEqual(['body.text']);
    expect(problems({ body: JSON.parse('{"__proto__": {"x": 1}}') })).toEqual(['body.__proto__']);
    expect(problems({ body: () => 1 })).toEqual(['body']);
    expect(problems({ body: { n: 10n } })).toEqual(['body']);
    expect(problems({ body: { a: 1 }, contentType: 'text/plain' })).toEqual(['contentType']);
    expect(problems({ body: { a: 1 }, bodyBase64: 'AA==' })).toEqual(['bodyBase64']);
    expect(problems({ bodyBase64: 'not base64!' })).toEqual(['bodyBase64']);
    expect(problems({ method: 'GET', body: { a: 1 } })).toEqual(['method']);
  });

  it('times: runAt with delay, bad dates, more than a year ahead', () => {
    expect(problems({ runAt: now, delay: '1m' })).toEqual(['delay']);
    expect(problems({ runAt: '2025-02-30T00:00:00Z' })).toEqual(['runAt']);
    expect(problems({ runAt: new Date('nope') })).toEqual(['runAt']);
    expect(problems({ delay: '400d' })).toEqual(['delay']);
    expect(problems({ delay: 'soon' })).toEqual(['delay']);
  });

  it('limits: key, maxAttempts, a timeout not shorter than the lease, unknown fields, bad queue names', () => {
    expect(problems({ key: '' })).toEqual(['key']);
    expect(problems({ key: 'k'.repeat(256) })).toEqual(['key']);
    expect(problems({ maxAttempts: 0 })).toEqual(['maxAttempts']);
    expect(problems({ maxAttempts: 1.5 })).toEqual(['maxAttempts']);
    expect(problems({ timeout: '2m' })).toEqual(['timeout']);
    expect(problems({ timeout: 0 })).toEqual(['timeout']);
    expect(problems({ dealy: '5m' } as TaskInput)).toEqual(['dealy']);
    expect(problems({}, 'no spaces allowed')).toEqual(['queue']);
  });

  it('text PostgreSQL cannot hold and numbers that would be sent as null, as the recorder refuses them', () => {
    expect(problems({ body: { x: '\ud800' } })).toEqual(['body.x']);
    expect(problems({ body: { n: Infinity } })).toEqual(['body.n']);
    expect(problems({ body: [Number.NaN] })).toEqual(['body.0']);
    expect(problems({ key: 'k\udc00' })).toEqual(['key']);
    expect(problems({ path: '/a\ud800' })).toEqual(['path']);
    expect(problems({ body: { emoji: '\ud83d\ude00' }, key: '\ud83d\ude00' })).toEqual([]);
  });

  it('a bare number is seconds: one that is too long says so', () => {
    const messageOf = (task: TaskInput) => {
      try {
        check(task);
      } catch (error) {
        return (error as DispatchrValidationError).errors[0].message;
      }
      return null;
    };
    expect(messageOf({ delay: 86_400_000 })).toContain('write "86400000ms" if you meant milliseconds');
    expect(messageOf({ timeout: 30_000 })).toContain('a bare number is seconds');
    expect(messageOf({ delay: '400d' })).not.toContain('bare number');
    expect(messageOf({ timeout: 30 })).toBeNull(); // 30 seconds
  });

  it('lists every problem at once', () => {
    expect(problems({ path: '/..', maxAttempts: -1, key: '' })).toEqual(['path', 'key', 'maxAttempts']);
  });
});

describe('checkTask → toTaskInsertRow: accepted', () => {
  it('fills the defaults: POST, no body, due now and available', () => {
    const row = rowOf({});
    expect(row).toMatchObject({
      queue: 'emails',
      path: '',
      method: 'POST',
      headers: {},
      body: null,
      contentType: null,
      state: 'available',
      runAt: now,
      createdAt: now,
      key: null,
      maxAttempts: null,
      timeoutMs: null,
      bodyJson: null,
    });
  });

  it('normalizes like the recorder: lowercase headers, "/"-led paths, JSON bytes with a jsonb copy', () => {
    const row = rowOf({
      path: 'welcome?x=1',
      headers: { 'X-Tenant': 'acme' },
      body: { to: 'é' },
      key: 'k',
      maxAttempts: 3,
      timeout: '30s',
    });
    expect(row).toMatchObject({
      path: '/welcome?x=1',
      headers: { 'x-tenant': 'acme' },
      contentType: 'application/json',
      key: 'k',
      maxAttempts: 3,
      timeoutMs: 30_000,
    });
    expect(Buffer.from(row.body!).toString('utf8')).toBe('{"to":"é"}');
    expect(row.bodyJson).toBe('{"to":"é"}');
  });

  it('keeps bytes as bytes, without a jsonb copy unless they are JSON', () => {
    const bytes = check({ body: new Uint8Array([0, 1, 2]) });
    expect(bytes).toMatchObject({ contentType: 'application/octet-stream' });
    expect(rowOf({ bodyBase64: 'AAEC', contentType: 'application/json' }).bodyJson).toBeNull();
    expect(
      rowOf({ bodyBase64: Buffer.from('{"a":1}').toString('base64'), contentType: 'application/json' }).bodyJson,
    ).toBe('{"a":1}');
  });

  it('schedules a later task and brings a past runAt to now', () => {
    expect(rowOf({ delay: 90 })).toMatchObject({ state: 'scheduled', runAt: new Date(now.getTime() + 90_000) });
    expect(rowOf({ runAt: '2026-01-01T00:00:00+01:00' })).toMatchObject({
      state: 'scheduled',
      runAt: new Date('2025-12-31T23:00:00Z'),
    });
    expect(rowOf({ runAt: new Date('2020-01-01') })).toMatchObject({ state: 'available', runAt: now });
  });
});
