import { Cron } from 'croner';
import { EVERY_RULE, isEveryExpression, nextEveryInstant, parseEveryInterval } from './every-interval.js';
import { canonicalTimeZone, firstTransitionBetween, offsetAt, transitionsBetween } from './zone-time.js';

/**
 * Cron entries' schedules: parsing, and the next fire time in a time zone.
 *
 * croner matches the calendar, run at UTC offset 0 over local wall-clock time treated as a naive
 * timeline; mapping wall times to instants is ours, because the product's daylight-saving rules
 * differ from croner's own (which counts only single-value second, minute and hour fields as fixed):
 *  - a fixed-hour entry (hour field a number, list or range) whose wall time falls in a gap fires
 *    when the gap ends, and fires only at the first occurrence of a wall time that occurs twice;
 *  - a wildcard-hour entry (hour field `*` or a step) fires at every instant whose local time
 *    matches: nothing in a gap, both occurrences in a repeated hour;
 *  - several wall times reaching one instant fire once: fire times strictly increase.
 */

export type CronScheduleKind = 'cron' | 'every';
export interface CronSchedule {
  readonly expression: string;
  readonly timezone: string;
  readonly kind: CronScheduleKind;
  /** Vixie cron's distinction: the hour field is a literal/list/range (fixed) vs `*` or a step. */
  readonly fixedHour: boolean;
  /** The first fire time strictly after `after` (ms precision in, whole seconds out), or null if none within 5 years. */
  next(after: Date): Date | null;
}
export type ParsedCronSchedule =
  { ok: true; schedule: CronSchedule } | { ok: false; field: 'schedule' | 'timezone'; message: string };

export const CRON_EXPRESSION_MAX_LENGTH = 200;
const TIMEZONE_MAX_LENGTH = 100;
const DAY = 86_400_000;
const HORIZON_MS = 5 * 365.25 * DAY;
const NEVER_FIRES = 'the schedule never fires (no matching time in the next 5 years)';

const NAMED: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

interface FieldRule {
  readonly label: string;
  readonly min: number;
  readonly max: number;
  /** croner's limit: a step may be as large as the field's count of values. */
  readonly maxStep: number;
  /** Three-letter names, the first standing for `min`. */
  readonly names?: readonly string[];
}
const SECOND_FIELD: FieldRule = { label: 'second', min: 0, max: 59, maxStep: 60 };
const FIVE_FIELDS: readonly FieldRule[] = [
  { label: 'minute', min: 0, max: 59, maxStep: 60 },
  { label: 'hour', min: 0, max: 23, maxStep: 24 },
  { label: 'day-of-month', min: 1, max: 31, maxStep: 31 },
  { label: 'month', min: 1, max: 12, maxStep: 12, names: 'JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC'.split(' ') },
  { label: 'day-of-week', min: 0, max: 7, maxStep: 7, names: 'SUN MON TUE WED THU FRI SAT'.split(' ') },
];

/** An echoed input value, quoted and cut short so that a huge input never fills a message. */
function quoted(value: string): string {
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
}

const refuse = (field: 'schedule' | 'timezone', message: string): ParsedCronSchedule => ({ ok: false, field, message });

/** Validates both; refuses an invalid expression, an unknown zone, and a schedule that never fires (e.g. `0 0 30 2 *`). */
export function parseCronSchedule(expression: string, timezone: string = 'UTC'): ParsedCronSchedule {
  if (typeof expression !== 'string') return refuse('schedule', 'expected a cron expression as a string');
  const text = expression.trim();
  if (text.length > CRON_EXPRESSION_MAX_LENGTH)
    return refuse('schedule', `expected at most ${CRON_EXPRESSION_MAX_LENGTH} characters, got ${text.length}`);
  const zone =
    typeof timezone === 'string' && timezone.length <= TIMEZONE_MAX_LENGTH ? canonicalTimeZone(timezone) : null;
  const pattern = isEveryExpression(text) ? null : cronPattern(text);
  if (pattern && 'error' in pattern) return refuse('schedule', pattern.error);
  if (pattern === null && parseEveryInterval(text) === null) return refuse('schedule', EVERY_RULE);
  if (typeof timezone !== 'string') return refuse('timezone', 'expected an IANA time zone name as a string');
  if (zone === null) {
    // Intl accepts "+02:00" on newer Node versions only; a name says what happens at DST, so we
    // take names everywhere and point a fixed-offset user at the Etc zones.
    const offsetHint = /^[+-]?\d/.test(timezone)
      ? '; a UTC offset is not a zone: for a fixed +02:00 use Etc/GMT-2'
      : '';
    return refuse(
      'timezone',
      `unknown time zone ${quoted(timezone)} (expected an IANA zone such as Europe/London${offsetHint})`,
    );
  }
  if (pattern === null) return { ok: true, schedule: new EverySchedule(text, zone, parseEveryInterval(text)!) };
  if (!someDayMatches(pattern)) return refuse('schedule', NEVER_FIRES);
  const matcher = new WallTimeMatcher(pattern.fields);
  return { ok: true, schedule: new ZonedCronSchedule(text, zone, !/[*/]/.test(pattern.fields[2]), matcher) };
}

const MONTH_LENGTHS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Whether any date ever matches, decided without searching (croner would scan to the year 3000
 * before saying no). Every month-day, 29 February included, falls on every weekday within the
 * 400-year Gregorian cycle, so only a day-of-month that no listed month has can make a schedule
 * empty (30 February, 31 April), and only when the weekday cannot match on its own.
 */
function someDayMatches({ fields, values }: CronPattern): boolean {
  const eitherDay = !fields[3].startsWith('*') && !fields[5].startsWith('*');
  const firstDay = Math.min(...values[3]);
  return eitherDay || values[4].some((month) => firstDay <= MONTH_LENGTHS[month - 1]);
}

interface CronPattern {
  /** Seconds first, names as numbers: croner's 6-part pattern. */
  readonly fields: string[];
  /** Each field's values, in the same order. */
  readonly values: number[][];
}

/** The nominal fields and their values, or the first problem found. */
function cronPattern(text: string): CronPattern | { error: string } {
  let words = text.split(/\s+/);
  if (words.length === 1 && words[0].startsWith('@')) {
    const named = NAMED[words[0].toLowerCase()];
    if (!named)
      return {
        error: `unknown name ${quoted(words[0])}: expected @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly or @every <duration>`,
      };
    words = named.split(' ');
  }
  if (words.length !== 5 && words.length !== 6)
    return { error: `expected 5 or 6 space-separated fields (seconds first when 6), got ${text ? words.length : 0}` };
  const rules = words.length === 6 ? [SECOND_FIELD, ...FIVE_FIELDS] : FIVE_FIELDS;
  const fields = words.length === 6 ? [] : ['0'];
  const values = words.length === 6 ? [] : [[0]];
  for (const [index, rule] of rules.entries()) {
    const field = normaliseField(rule, words[index]);
    if (field.error !== undefined) return { error: field.error };
    fields.push(field.value);
    values.push(field.values);
  }
  return { fields, values };
}

/** One field: a comma list of `*`, `*\/n`, `a`, `a-b` or `a-b/n`, with names turned into numbers. */
function normaliseField(
  rule: FieldRule,
  text: string,
): { value: string; values: number[]; error?: undefined } | { error: string } {
  const problem = (item: string, message: string) => ({ error: `${rule.label} field ${quoted(item)}: ${message}` });
  const allowed = rule.names
    ? `numbers ${rule.min}-${rule.max} or names ${rule.names[0]}-${rule.names.at(-1)}`
    : `numbers ${rule.min}-${rule.max}`;
  const grammar = `expected ${allowed}, *, a-b, */n, a-b/n or a comma list of them (L, W, # and ? are not supported)`;
  const items: string[] = [];
  const values: number[] = [];
  for (const item of text.split(',')) {
    const match = /^(?:(\*)|([A-Za-z0-9]+)(?:-([A-Za-z0-9]+))?)(?:\/([0-9]+))?$/.exec(item);
    if (!match) return problem(item, grammar);
    const [, star, fromText, toText, stepText] = match;
    if (stepText !== undefined) {
      if (!star && toText === undefined) return problem(item, 'a step needs * or a range before it (*/n or a-b/n)');
      if (Number(stepText) < 1 || Number(stepText) > rule.maxStep)
        return problem(item, `the step must be 1-${rule.maxStep}`);
    }
    const step = stepText === undefined ? 1 : Number(stepText);
    if (star) {
      for (let value = rule.min; value <= rule.max; value += step) values.push(value);
      items.push(item);
      continue;
    }
    const from = fieldValue(rule, fromText, false);
    const to = toText === undefined ? from : fieldValue(rule, toText, true);
    if (from === null || to === null) return problem(item, grammar);
    for (const value of [from, to])
      if (value < rule.min || value > rule.max)
        return problem(item, `${value} is out of range ${rule.min}-${rule.max}`);
    if (from > to) return problem(item, `a range must not run backwards (${from}-${to})`);
    for (let value = from; value <= to; value += step) values.push(value);
    items.push(`${from}${toText === undefined ? '' : `-${to}`}${stepText === undefined ? '' : `/${stepText}`}`);
  }
  return { value: items.join(','), values };
}

/** A number, or a name of the field; SUN ending a range is 7, so that SAT-SUN reads as 6-7. */
function fieldValue(rule: FieldRule, text: string, rangeEnd: boolean): number | null {
  if (/^[0-9]{1,4}$/.test(text)) return Number(text);
  const index = rule.names?.indexOf(text.toUpperCase()) ?? -1;
  if (index < 0) return null;
  return rule.label === 'day-of-week' && rangeEnd && index === 0 ? 7 : rule.min + index;
}

/** croner over naive wall time (UTC offset 0, so no Intl): the next matching wall time. */
class WallTimeMatcher {
  readonly #cron: Cron;
  constructor(fields: readonly string[]) {
    // crontab(5): a day field counts as restricted when it does not start with `*`, and either
    // restricted field may match. croner's OR instead treats only a bare `*` as unrestricted, so
    // `*/2` is given AND here (with one side unrestricted, AND is that side alone).
    const domAndDow = fields[3].startsWith('*') || fields[5].startsWith('*');
    this.#cron = new Cron(fields.join(' '), { utcOffset: 0, mode: '6-part', domAndDow });
  }
  /** The first matching wall time at a whole second strictly after `wall` (naive ms), or null. */
  nextAfter(wall: number): number | null {
    return this.#cron.nextRun(new Date(wall))?.getTime() ?? null;
  }
}

function instantOf(after: Date): number {
  const instant = after instanceof Date ? after.getTime() : Number.NaN;
  if (Number.isNaN(instant)) throw new TypeError('next(after) expects a valid Date');
  return instant;
}

class ZonedCronSchedule implements CronSchedule {
  readonly kind = 'cron';
  constructor(
    readonly expression: string,
    readonly timezone: string,
    readonly fixedHour: boolean,
    private readonly matcher: WallTimeMatcher,
  ) {}

  next(after: Date): Date | null {
    const instant = nextZonedInstant(this.matcher, this.timezone, this.fixedHour, instantOf(after));
    return instant === null ? null : new Date(instant);
  }
}

/**
 * Walks the stretches of constant UTC offset from `after` on. Within one stretch, wall time and
 * instant move together, so croner's next wall time there is the next fire time; past the stretch's
 * end, the search goes on in the next one, with the wall times the change skipped or repeated
 * handled as the rules say.
 */
function nextZonedInstant(matcher: WallTimeMatcher, zone: string, fixedHour: boolean, after: number): number | null {
  const limit = after + HORIZON_MS;
  let from = after; // fire times are strictly after this instant
  let offset = offsetAt(zone, from);
  let stretchStart = from; // the offset holds from here to the next transition
  // A fixed-hour entry fires in a repeated hour only on the first pass: wall times below this
  // floor occurred before the last fall-back, and have had their turn.
  let wallFloor = Number.NEGATIVE_INFINITY;
  const recent = fixedHour ? transitionsBetween(zone, from - DAY, from).at(-1) : undefined;
  if (recent && recent.after < recent.before) wallFloor = recent.at + recent.before;
  for (;;) {
    const wall = matcher.nextAfter(Math.max(from + offset, wallFloor - 1));
    const candidate = wall === null ? null : wall - offset;
    const change = firstTransitionBetween(zone, stretchStart, Math.min(candidate ?? limit, limit));
    if (!change) return candidate !== null && candidate <= limit ? candidate : null;
    if (fixedHour && change.after > change.before) {
      const skipped = matcher.nextAfter(change.at + change.before - 1);
      if (skipped !== null && skipped < change.at + change.after) return change.at;
    }
    from = change.at - 1;
    stretchStart = change.at;
    offset = change.after;
    wallFloor = fixedHour && change.after < change.before ? change.at + change.before : Number.NEGATIVE_INFINITY;
  }
}

class EverySchedule implements CronSchedule {
  readonly kind = 'every';
  readonly fixedHour = false;
  constructor(
    readonly expression: string,
    readonly timezone: string,
    private readonly intervalMs: number,
  ) {}

  next(after: Date): Date | null {
    return new Date(nextEveryInstant(this.intervalMs, instantOf(after)));
  }
}

/** The next `count` fire times strictly after `after`, in order (fewer if the schedule ends). */
export function nextFireTimes(schedule: CronSchedule, after: Date, count: number): Date[] {
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError('count must be a whole number from 0');
  const times: Date[] = [];
  let from = after;
  while (times.length < count) {
    const next = schedule.next(from);
    if (next === null) break;
    times.push(next);
    from = next;
  }
  return times;
}
