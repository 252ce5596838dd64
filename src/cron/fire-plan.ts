import type { CatchUpPolicy } from './cron-definition.js';
import type { CronSchedule } from './cron-schedule.js';

/**
 * Which fire times a due entry fires now (docs/spec.md 10.5). Pure: the firer passes the stored
 * next fire time and the clock.
 *
 * A fire time is *missed* when the firer reaches it more than MISSED_AFTER_MS late: no scheduler
 * was running, or none could reach the database. A fire time reached sooner is simply fired, late
 * or not, whatever the policy: an every-second entry whose scheduler paused for two seconds fires
 * both seconds. Missed fire times follow `catchUp`:
 * - `skip`: none fires;
 * - `last`: the most recent fires, once;
 * - `all`: each fires, up to the bound: at most CATCH_UP_MAX of them (the most recent), none
 *   older than CATCH_UP_WINDOW_MS.
 * Nothing older than the window is ever fired, so the (entry, fire time) records can be pruned
 * once they are older than it.
 *
 * The work is bounded whatever the downtime: this runs inside the fire's transaction (on SQLite,
 * the one write lock). Missed times are counted one by one up to MISSED_COUNTED, and estimated
 * beyond that from the entry's interval; the most recent ones are found by looking back from the
 * end of the downtime rather than by walking all of it.
 */
export const MISSED_AFTER_MS = 60_000;
export const CATCH_UP_WINDOW_MS = 24 * 60 * 60 * 1000;
export const CATCH_UP_MAX = 100;
export const MISSED_COUNTED = 1_000;

export interface FirePlan {
  /** The fire times to fire now, oldest first. */
  fire: Date[];
  /** Of those, how many were missed (fired by `last` or `all`). */
  caughtUp: number;
  /** Missed fire times that do not fire: exact up to MISSED_COUNTED, estimated beyond. */
  missed: number;
  /** The first fire time after `now`: the entry's new next_fire_at (null: it never fires again). */
  next: Date | null;
}

export function planFires(schedule: CronSchedule, nextFireAt: Date, now: Date, policy: CatchUpPolicy): FirePlan {
  const nowMs = now.getTime();
  const missedBefore = nowMs - MISSED_AFTER_MS; // a fire time earlier than this is missed
  const windowStart = nowMs - CATCH_UP_WINDOW_MS;
  let lateCount = 0;
  let at: Date | null = nextFireAt;
  if (at.getTime() < windowStart) {
    lateCount += countFrom(schedule, at, windowStart); // never fired, whatever the policy
    at = firstAtOrAfter(schedule, windowStart);
  }
  // The most recent CATCH_UP_MAX missed times in the window: only they can fire.
  let recent: Date[] = [];
  let counted = 0;
  while (at !== null && at.getTime() < missedBefore && counted < MISSED_COUNTED) {
    counted++;
    recent.push(at);
    if (recent.length > CATCH_UP_MAX) recent.shift();
    at = schedule.next(at);
  }
  lateCount += counted;
  if (at !== null && at.getTime() < missedBefore) {
    lateCount += countFrom(schedule, at, missedBefore);
    recent = mostRecentBefore(schedule, missedBefore, at, CATCH_UP_MAX);
    at = firstAtOrAfter(schedule, missedBefore);
  }
  const onTime: Date[] = [];
  while (at !== null && at.getTime() <= nowMs) {
    onTime.push(at);
    at = schedule.next(at);
  }
  const caught = policy === 'all' ? recent : policy === 'last' ? recent.slice(-1) : [];
  return { fire: [...caught, ...onTime], caughtUp: caught.length, missed: lateCount - caught.length, next: at };
}

/** The first fire time at or after `ms`. */
function firstAtOrAfter(schedule: CronSchedule, ms: number): Date | null {
  return schedule.next(new Date(ms - 1));
}

/** How many fire times lie in [from, untilMs): exact for up to SAMPLE of them, else estimated from their spacing. */
const SAMPLE = 100;
function countFrom(schedule: CronSchedule, from: Date, untilMs: number): number {
  let count = 0;
  let at: Date | null = from;
  while (at !== null && at.getTime() < untilMs) {
    count++;
    if (count === SAMPLE) {
      const next = schedule.next(at);
      if (next === null || next.getTime() >= untilMs) return count;
      // The fire times next, next + spacing, ... before untilMs (exact for evenly spaced schedules).
      const spacing = (at.getTime() - from.getTime()) / (SAMPLE - 1);
      return count + Math.ceil((untilMs - next.getTime()) / spacing);
    }
    at = schedule.next(at);
  }
  return count;
}

/**
 * The last `count` fire times in [floor, beforeMs), oldest first: a look back from `beforeMs` over
 * a window that grows fourfold until it holds enough of them or reaches `floor`.
 */
function mostRecentBefore(schedule: CronSchedule, beforeMs: number, floor: Date, count: number): Date[] {
  const second = schedule.next(floor);
  const spacing = second === null ? 60_000 : Math.max(1_000, second.getTime() - floor.getTime());
  for (let span = Math.max(60_000, 2 * count * spacing); ; span *= 4) {
    const startMs = Math.max(floor.getTime(), beforeMs - span);
    const found: Date[] = [];
    for (let at = firstAtOrAfter(schedule, startMs); at !== null && at.getTime() < beforeMs; at = schedule.next(at)) {
      found.push(at);
      if (found.length > count) found.shift();
    }
    if (found.length >= count || startMs <= floor.getTime()) return found;
  }
}
