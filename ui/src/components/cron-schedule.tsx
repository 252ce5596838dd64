import type { CronEntry } from '../api/types';

/**
 * A cron schedule as the expression it is, plus words for the common shapes (every n minutes, daily
 * at a time, a weekday, a day of the month). Anything else keeps only the expression: a wrong
 * sentence is worse than none, and the next fire times show what it means anyway.
 */
const NAMED: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const MONTHS = 'January February March April May June July August September October November December'.split(' ');
const EVERY_UNITS: Record<string, [string, string]> = {
  d: ['day', 'days'],
  h: ['hour', 'hours'],
  m: ['minute', 'minutes'],
  s: ['second', 'seconds'],
};

const isNumber = (field: string) => /^\d+$/.test(field);
const pad = (value: string) => value.padStart(2, '0');
const plural = (count: number, [one, many]: [string, string]) => `${count} ${count === 1 ? one : many}`;

/** "every 1 hour 30 minutes" for `@every 1h30m`; null when it does not read as one. */
function everyWords(expression: string): string | null {
  const duration = /^@every\s+((?:\d+[dhms])+)$/i.exec(expression)?.[1];
  if (!duration) return null;
  const parts = [...duration.matchAll(/(\d+)([dhms])/g)].map(([, count, unit]) =>
    plural(Number(count), EVERY_UNITS[unit]),
  );
  return `every ${parts.join(' ')}`;
}

/** A day-of-week field: one day, a range, or a list of days; null for anything else. */
function weekdayWords(field: string): string | null {
  const day = (text: string): number | null => {
    const index = isNumber(text) ? Number(text) % 7 : DAY_NAMES.indexOf(text.toUpperCase());
    return index >= 0 && index <= 6 ? index : null;
  };
  if (field === '1-5' || field.toUpperCase() === 'MON-FRI') return 'on weekdays';
  if (field === '0,6' || field === '6,0' || field.toUpperCase() === 'SAT,SUN') return 'at weekends';
  const days = field.split(',').map(day);
  if (days.some((d) => d === null)) return null;
  return `every ${days.map((d) => DAYS[d!]).join(', ')}`;
}

/** Words for a 5-field expression (or 6 with seconds 0), or null. */
function fieldWords(expression: string): string | null {
  let fields = expression.split(/\s+/);
  if (fields.length === 6) {
    if (fields[0] !== '0') return null;
    fields = fields.slice(1);
  }
  if (fields.length !== 5) return null;
  const [minute, hour, day, month, weekday] = fields;
  if (minute === '*' && hour === '*' && day === '*' && month === '*' && weekday === '*') return 'every minute';
  const minuteStep = /^\*\/(\d+)$/.exec(minute)?.[1];
  if (minuteStep && hour === '*' && day === '*' && month === '*' && weekday === '*') {
    return `every ${plural(Number(minuteStep), EVERY_UNITS.m)}`;
  }
  if (!isNumber(minute)) return null;
  if (hour === '*' && day === '*' && month === '*' && weekday === '*') return `every hour at :${pad(minute)}`;
  const hourStep = /^\*\/(\d+)$/.exec(hour)?.[1];
  if (hourStep && day === '*' && month === '*' && weekday === '*') {
    return `every ${plural(Number(hourStep), EVERY_UNITS.h)} at :${pad(minute)}`;
  }
  const hours = hour.split(',');
  if (!hours.every(isNumber)) return null;
  const at = `at ${hours.map((h) => `${pad(h)}:${pad(minute)}`).join(' and ')}`;
  if (day === '*' && month === '*' && weekday === '*') return `every day ${at}`;
  if (day === '*' && month === '*') {
    const days = weekdayWords(weekday);
    return days ? `${days} ${at}` : null;
  }
  if (isNumber(day) && weekday === '*' && month === '*') return `on day ${day} of every month ${at}`;
  if (isNumber(day) && weekday === '*' && isNumber(month) && MONTHS[Number(month) - 1]) {
    return `every ${Number(day)} ${MONTHS[Number(month) - 1]} ${at}`;
  }
  return null;
}

export function describeSchedule(schedule: string): string | null {
  const text = schedule.trim();
  if (/^@every\b/i.test(text)) return everyWords(text);
  const expanded = text.startsWith('@') ? NAMED[text.toLowerCase()] : text;
  return expanded ? fieldWords(expanded) : null;
}

/** `@every` counts elapsed time from the epoch: the entry's zone plays no part in it. */
export const isZoneFree = (schedule: string): boolean => /^@every\b/i.test(schedule.trim());

/** The expression, its words and its zone, e.g. `30 2 * * *` every day at 02:30 (Europe/London). */
export function CronScheduleText({ entry }: { entry: Pick<CronEntry, 'schedule' | 'timezone'> }) {
  const words = describeSchedule(entry.schedule);
  return (
    <span class="cron-schedule">
      <code class="break">{entry.schedule}</code>
      {words ? <span> {words}</span> : null}
      <span class="muted"> {isZoneFree(entry.schedule) ? '(elapsed time, any zone)' : `(${entry.timezone})`}</span>
    </span>
  );
}
