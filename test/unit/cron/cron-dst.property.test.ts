import { Cron } from 'croner';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextFireTimes, parseCronSchedule, type CronSchedule } from '../../../src/cron/cron-schedule.js';

/**
 * Whole years of fire times in zones with a one-hour shift (London, New York), a 30-minute shift
 * (Lord Howe) and a quarter-hour offset without DST (Kathmandu), checked against oracles written
 * here from Intl alone (not from src/cron/zone-time.ts), and against croner's own time zone
 * support away from the transitions.
 */
const ZONES = ['Europe/London', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu'];
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();
/** Local wall time at an instant as naive UTC ms, read from Intl's formatted fields. */
function wallOf(zone: string, instant: number): number {
  let formatter = formatters.get(zone);
  if (!formatter) {
    // prettier-ignore
    formatter = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(zone, formatter);
  }
  const fields = Object.fromEntries(formatter.formatToParts(instant).map((part) => [part.type, Number(part.value)]));
  return Date.UTC(fields.year, fields.month - 1, fields.day, fields.hour, fields.minute, fields.second);
}
const offsetOf = (zone: string, instant: number) => wallOf(zone, instant) - instant;
const localDate = (zone: string, instant: number) => new Date(wallOf(zone, instant)).toISOString().slice(0, 10);

/** The zone's offset changes in (from, to] and the offset from each, by probes and bisection to the second. */
function changesIn(zone: string, from: number, to: number, step = 6 * HOUR): { at: number; offset: number }[] {
  const found: { at: number; offset: number }[] = [];
  for (let low = from; low < to; low += step) {
    let [lo, hi] = [low, Math.min(low + step, to)];
    if (offsetOf(zone, lo) === offsetOf(zone, hi)) continue;
    while (hi - lo > 1000) {
      const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
      if (offsetOf(zone, mid) === offsetOf(zone, lo)) lo = mid;
      else hi = mid;
    }
    found.push({ at: hi, offset: offsetOf(zone, hi) });
  }
  return found;
}

const changesByYear = new Map<string, { at: number; offset: number }[]>();
/** The changes from a day before the year to two days after it, probed once per zone and year. */
function changesAround(zone: string, year: number): { at: number; offset: number }[] {
  const key = `${zone} ${year}`;
  const found =
    changesByYear.get(key) ?? changesIn(zone, Date.UTC(year, 0, 1) - DAY, Date.UTC(year + 1, 0, 1) + 2 * DAY);
  changesByYear.set(key, found);
  return found;
}

function parsed(expression: string, zone: string): CronSchedule {
  const result = parseCronSchedule(expression, zone);
  if (!result.ok) throw new Error(result.message);
  return result.schedule;
}

function firesBetween(schedule: CronSchedule, from: number, to: number): number[] {
  const times: number[] = [];
  for (let next = schedule.next(new Date(from)); next && next.getTime() < to; next = schedule.next(next))
    times.push(next.getTime());
  return times;
}

/** Fixed-hour oracle: the wall time's first occurrence on that local date, or the end of its gap. */
function expectedFixedFire(zone: string, date: string, h: number, m: number, s: number): number {
  const wall = Date.UTC(+date.slice(0, 4), +date.slice(5, 7) - 1, +date.slice(8, 10), h, m, s);
  const [before, after] = [offsetOf(zone, wall - DAY), offsetOf(zone, wall + DAY)];
  const occurrences = [wall - before, wall - after].filter((instant) => wallOf(zone, instant) === wall);
  if (occurrences.length > 0) return Math.min(...occurrences);
  return changesIn(zone, wall - after - HOUR, wall - before + HOUR, HOUR)[0].at;
}

const yearArb = fc.oneof(fc.constant(2026), fc.integer({ min: 2020, max: 2035 }));
const zoneArb = fc.constantFrom(...ZONES);
const secondsArb = fc.option(fc.integer({ min: 0, max: 59 }), { nil: undefined });
const withSeconds = (s: number | undefined, rest: string) => (s === undefined ? rest : `${s} ${rest}`);
// Every gap and repeated hour of these zones is at 01:00-02:59 local time, so those hours come up often.
const fixedArb = fc.record({
  s: secondsArb,
  m: fc.integer({ min: 0, max: 59 }),
  h: fc.oneof(fc.constantFrom(1, 2), fc.integer({ min: 0, max: 23 })),
});
const wildcardArb = fc.record({
  s: secondsArb,
  minutes: fc.oneof(
    fc.constantFrom(15, 20, 30).map((k) => `*/${k}`),
    fc.integer({ min: 0, max: 59 }).map(String),
  ),
});
// Lists and ranges are fixed-hour for us but interval jobs for croner: the two differ near transitions only.
const fixedListArb = fc
  .record({
    s: secondsArb,
    minutes: fc.uniqueArray(fc.integer({ min: 0, max: 59 }), { minLength: 1, maxLength: 3 }),
    h: fc.integer({ min: 0, max: 3 }),
    span: fc.integer({ min: 0, max: 2 }),
  })
  .map(({ s, minutes, h, span }) => withSeconds(s, `${minutes.join(',')} ${span ? `${h}-${h + span}` : h} * * *`));
const anyExpressionArb = fc.oneof(
  fixedArb.map(({ s, m, h }) => withSeconds(s, `${m} ${h} * * *`)),
  fixedListArb,
  wildcardArb.map(({ s, minutes }) => withSeconds(s, `${minutes} * * * *`)),
);

describe('daylight saving over whole years (property)', () => {
  it('a fixed-hour entry fires once per local day: at its first occurrence, or when its gap ends', () => {
    fc.assert(
      fc.property(fixedArb, yearArb, ({ s, m, h }, year) => {
        for (const zone of ZONES) {
          const schedule = parsed(withSeconds(s, `${m} ${h} * * *`), zone);
          const times = firesBetween(schedule, Date.UTC(year, 0, 1) - DAY, Date.UTC(year + 1, 0, 1) + DAY);
          const inYear = times.filter((time) => localDate(zone, time).startsWith(`${year}-`));
          expect(inYear.length).toBe((Date.UTC(year + 1, 0, 1) - Date.UTC(year, 0, 1)) / DAY);
          for (const time of inYear) expect(time).toBe(expectedFixedFire(zone, localDate(zone, time), h, m, s ?? 0));
          times.slice(1).forEach((time, index) => expect(time).toBeGreaterThan(times[index]));
        }
      }),
      { numRuns: 10 },
    );
  });

  it('a wildcard-hour entry fires at exactly the instants whose local time matches, strictly increasing', () => {
    fc.assert(
      fc.property(wildcardArb, zoneArb, yearArb, ({ s, minutes }, zone, year) => {
        const schedule = parsed(withSeconds(s, `${minutes} * * * *`), zone);
        const step = minutes.startsWith('*/') ? Number(minutes.slice(2)) : 60;
        const matches = (instant: number, offset: number) => {
          const minute = ((instant + offset) / MINUTE) % 60;
          return step === 60 ? minute === Number(minutes) : minute % step === 0;
        };
        const [from, to] = [Date.UTC(year, 0, 1), Date.UTC(year + 1, 0, 1)];
        const expected: number[] = [];
        const changes = changesAround(zone, year);
        let offset = offsetOf(zone, from);
        for (let hour = from, next = 0; hour < to; hour += HOUR) {
          for (; next < changes.length && changes[next].at <= hour; next++) offset = changes[next].offset;
          const steady = next === changes.length || changes[next].at >= hour + HOUR;
          for (let minute = hour; minute < hour + HOUR; minute += MINUTE) {
            if (matches(minute, steady ? offset : offsetOf(zone, minute))) expected.push(minute + (s ?? 0) * 1000);
          }
        }
        const times = firesBetween(schedule, from - 1, to);
        expect(times).toEqual(expected); // equal to a sorted, duplicate-free list: strictly increasing
      }),
      { numRuns: 6 },
    );
  });

  it("agrees with croner's own time zone support away from the transitions", () => {
    fc.assert(
      fc.property(
        anyExpressionArb,
        zoneArb,
        yearArb,
        fc.array(fc.integer({ min: 0, max: 365 * DAY }), { minLength: 10, maxLength: 10 }),
        (expression, zone, year, offsets) => {
          const ours = parsed(expression, zone);
          const croner = new Cron(expression, { timezone: zone });
          const transitions = changesAround(zone, year).map(({ at }) => at);
          for (const offset of offsets) {
            const after = Date.UTC(year, 0, 1) + offset;
            const mine = ours.next(new Date(after))!.getTime();
            const theirs = croner.nextRun(new Date(after))!.getTime();
            // Within 3 hours of a transition, the two may differ by rule (see cron-schedule.test.ts).
            const near = transitions.some((at) => at > after - 3 * HOUR && at < Math.max(mine, theirs) + 3 * HOUR);
            if (!near) expect(new Date(mine).toISOString()).toBe(new Date(theirs).toISOString());
          }
        },
      ),
      { numRuns: 30 },
    );
  });

  it('nextFireTimes is repeated next()', () => {
    fc.assert(
      fc.property(
        anyExpressionArb,
        zoneArb,
        yearArb,
        fc.integer({ min: 0, max: 365 * DAY }),
        fc.integer({ min: 0, max: 60 }),
        (expression, zone, year, offset, count) => {
          const schedule = parsed(expression, zone);
          const after = new Date(Date.UTC(year, 0, 1) + offset);
          const times = nextFireTimes(schedule, after, count);
          expect(times).toHaveLength(count);
          let previous = after;
          for (const time of times) {
            expect(time).toEqual(schedule.next(previous));
            expect(time.getUTCMilliseconds()).toBe(0);
            previous = time;
          }
        },
      ),
      { numRuns: 30 },
    );
  });
});
