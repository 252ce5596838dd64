import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable } from '../../support/postgres.js';
import { normalizeTaskPath } from '../../../src/rules/target-path.js';
import { headerProblem, MAX_HEADERS, ROUTING_OVERRIDE_HEADERS } from '../../../src/rules/task-headers.js';
import { MAX_KEY_LENGTH, QUEUE_NAME } from '../../../src/rules/task-fields.js';
import { openSqlChecks, readVectors, type SqlChecks } from './sql-checks-db.js';

// dispatchr_check_path, dispatchr_check_header, dispatchr_check_key and dispatchr_check_queue_name
// (migration 0021) against spec/vectors/paths.json and headers.json, and against the JavaScript
// rules for inputs the vectors do not list.

interface PathCase {
  name: string;
  target: string;
  path: string;
  stored: string | null;
}
type HeaderCase =
  | { name: string; header: string; value: string; stored: string | null }
  | { name: string; headers: Record<string, string>; valid: boolean };

const paths = readVectors<PathCase>('paths.json')?.cases ?? [];
const headers = readVectors<HeaderCase>('headers.json')?.cases ?? [];
const ABSOLUTE_URL = /^[a-z][a-z0-9+.-]*:/i;
const RELATIVE_ONLY = "tasks.0.path: dispatchr_enqueue takes a path relative to the queue's target";
/**
 * Text with a NUL never reaches the checks: PostgreSQL refuses it as a text parameter (22021, as
 * here) or when a JSON string holding \u0000 is read as text (22P05); refused either way.
 */
const expectRefused = (text: string, result: { ok: boolean; code?: string }) =>
  expect(result).toMatchObject({ ok: false, code: text.includes('\u0000') ? '22021' : '22023' });

/** Paths beyond the vectors, judged by target-path.ts (with any target: none of them is absolute). */
const MORE_PATHS = [
  '/a%00b',
  '/%2e%00',
  '/..;\n',
  '/%2e%2e;%0a',
  '/..;%e2%80%a8x',
  '/a%5c..%5cb',
  '/%C0%AE%C0%AE/x',
  '/%ED%A0%80',
  '/%F4%90%80%80',
  '/%F0%9F%98%80',
  '/😀'.repeat(683),
  '/😀'.repeat(682),
  '?',
  '/?',
  '//',
  'a:b',
  '1a:b',
  '/a:b',
  '%',
  '/a?%',
  '/a/%2E',
];
const MORE_KEYS = [
  '',
  'k',
  'k'.repeat(255),
  'k'.repeat(256),
  '😀'.repeat(127) + 'k',
  '😀'.repeat(128),
  'é'.repeat(255),
];
const MORE_QUEUES = ['a', 'A9', '_a', '-a', '.a', 'a_b.c-d', 'a'.repeat(64), 'a'.repeat(65), 'a b', 'é', 'a\n', ''];

describe.runIf(postgresAvailable())('SQL checks: paths, headers, keys and queue names', () => {
  let db: SqlChecks;
  beforeAll(async () => {
    db = await openSqlChecks();
  });
  afterAll(async () => {
    await db?.close();
  });

  const checkPath = (path: string) => db.call('dispatchr_check_path', [path, 'tasks.0.path']);
  const checkHeader = (name: string, value: string) =>
    db.call('dispatchr_check_header', [name, value, `tasks.0.headers.${name}`]);

  it.each(paths.map((c) => [c.name, c] as const))('path vector: %s', async (_name, c) => {
    const result = await checkPath(c.path);
    if (ABSOLUTE_URL.test(c.path)) expect(result).toEqual({ ok: false, code: '22023', message: RELATIVE_ONLY });
    else if (c.stored === null) expectRefused(c.path, result);
    else expect(result).toEqual({ ok: true, value: c.stored });
  });

  it.each(MORE_PATHS.map((path) => [JSON.stringify(path).slice(0, 40), path] as const))(
    'path agrees with normalizeTaskPath: %s',
    async (_shown, path) => {
      const js = normalizeTaskPath('https://example.test/base', path);
      const result = await checkPath(path);
      if (ABSOLUTE_URL.test(path)) expect(result).toEqual({ ok: false, code: '22023', message: RELATIVE_ONLY });
      else if (js.ok) expect(result).toEqual({ ok: true, value: js.path });
      else expect(result).toEqual({ ok: false, code: '22023', message: `tasks.0.path: ${js.message}` });
    },
  );

  it('path: SQL null is the target itself', async () => {
    expect(await db.call('dispatchr_check_path', [null, 'tasks.0.path'])).toEqual({ ok: true, value: '' });
  });

  it.each(headers.map((c) => [c.name, c] as const))('header vector: %s', async (_name, c) => {
    if ('header' in c) {
      const result = await checkHeader(c.header, c.value);
      if (c.stored === null) {
        expectRefused(c.header + c.value, result);
        // The same words as the JavaScript rule, and never the value.
        if (!result.ok && result.code === '22023')
          expect(result.message).toBe(`tasks.0.headers.${c.header}: ${headerProblem(c.header, c.value)}`);
      } else expect(result).toEqual({ ok: true, value: c.stored });
      return;
    }
    // A whole object: each header through SQL; a name given twice (compared as SQL stores it) and
    // the count are the caller's rules (dispatchr_enqueue), which the stored names make decidable.
    const stored: string[] = [];
    let refused = false;
    for (const [name, value] of Object.entries(c.headers)) {
      const result = await checkHeader(name, value);
      if (result.ok) stored.push(result.value as string);
      else refused = true;
    }
    const valid =
      !refused &&
      new Set(stored.map((name) => name.replaceAll('_', '-'))).size === stored.length &&
      stored.length <= MAX_HEADERS;
    expect(valid).toBe(c.valid);
  });

  it('header: every routing override is refused, in both spellings', async () => {
    for (const name of ROUTING_OVERRIDE_HEADERS)
      for (const spelling of [name.toUpperCase(), name.replace(/-/g, '_')])
        expect(await checkHeader(spelling, 'v')).toMatchObject({ ok: false, code: '22023' });
  });

  it('header: a refused value is not echoed', async () => {
    const secret = 'Bearer s3cr3t\u0001';
    const result = await checkHeader('Authorization', secret);
    expect(result).toMatchObject({ ok: false, code: '22023' });
    if (!result.ok) expect(result.message).not.toContain('s3cr3t');
    const long = await checkHeader('X-Api-Key', 's3cr3t'.repeat(2000));
    expect(long.ok || long.message.includes('s3cr3t')).toBe(false);
  });

  it.each(MORE_KEYS.map((key) => [`${key.slice(0, 12)}… (${key.length} code units)`, key] as const))(
    'key agrees with the API rule: %s',
    async (_shown, key) => {
      const ok = key.length >= 1 && key.length <= MAX_KEY_LENGTH;
      const result = await db.call('dispatchr_check_key', [key, 'tasks.0.key']);
      if (ok) expect(result).toEqual({ ok: true, value: key });
      else
        expect(result).toEqual({
          ok: false,
          code: '22023',
          message: `tasks.0.key: expected a string of 1 to ${MAX_KEY_LENGTH} characters`,
        });
    },
  );

  it.each(MORE_QUEUES.map((queue) => [JSON.stringify(queue), queue] as const))(
    'queue name agrees with QUEUE_NAME: %s',
    async (_shown, queue) => {
      const result = await db.call('dispatchr_check_queue_name', [queue, 'queue']);
      expect(result.ok).toBe(QUEUE_NAME.test(queue));
      if (result.ok) expect(result.value).toBe(queue);
    },
  );
});
