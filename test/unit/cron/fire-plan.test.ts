import { describe, expect, it } from 'vitest';
import { parseCronSchedule, type CronSchedule } from '../../../src/cron/cron-schedule.js';
import { CATCH_UP_MAX, MISSED_COUNTED, planFires } from '../../../src/cron/fire-plan.js';

/**
 * The catch-up plan (docs/spec.md 10.5) after downtimes far longer than the one-by-one count: the
 * same fire times as walking every missed one would give, and the missed count exact for evenly
 * spaced schedules (estimated beyond MISSED_COUNTED from the spacing).
 */
function schedule(expression: string, zone = 'UTC'): CronSchedule {
  const parsed = parseCronSchedule(expression, zone);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.schedule;
}

const HOUR = 3_600_000;
const iso = (date: Date | null | undefined) => date?.toISOString();

describe('planFires after long downtimes', () => {
  const everySecond = schedule('* * * * * *');
  const next = new Date('2026-12-01T00:00:00.000Z');
  const now = new Date('2026-12-04T00:00:00.500Z'); // three days later

  it('all: the 100 most recent missed times, then those within the 60 s grace', () => {
    const plan = planFires(everySecond, next, now, 'all');
    expect(plan.caughtUp).toBe(CATCH_UP_MAX);
    // 23:59:00 is 60.5 s late: the last missed time; 23:59:01 is the first within the grace.
    expect(iso(plan.fire[0])).toBe('2026-12-03T23:57:21.000Z');
    expect(iso(plan.fire[CATCH_UP_MAX - 1])).toBe('2026-12-03T23:59:00.000Z');
    expect(iso(plan.fire[CATCH_UP_MAX])).toBe('2026-12-03T23:59:01.000Z');
    expect(iso(plan.fire.at(-1))).toBe('2026-12-04T00:00:00.000Z');
    expect(iso(plan.next)).toBe('2026-12-04T00:00:01.000Z');
    // Missed: every second from 12-01 00:00:00 to 12-03 23:59:00 inclusive, less the 100 fired.
    expect(plan.missed).toBe(3 * 86_400 - 60 + 1 - CATCH_UP_MAX);
    expect(plan.missed).toBeGreaterThan(MISSED_COUNTED);
  });

  it('last: only the most recent missed time; skip: none', () => {
    const last = planFires(everySecond, next, now, 'last');
    expect(last.caughtUp).toBe(1);
    expect(iso(last.fire[0])).toBe('2026-12-03T23:59:00.000Z');
    const skip = planFires(everySecond, next, now, 'skip');
    expect(skip.caughtUp).toBe(0);
    expect(iso(skip.fire[0])).toBe('2026-12-03T23:59:01.000Z');
    expect(skip.missed).toBe(last.missed + 1);
  });

  it('agrees with walking every fire time, across a fold, with far more missed times than it counts one by one', () => {
    // Every 5 s in London for 20 h over the night the clocks fall back (the 01:00 hour twice).
    const everyFive = schedule('*/5 * * * * *', 'Europe/London');
    const from = new Date('2026-10-24T16:00:00.000Z');
    const at = new Date(from.getTime() + 20 * HOUR + 30_000);
    const plan = planFires(everyFive, from, at, 'all');
    const walked: Date[] = [];
    for (let t: Date | null = from; t !== null && t.getTime() <= at.getTime(); t = everyFive.next(t)) walked.push(t);
    const late = walked.filter((t) => at.getTime() - t.getTime() > 60_000);
    expect(plan.fire.map(iso)).toEqual([...late.slice(-CATCH_UP_MAX), ...walked.slice(late.length)].map(iso));
    expect(plan.missed).toBe(late.length - CATCH_UP_MAX);
  });
});
