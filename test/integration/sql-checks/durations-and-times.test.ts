import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable } from '../../support/postgres.js';
import { parseDuration } from '../../../src/duration.js';
import { parseRfc3339 } from '../../../src/rules/rfc3339.js';
import { openSqlChecks, readVectors, type SqlChecks } from './sql-checks-db.js';

// dispatchr_parse_duration and dispatchr_parse_rfc3339 (migration 0021) against
// spec/vectors/durations.json (the API surface: a bare number is seconds) and rfc3339.json, and
// against the JavaScript rules themselves for inputs the vectors do not list.

interface DurationCase {
  name: string;
  input: string | number;
  surface: 'api' | 'config';
  ms: number | null;
}
interface TimeCase {
  name: string;
  input: string;
  expect: string | null;
}

const durations = (readVectors<DurationCase>('durations.json')?.cases ?? []).filter((c) => c.surface === 'api');
const times = readVectors<TimeCase>('rfc3339.json')?.cases ?? [];

/** Inputs beyond the vectors, judged by src/duration.ts itself. */
const MORE_DURATIONS: (string | number)[] = [
  '\u00a030s\u3000',
  '\ufeff1m',
  '1\u2028h',
  '15',
  '0.0005s',
  '0.0015',
  2.5,
  0.0005,
  1e-7,
  123.456,
  '1.23456789012345678901234567890d',
  '59.9995m',
  '0'.repeat(5000) + '12.5s',
  '1'.repeat(21) + 'ms',
  '0.' + '0'.repeat(20) + '1h',
];
const MORE_TIMES = ['2024-02-29T23:59:59.9995+23:59', '0000-02-29T12:00:00Z', '1999-12-31T23:59:60.999-00:00', 'x'];

describe.runIf(postgresAvailable())('SQL checks: durations and RFC 3339 times', () => {
  let db: SqlChecks;
  beforeAll(async () => {
    db = await openSqlChecks();
  });
  afterAll(async () => {
    await db?.close();
  });

  const parseDurationSql = (input: unknown) =>
    db.call('dispatchr_parse_duration', [JSON.stringify(input), 'tasks.0.timeout'], ['json', 'text']);

  it.each(durations.map((c) => [c.name, c] as const))('duration vector: %s', async (_name, c) => {
    const result = await parseDurationSql(c.input);
    if (c.ms === null) {
      expect(result).toMatchObject({ ok: false, code: '22023' });
      if (!result.ok) expect(result.message).toMatch(/^tasks\.0\.timeout: /);
    } else expect(result).toEqual({ ok: true, value: String(c.ms) });
  });

  it.each(MORE_DURATIONS.map((input) => [JSON.stringify(input).slice(0, 40), input] as const))(
    'duration agrees with parseDuration: %s',
    async (_shown, input) => {
      const js = parseDuration(input, 's');
      const result = await parseDurationSql(input);
      expect(result.ok ? Number(result.value) : undefined).toBe(js);
    },
  );

  it('duration: JSON null is null, other JSON types are refused', async () => {
    expect(await parseDurationSql(null)).toEqual({ ok: true, value: null });
    for (const input of [true, [], {}])
      expect(await parseDurationSql(input)).toMatchObject({ ok: false, code: '22023' });
  });

  /** The SQL time as epoch milliseconds (exact: timestamptz holds microseconds). */
  async function timeMs(input: string): Promise<number | undefined> {
    try {
      const { rows } = await db.query<{ ms: string | null }>(
        `select (extract(epoch from dispatchr_parse_rfc3339($1, 'tasks.0.runAt')) * 1000)::numeric as ms`,
        [input],
      );
      return Number(rows[0].ms);
    } catch (error) {
      const { code, message } = error as { code: string; message: string };
      expect(code).toBe('22023');
      expect(message).toMatch(/^tasks\.0\.runAt: expected an RFC 3339 time/);
      return undefined;
    }
  }

  it.each(times.map((c) => [c.name, c] as const))('rfc3339 vector: %s', async (_name, c) => {
    expect(await timeMs(c.input)).toBe(c.expect === null ? undefined : Date.parse(c.expect));
  });

  it.each(MORE_TIMES)('rfc3339 agrees with parseRfc3339: %s', async (input) => {
    expect(await timeMs(input)).toBe(parseRfc3339(input));
  });

  it('rfc3339: SQL null is null', async () => {
    const { rows } = await db.query(`select dispatchr_parse_rfc3339(null, 'x') as t`);
    expect(rows[0].t).toBeNull();
  });
});
