import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable } from '../../support/postgres.js';
import { parseDuration } from '../../../src/duration.js';
import { parseRfc3339 } from '../../../src/rules/rfc3339.js';
import { normalizeTaskPath } from '../../../src/rules/target-path.js';
import { headerProblem } from '../../../src/rules/task-headers.js';
import { seededRandom } from './json-documents.js';
import { openSqlChecks, type SqlChecks } from './sql-checks-db.js';

// Generated inputs, built from the pieces each rule looks at, through the SQL checks and the
// JavaScript rules: the two must accept and refuse the same ones and store the same value.
// Seeded, so a failure names an input that can be replayed.

const random = seededRandom(7);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
const join = (parts: readonly string[], most: number) =>
  Array.from({ length: Math.floor(random() * most) }, () => pick(parts)).join('');

const PATH_PARTS = [
  '/',
  'a',
  '.',
  '..',
  ';',
  ';x',
  '%2e',
  '%2E',
  '%2f',
  '%5c',
  '%0a',
  '%00',
  '%',
  '%zz',
  '%c3%a9',
  '%c3',
  '%e2%80%a8',
  '?',
  '=',
  '&',
  'é',
  '😀',
  ':',
  '@',
  '~',
  '%25',
  '\u2028',
];
const HEADER_NAME_PARTS = [
  'x',
  'A',
  '-',
  '_',
  'dispatchr',
  'webhook',
  'forwarded',
  'host',
  'te',
  'content',
  'type',
  'length',
  'x-forwarded',
  'Connection',
  ' ',
  ':',
  'é',
  '1',
  '.',
  '!',
];
const HEADER_VALUE_PARTS = ['v', ' ', '\t', 'é', 'ÿ', 'Ā', '\u007f', '\u0001', '😀', '"', ';'];
const DURATION_PARTS = ['1', '0', '5', '.', '..', 's', 'ms', 'm', 'h', 'd', ' ', '\t', '\u00a0', '-', 'e', 'S', '00'];
const TIME_PARTS = [
  '2024',
  '2025',
  '0000',
  '9999',
  '-',
  '02',
  '29',
  '30',
  '31',
  '12',
  'T',
  't',
  ':',
  '00',
  '59',
  '60',
  '23',
  '24',
  '.',
  '5',
  '999',
  'Z',
  'z',
  '+',
  '-',
  '01:00',
  '23:59',
];

describe.runIf(postgresAvailable())('SQL checks: generated inputs agree with the JavaScript rules', () => {
  let db: SqlChecks;
  beforeAll(async () => {
    db = await openSqlChecks();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('paths', async () => {
    for (let i = 0; i < 400; i++) {
      const path = join(PATH_PARTS, 7);
      if (/^[a-z][a-z0-9+.-]*:/i.test(path)) continue; // the documented difference: refused in SQL
      const js = normalizeTaskPath('https://example.test/base', path);
      const result = await db.call('dispatchr_check_path', [path, 'p']);
      const sql = result.ok ? { ok: true, path: result.value } : { ok: false, message: result.message };
      expect({ path, sql }).toEqual({ path, sql: js.ok ? js : { ok: false, message: `p: ${js.message}` } });
    }
  });

  it('headers', async () => {
    for (let i = 0; i < 400; i++) {
      const name = join(HEADER_NAME_PARTS, 4);
      const value = join(HEADER_VALUE_PARTS, 5);
      const problem = headerProblem(name, value);
      const result = await db.call('dispatchr_check_header', [name, value, 'h']);
      const expected =
        problem === null ? { ok: true, value: name.toLowerCase() } : { ok: false, message: `h: ${problem}` };
      expect({ name, value, result: result.ok ? result : { ok: false, message: result.message } }).toEqual({
        name,
        value,
        result: expected,
      });
    }
  });

  it('durations', async () => {
    for (let i = 0; i < 400; i++) {
      const input = join(DURATION_PARTS, 5);
      const result = await db.call('dispatchr_parse_duration', [JSON.stringify(input), 'd'], ['json', 'text']);
      expect({ input, ms: result.ok ? Number(result.value) : undefined }).toEqual({
        input,
        ms: parseDuration(input, 's'),
      });
    }
  });

  it('RFC 3339 times', async () => {
    for (let i = 0; i < 400; i++) {
      // Mostly well-formed, with one part replaced now and then.
      const parts = ['2024', '-', '02', '-', '29', 'T', '23', ':', '59', ':', '60', '.5', '+', '01:00'];
      for (let k = 0; k < 2; k++) if (random() < 0.7) parts[Math.floor(random() * parts.length)] = pick(TIME_PARTS);
      const input = parts.join('');
      const { rows } = await db
        .query<{ ms: string }>(`select (extract(epoch from dispatchr_parse_rfc3339($1, 't')) * 1000)::numeric as ms`, [
          input,
        ])
        .catch(() => ({ rows: [] as { ms: string }[] }));
      const ms = rows.length === 0 ? undefined : Number(rows[0].ms);
      expect({ input, ms }).toEqual({ input, ms: parseRfc3339(input) });
    }
  });
});
