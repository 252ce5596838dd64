import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nextFireTimes, parseCronSchedule } from '../../../src/cron/cron-schedule.js';

/**
 * docs/spec.md 10.3's worked examples are the daylight-saving rules' reference: every row of its
 * table is checked here against the implementation, the UTC instants and the local times written
 * beside them, so the spec and the code cannot drift apart.
 */
const spec = readFileSync(new URL('../../../docs/spec.md', import.meta.url), 'utf8');
const block = /<!-- DST-EXAMPLES[^>]*-->([\s\S]*?)<!-- \/DST-EXAMPLES -->/.exec(spec)?.[1] ?? '';
const rows = block
  .split('\n')
  .filter((line) => line.startsWith('| ') && !line.startsWith('| zone') && !line.startsWith('|---'))
  .map((line) => {
    const [zone, schedule, after, fires] = line
      .split('|')
      .slice(1, 5)
      .map((cell) => cell.trim());
    const expected = fires.split('<br>').map((fire) => {
      const match = /^(\S+) \((\d\d:\d\d) UTC([+-]\d\d:\d\d)\)$/.exec(fire);
      if (!match) throw new Error(`unreadable fire time in the spec: ${fire}`);
      return { at: match[1], local: match[2], offset: match[3] };
    });
    return { zone, schedule: schedule.replace(/`/g, ''), after, expected };
  });

function localOf(at: Date, zone: string): { local: string; offset: string } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    })
      .formatToParts(at)
      .map((part) => [part.type, part.value]),
  );
  return {
    local: `${parts.hour}:${parts.minute}`,
    offset: parts.timeZoneName === 'GMT' ? '+00:00' : parts.timeZoneName.slice(3),
  };
}

describe("docs/spec.md 10.3's worked examples", () => {
  it('has the examples the issue names: four zones, gaps and folds, both kinds of entry', () => {
    expect(rows.length).toBeGreaterThanOrEqual(10);
    expect(new Set(rows.map((row) => row.zone))).toEqual(
      new Set(['Europe/London', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu']),
    );
  });

  it.each(rows.map((row) => [`${row.zone} ${row.schedule} after ${row.after}`, row] as const))('%s', (_, row) => {
    const parsed = parseCronSchedule(row.schedule, row.zone);
    if (!parsed.ok) throw new Error(parsed.message);
    const fires = nextFireTimes(parsed.schedule, new Date(row.after), row.expected.length);
    expect(fires.map((fire) => fire.toISOString().replace('.000Z', 'Z'))).toEqual(row.expected.map((e) => e.at));
    // The local times written beside them are what the zone says those instants are.
    expect(fires.map((fire) => localOf(fire, row.zone))).toEqual(
      row.expected.map((e) => ({ local: e.local, offset: e.offset })),
    );
  });
});
