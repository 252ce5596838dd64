import { Cron } from 'croner';
import { describe, expect, it } from 'vitest';
import { nextFireTimes, parseCronSchedule, type CronSchedule } from '../../../src/cron/cron-schedule.js';
import { transitionsBetween } from '../../../src/cron/zone-time.js';

function schedule(expression: string, timezone?: string): CronSchedule {
  const parsed = parseCronSchedule(expression, timezone);
  if (!parsed.ok) throw new Error(`refused ${expression}: ${parsed.message}`);
  return parsed.schedule;
}

function refusal(expression: string, timezone?: string): { field: string; message: string } {
  const parsed = parseCronSchedule(expression, timezone);
  if (parsed.ok) throw new Error(`accepted ${expression}`);
  return { field: parsed.field, message: parsed.message };
}

const fires = (expression: string, timezone: string, after: string, count: number) =>
  nextFireTimes(schedule(expression, timezone), new Date(after), count).map((date) => date.toISOString());

/** "03-29 02:00 +01:00": the local wall time and offset at an instant, straight from Intl. */
function localWall(zone: string, iso: string): string {
  // prettier-ignore
  const options = { timeZone: zone, hourCycle: 'h23', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', timeZoneName: 'longOffset' } as const;
  const parts = new Intl.DateTimeFormat('en-US', options).formatToParts(new Date(iso));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('month')}-${part('day')} ${part('hour')}:${part('minute')} ${part('timeZoneName').slice(3) || '+00:00'}`;
}

describe('parseCronSchedule accepts', () => {
  it.each([
    ['*/15 * * * *', '5 fields'],
    ['30 */15 9-17 * * MON-FRI', '6 fields, seconds first'],
    ['0 0 1,15 JAN-MAR,dec *', 'month names in any case, lists of ranges'],
    ['0 0 * * 7', '7 is Sunday'],
    ['0 0 * * SAT-SUN', 'a weekday range ending on Sunday'],
    ['0 8-18/2 * * *', 'a stepped range'],
    ['  0   0 * *  *  ', 'extra blanks (the expression is kept trimmed)'],
  ])('%j (%s)', (expression) => {
    const parsed = parseCronSchedule(expression);
    expect(parsed).toMatchObject({
      ok: true,
      schedule: { kind: 'cron', timezone: 'UTC', expression: expression.trim() },
    });
  });

  it('the names, with their 5-field meaning', () => {
    const after = '2026-05-13T10:20:30Z'; // a Wednesday
    expect(fires('@yearly', 'UTC', after, 1)).toEqual(['2027-01-01T00:00:00.000Z']);
    expect(fires('@annually', 'UTC', after, 1)).toEqual(['2027-01-01T00:00:00.000Z']);
    expect(fires('@monthly', 'UTC', after, 1)).toEqual(['2026-06-01T00:00:00.000Z']);
    expect(fires('@weekly', 'UTC', after, 1)).toEqual(['2026-05-17T00:00:00.000Z']);
    expect(fires('@daily', 'UTC', after, 1)).toEqual(['2026-05-14T00:00:00.000Z']);
    expect(fires('@MIDNIGHT', 'UTC', after, 1)).toEqual(['2026-05-14T00:00:00.000Z']);
    expect(fires('@hourly', 'UTC', after, 1)).toEqual(['2026-05-13T11:00:00.000Z']);
    expect([schedule('@daily').fixedHour, schedule('@hourly').fixedHour]).toEqual([true, false]);
  });

  it('tells fixed-hour entries (number, list, range) from wildcard-hour ones (* or a step)', () => {
    const fixed = ['30 2 * * *', '0 9-17 * * *', '0,30 1,13 * * *', '*/15 2 * * *', '0 0 12 * * *'];
    const wildcard = ['*/15 * * * *', '0 * * * *', '0 */2 * * *', '0 8-18/2 * * *', '0 0 * * * *'];
    expect(fixed.filter((expression) => !schedule(expression).fixedHour)).toEqual([]);
    expect(wildcard.filter((expression) => schedule(expression).fixedHour)).toEqual([]);
  });

  it('canonicalises the time zone and defaults it to UTC', () => {
    expect(schedule('0 9 * * *', 'europe/london').timezone).toBe('Europe/London');
    expect(schedule('0 9 * * *', 'US/Eastern').timezone).toBe('America/New_York');
    expect(schedule('0 9 * * *', 'Etc/UTC').timezone).toBe('UTC');
    expect(schedule('0 9 * * *').timezone).toBe('UTC');
  });
});

describe('parseCronSchedule refuses, naming the field and the rule', () => {
  const grammar = ', *, a-b, */n, a-b/n or a comma list of them (L, W, # and ? are not supported)';
  it.each([
    ['0 0 * *', 'expected 5 or 6 space-separated fields (seconds first when 6), got 4'],
    ['0 0 0 1 1 * 2030', 'expected 5 or 6 space-separated fields (seconds first when 6), got 7'],
    ['', 'expected 5 or 6 space-separated fields (seconds first when 6), got 0'],
    ['60 * * * *', 'minute field "60": 60 is out of range 0-59'],
    ['0 24 * * *', 'hour field "24": 24 is out of range 0-23'],
    ['0 0 0 * *', 'day-of-month field "0": 0 is out of range 1-31'],
    ['0 0 * 13 *', 'month field "13": 13 is out of range 1-12'],
    ['0 0 * * 8', 'day-of-week field "8": 8 is out of range 0-7'],
    ['60 0 0 * * *', 'second field "60": 60 is out of range 0-59'],
    ['0 17-9 * * *', 'hour field "17-9": a range must not run backwards (17-9)'],
    ['*/0 * * * *', 'minute field "*/0": the step must be 1-60'],
    ['0 0 * * */8', 'day-of-week field "*/8": the step must be 1-7'],
    ['5/10 * * * *', 'minute field "5/10": a step needs * or a range before it (*/n or a-b/n)'],
    ['0 0 * FOO *', `month field "FOO": expected numbers 1-12 or names JAN-DEC${grammar}`],
    ['0 0 L * *', `day-of-month field "L": expected numbers 1-31${grammar}`],
    ['0 0 15W * *', `day-of-month field "15W": expected numbers 1-31${grammar}`],
    ['0 0 * * 5#2', `day-of-week field "5#2": expected numbers 0-7 or names SUN-SAT${grammar}`],
    ['0 0 * * 5L', `day-of-week field "5L": expected numbers 0-7 or names SUN-SAT${grammar}`],
    ['0 0 ? * *', `day-of-month field "?": expected numbers 1-31${grammar}`],
    ['0 0 1,,2 * *', `day-of-month field "": expected numbers 1-31${grammar}`],
    ['@reboot', 'unknown name "@reboot": expected @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly'],
    ['0 0 30 2 *', 'the schedule never fires (no matching time in the next 5 years)'],
    ['0 0 31 4,6,9,11 *', 'the schedule never fires (no matching time in the next 5 years)'],
    ['0 0 30-31 2 */2', 'the schedule never fires (no matching time in the next 5 years)'],
  ])('%j', (expression, message) => {
    expect(refusal(expression)).toEqual({ field: 'schedule', message: expect.stringContaining(message) });
  });

  it.each([
    '@every',
    '@every 0s',
    '@every 367d',
    '@every 1.5h',
    '@every 10M',
    '@every 1m1h',
    '@every 10',
    '@every -5s',
  ])('%j', (expression) => {
    expect(refusal(expression)).toEqual({
      field: 'schedule',
      message: 'expected @every with a duration of 1s to 366d in whole seconds, like "@every 10m"',
    });
  });

  it('an expression over 200 characters, without echoing it', () => {
    const refused = refusal(`${'1,'.repeat(150)}1 * * * *`);
    expect(refused).toEqual({ field: 'schedule', message: 'expected at most 200 characters, got 309' });
  });

  it('cuts an echoed value to 60 characters', () => {
    expect(refusal(`${'x'.repeat(150)} * * * *`).message).toMatch(/^minute field "x{57}\.\.\.": expected/);
  });

  it.each([
    ['Europe/Londn', 'unknown time zone "Europe/Londn" (expected an IANA zone such as Europe/London)'],
    ['+02:00', 'a UTC offset is not a zone: for a fixed +02:00 use Etc/GMT-2'],
    ['', 'unknown time zone ""'],
    ['local', 'unknown time zone "local"'],
    ['Z'.repeat(500), `unknown time zone "${'Z'.repeat(57)}..." (expected`],
  ])('time zone %j', (timezone, message) => {
    expect(refusal('0 9 * * *', timezone)).toEqual({ field: 'timezone', message: expect.stringContaining(message) });
  });

  it('checks the time zone of an @every schedule too', () => {
    expect(refusal('@every 10m', 'Mars/Olympus').field).toBe('timezone');
  });
});

describe('next', () => {
  it('is strictly after `after`, in whole seconds, with milliseconds in `after` (and throws on an invalid Date)', () => {
    const everyFiveSeconds = schedule('*/5 * * * * *');
    const next = (after: string) => everyFiveSeconds.next(new Date(after))?.toISOString();
    expect(next('2026-01-01T00:00:05Z')).toBe('2026-01-01T00:00:10.000Z');
    expect(next('2026-01-01T00:00:04.999Z')).toBe('2026-01-01T00:00:05.000Z');
    expect(next('2026-01-01T00:00:05.001Z')).toBe('2026-01-01T00:00:10.000Z');
    expect(() => everyFiveSeconds.next(new Date(Number.NaN))).toThrow(TypeError);
  });

  it('reads a 6-field expression with seconds first', () => {
    const times = fires('15 30 9 * * *', 'UTC', '2026-01-01T00:00:00Z', 2);
    expect(times).toEqual(['2026-01-01T09:30:15.000Z', '2026-01-02T09:30:15.000Z']);
  });

  it('combines day-of-month and day-of-week like Vixie cron: either, when both are restricted', () => {
    // 2026-01-01 is a Thursday: the 13th or any Friday.
    const times = fires('0 0 13 * FRI', 'UTC', '2026-01-01T00:00:00Z', 3);
    expect(times).toEqual(['2026-01-02T00:00:00.000Z', '2026-01-09T00:00:00.000Z', '2026-01-13T00:00:00.000Z']);
    expect(fires('0 0 13 * *', 'UTC', '2026-01-01T00:00:00Z', 1)).toEqual(['2026-01-13T00:00:00.000Z']);
    // crontab(5): a field that starts with * is not restricted, so `*/2` narrows the Mondays (AND).
    const oddMondays = fires('0 0 */2 * MON', 'UTC', '2026-01-01T00:00:00Z', 2);
    expect(oddMondays).toEqual(['2026-01-05T00:00:00.000Z', '2026-01-19T00:00:00.000Z']);
  });

  it('accepts a day that exists only in some years (29 February on a Sunday: 2032, then 2060)', () => {
    // OR: 29 February or any Sunday in February.
    expect(fires('0 0 29 2 SUN', 'UTC', '2026-01-01T00:00:00Z', 1)).toEqual(['2026-02-01T00:00:00.000Z']);
    expect(fires('0 0 29 2 */7', 'UTC', '2028-01-01T00:00:00Z', 1)).toEqual(['2032-02-29T00:00:00.000Z']);
    expect(fires('0 0 29 2 */7', 'UTC', '2026-01-01T00:00:00Z', 1)).toEqual([]); // 2032 is over 5 years away
    expect(schedule('0 0 29 2 */7').next(new Date('2032-03-01T00:00:00Z'))).toBeNull(); // 2060 is beyond 5 years
  });

  it('returns null when nothing matches within 5 years (29 February across 2100, not a leap year)', () => {
    expect(fires('0 0 29 2 *', 'UTC', '2026-03-01T00:00:00Z', 1)).toEqual(['2028-02-29T00:00:00.000Z']);
    expect(schedule('0 0 29 2 *').next(new Date('2096-03-01T00:00:00Z'))).toBeNull();
    expect(nextFireTimes(schedule('0 0 29 2 *'), new Date('2088-03-01T00:00:00Z'), 5)).toHaveLength(2);
  });
});

describe('@every', () => {
  it('fires at whole multiples of the interval since 1970-01-01T00:00:00Z, whatever the zone', () => {
    const every = schedule('@every 1h30m', 'Europe/London');
    expect(every).toMatchObject({ kind: 'every', fixedHour: false, timezone: 'Europe/London' });
    // The London gap changes nothing: 90 minutes of elapsed time apart.
    const times = nextFireTimes(every, new Date('2026-03-29T00:10:00.500Z'), 3).map((d) => d.toISOString());
    expect(times).toEqual(['2026-03-29T01:30:00.000Z', '2026-03-29T03:00:00.000Z', '2026-03-29T04:30:00.000Z']);
    const sevens = fires('@every 7s', 'UTC', '1970-01-01T00:00:13.999Z', 2);
    expect(sevens).toEqual(['1970-01-01T00:00:14.000Z', '1970-01-01T00:00:21.000Z']);
  });

  it('takes d h m s groups in that order, 1 s to 366 d', () => {
    expect(fires('@every 1d12h', 'UTC', '1970-01-01T00:00:00Z', 1)).toEqual(['1970-01-02T12:00:00.000Z']);
    expect(fires('@every 90s', 'UTC', '1970-01-01T00:00:00Z', 1)).toEqual(['1970-01-01T00:01:30.000Z']);
    expect(fires('@EVERY 1s', 'UTC', '1970-01-01T00:00:00Z', 1)).toEqual(['1970-01-01T00:00:01.000Z']);
    const accepted = ['@every 366d', '@every 365d24h', '@every 365d24h1s'].map((e) => parseCronSchedule(e).ok);
    expect(accepted).toEqual([true, true, false]);
  });
});

describe('nextFireTimes', () => {
  it('gives count times in order, the same as repeated next()', () => {
    const entry = schedule('*/20 * * * *', 'America/New_York');
    let after = new Date('2026-11-01T04:50:00Z');
    const times = nextFireTimes(entry, after, 5);
    expect(times).toHaveLength(5);
    for (const time of times) {
      expect(time).toEqual(entry.next(after));
      after = time;
    }
    expect(nextFireTimes(entry, after, 0)).toEqual([]);
    expect(() => nextFireTimes(entry, after, -1)).toThrow(RangeError);
    expect(() => nextFireTimes(entry, after, 1.5)).toThrow(RangeError);
  });
});

/**
 * The worked daylight-saving examples (docs/spec.md): a zone, an entry, the instant searched
 * from (UTC), and the next fire times as "UTC instant = local wall time and offset". Fixed-hour
 * entries fire at the end of a gap and on the first pass of a repeated hour; wildcard-hour entries
 * skip a gap and fire on both passes. The 2026 transitions are checked with Intl below.
 */
// prettier-ignore
const WORKED_EXAMPLES: [zone: string, entry: string, after: string, fires: string[]][] = [
  // Europe/London, Sun 29 Mar 2026 01:00Z: 01:00 GMT → 02:00 BST; local 01:00-01:59 does not exist.
  ['Europe/London', '30 1 * * *', '2026-03-28T12:00Z', ['2026-03-29T01:00Z = 03-29 02:00 +01:00', '2026-03-30T00:30Z = 03-30 01:30 +01:00']],
  ['Europe/London', '0 1-3 * * *', '2026-03-28T12:00Z', ['2026-03-29T01:00Z = 03-29 02:00 +01:00', '2026-03-29T02:00Z = 03-29 03:00 +01:00', '2026-03-30T00:00Z = 03-30 01:00 +01:00']],
  ['Europe/London', '*/30 * * * *', '2026-03-29T00:10Z', ['2026-03-29T00:30Z = 03-29 00:30 +00:00', '2026-03-29T01:00Z = 03-29 02:00 +01:00', '2026-03-29T01:30Z = 03-29 02:30 +01:00']],
  // Europe/London, Sun 25 Oct 2026 01:00Z: 02:00 BST → 01:00 GMT; local 01:00-01:59 happens twice.
  ['Europe/London', '30 1 * * *', '2026-10-24T12:00Z', ['2026-10-25T00:30Z = 10-25 01:30 +01:00', '2026-10-26T01:30Z = 10-26 01:30 +00:00']],
  ['Europe/London', '0 0-2 * * *', '2026-10-24T12:00Z', ['2026-10-24T23:00Z = 10-25 00:00 +01:00', '2026-10-25T00:00Z = 10-25 01:00 +01:00', '2026-10-25T02:00Z = 10-25 02:00 +00:00']],
  ['Europe/London', '*/30 * * * *', '2026-10-24T23:50Z', ['2026-10-25T00:00Z = 10-25 01:00 +01:00', '2026-10-25T00:30Z = 10-25 01:30 +01:00', '2026-10-25T01:00Z = 10-25 01:00 +00:00', '2026-10-25T01:30Z = 10-25 01:30 +00:00', '2026-10-25T02:00Z = 10-25 02:00 +00:00']],
  // America/New_York, Sun 8 Mar 2026 07:00Z: 02:00 EST → 03:00 EDT; local 02:00-02:59 does not exist.
  ['America/New_York', '30 2 * * *', '2026-03-07T12:00Z', ['2026-03-08T07:00Z = 03-08 03:00 -04:00', '2026-03-09T06:30Z = 03-09 02:30 -04:00']],
  ['America/New_York', '0,30 2 * * *', '2026-03-07T12:00Z', ['2026-03-08T07:00Z = 03-08 03:00 -04:00', '2026-03-09T06:00Z = 03-09 02:00 -04:00']],
  ['America/New_York', '*/30 * * * *', '2026-03-08T06:10Z', ['2026-03-08T06:30Z = 03-08 01:30 -05:00', '2026-03-08T07:00Z = 03-08 03:00 -04:00', '2026-03-08T07:30Z = 03-08 03:30 -04:00']],
  // America/New_York, Sun 1 Nov 2026 06:00Z: 02:00 EDT → 01:00 EST; local 01:00-01:59 happens twice.
  ['America/New_York', '30 1 * * *', '2026-10-31T12:00Z', ['2026-11-01T05:30Z = 11-01 01:30 -04:00', '2026-11-02T06:30Z = 11-02 01:30 -05:00']],
  ['America/New_York', '*/30 * * * *', '2026-11-01T04:50Z', ['2026-11-01T05:00Z = 11-01 01:00 -04:00', '2026-11-01T05:30Z = 11-01 01:30 -04:00', '2026-11-01T06:00Z = 11-01 01:00 -05:00', '2026-11-01T06:30Z = 11-01 01:30 -05:00', '2026-11-01T07:00Z = 11-01 02:00 -05:00']],
  // Australia/Lord_Howe, Sun 5 Apr 2026 (4 Apr 15:00Z): 02:00 +11:00 → 01:30 +10:30; local 01:30-01:59 happens twice.
  ['Australia/Lord_Howe', '45 1 * * *', '2026-04-04T00:00Z', ['2026-04-04T14:45Z = 04-05 01:45 +11:00', '2026-04-05T15:15Z = 04-06 01:45 +10:30']],
  ['Australia/Lord_Howe', '*/15 * * * *', '2026-04-04T14:40Z', ['2026-04-04T14:45Z = 04-05 01:45 +11:00', '2026-04-04T15:00Z = 04-05 01:30 +10:30', '2026-04-04T15:15Z = 04-05 01:45 +10:30', '2026-04-04T15:30Z = 04-05 02:00 +10:30']],
  // Australia/Lord_Howe, Sun 4 Oct 2026 (3 Oct 15:30Z): 02:00 +10:30 → 02:30 +11:00; local 02:00-02:29 does not exist.
  ['Australia/Lord_Howe', '15 2 * * *', '2026-10-03T00:00Z', ['2026-10-03T15:30Z = 10-04 02:30 +11:00', '2026-10-04T15:15Z = 10-05 02:15 +11:00']],
  ['Australia/Lord_Howe', '*/15 * * * *', '2026-10-03T15:00Z', ['2026-10-03T15:15Z = 10-04 01:45 +10:30', '2026-10-03T15:30Z = 10-04 02:30 +11:00', '2026-10-03T15:45Z = 10-04 02:45 +11:00']],
  // Asia/Kathmandu, +05:45 all year: no transition; the quarter-hour offset only shifts the UTC minutes.
  ['Asia/Kathmandu', '30 2 * * *', '2026-03-28T00:00Z', ['2026-03-28T20:45Z = 03-29 02:30 +05:45', '2026-03-29T20:45Z = 03-30 02:30 +05:45']],
  ['Asia/Kathmandu', '*/30 * * * *', '2026-03-29T00:00Z', ['2026-03-29T00:15Z = 03-29 06:00 +05:45', '2026-03-29T00:45Z = 03-29 06:30 +05:45']],
];

// prettier-ignore
const TRANSITIONS_2026: [zone: string, transitions: [utc: string, secondBefore: string, at: string][]][] = [
  ['Europe/London', [['2026-03-29T01:00', '00:59:59 GMT+0', '02:00:00 GMT+1'], ['2026-10-25T01:00', '01:59:59 GMT+1', '01:00:00 GMT+0']]],
  ['America/New_York', [['2026-03-08T07:00', '01:59:59 GMT-5', '03:00:00 GMT-4'], ['2026-11-01T06:00', '01:59:59 GMT-4', '01:00:00 GMT-5']]],
  ['Australia/Lord_Howe', [['2026-04-04T15:00', '01:59:59 GMT+11', '01:30:00 GMT+10:30'], ['2026-10-03T15:30', '01:59:59 GMT+10:30', '02:30:00 GMT+11']]],
  ['Asia/Kathmandu', []],
];

describe('daylight saving: the worked examples', () => {
  it.each(WORKED_EXAMPLES)('%s %j after %s', (zone, entry, after, expected) => {
    const times = fires(entry, zone, after, expected.length);
    expect(times.map((time) => `${time.slice(0, 16)}Z = ${localWall(zone, time)}`)).toEqual(expected);
  });

  it.each(TRANSITIONS_2026)('the 2026 transitions of %s, as Intl tells them', (zone, expected) => {
    // prettier-ignore
    const clock = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hourCycle: 'h23', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'shortOffset' });
    const found = transitionsBetween(zone, Date.UTC(2026, 0, 1), Date.UTC(2027, 0, 1));
    const described = found.map(({ at }) => [
      new Date(at).toISOString().slice(0, 16),
      clock.format(at - 1000),
      clock.format(at),
    ]);
    expect(described).toEqual(expected);
  });

  it('where croner (with its own timezone option) disagrees, ours wins: a list in a gap fires once, at the gap end', () => {
    // croner 11.0.1 counts only single-value fields as fixed time, so `0,30 2` skips the gap day.
    const croner = new Cron('0,30 2 * * *', { timezone: 'America/New_York' });
    expect(croner.nextRun(new Date('2026-03-07T12:00:00Z'))?.toISOString()).toBe('2026-03-09T06:00:00.000Z');
    expect(fires('0,30 2 * * *', 'America/New_York', '2026-03-07T12:00:00Z', 1)).toEqual(['2026-03-08T07:00:00.000Z']);
  });

  it('where croner disagrees, ours wins: a range fires on the first pass of a repeated hour only', () => {
    const croner = new Cron('0 0-2 * * *', { timezone: 'Europe/London' }).nextRuns(4, new Date('2026-10-24T12:00:00Z'));
    expect(croner.map((date) => date.toISOString())).toContain('2026-10-25T01:00:00.000Z'); // 01:00 GMT, second pass
    expect(fires('0 0-2 * * *', 'Europe/London', '2026-10-24T12:00:00Z', 4)).not.toContain('2026-10-25T01:00:00.000Z');
  });

  it('agrees with croner 11.0.1 on a single-value entry in a gap: 02:30 fires at 03:00 (not 03:30, as the issue has it)', () => {
    const croner = new Cron('30 2 * * *', { timezone: 'America/New_York' });
    expect(croner.nextRun(new Date('2026-03-07T12:00:00Z'))?.toISOString()).toBe('2026-03-08T07:00:00.000Z');
    expect(fires('30 2 * * *', 'America/New_York', '2026-03-07T12:00:00Z', 1)).toEqual(['2026-03-08T07:00:00.000Z']);
  });
});
