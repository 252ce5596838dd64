import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { nextFireTimes, parseCronSchedule } from '../../../src/cron/cron-schedule.js';
import { runCli } from '../../support/cli.js';

/**
 * `dispatchr config validate` and the `cron:` section: a typo in an entry fails with one line
 * naming the field (exit 2); a good config is printed with each entry's next three fire times, in
 * UTC and in the entry's zone, its timeout humanized and its secret headers hidden.
 */
vi.setConfig({ testTimeout: 120_000 });

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'dispatchr-cron-validate-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, lines: string[]): string {
  const full = path.join(dir, name);
  writeFileSync(full, ['queues:', '  emails: { target: https://example.com/tasks }', 'cron:', ...lines].join('\n'));
  return full;
}

const validate = (args: string[]) => runCli(['config', 'validate', ...args], { timeoutMs: 110_000 });

/** The next three fire times of a schedule after `at`, as RFC 3339 UTC. */
function expectedFires(schedule: string, timezone: string, at: number): string[] {
  const parsed = parseCronSchedule(schedule, timezone);
  if (!parsed.ok) throw new Error(parsed.message);
  return nextFireTimes(parsed.schedule, new Date(at), 3).map((date) => date.toISOString());
}

describe('dispatchr config validate with cron entries', () => {
  it('fails on a bad expression or zone with one line naming the field, exit 2', async () => {
    const bad = file('bad.yml', [
      '  nightly: { queue: emails, schedule: "61 2 * * *" }',
      '  paris: { queue: emails, schedule: "@daily", timezone: Europe/Pariss }',
    ]);
    const result = await validate(['--config', bad]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^cron\.nightly\.schedule: .*minute field "61": 61 is out of range 0-59/);
    expect(lines[1]).toMatch(/^cron\.paris\.timezone: .*unknown time zone "Europe\/Pariss"/);
  });

  it('fails on an unknown queue with one line naming the field, exit 2', async () => {
    const result = await validate([
      '--config',
      file('queue.yml', ['  nightly: { queue: emials, schedule: "@daily" }']),
    ]);
    expect(result).toMatchObject({
      code: 2,
      stdout: '',
      stderr: 'cron.nightly.queue: unknown queue "emials" (configured: emails)\n',
    });
  });

  describe('a good config', () => {
    const good = () =>
      file('good.yml', [
        '  hourly:',
        '    queue: emails',
        '    schedule: "@every 1h"',
        '    timeout: 90s',
        '    headers: { Authorization: "Bearer s3cret", X-Trace: "a" }',
        '  paris: { queue: emails, schedule: "30 2 * * *", timezone: Europe/Paris }',
        '  off: { queue: emails, schedule: "@daily", enabled: false }',
      ]);

    it('prints each entry next three fire times in UTC and local time (--json)', async () => {
      const before = Date.now();
      const result = await validate(['--config', good(), '--json']);
      const after = Date.now();
      expect(result.code, result.stderr).toBe(0);
      const doc = JSON.parse(result.stdout);
      // A fire time may pass while the command runs: the answer is the one for some instant in between.
      const candidates = (schedule: string, zone: string) => [
        expectedFires(schedule, zone, before),
        expectedFires(schedule, zone, after),
      ];
      expect(candidates('@every 1h', 'UTC')).toContainEqual(
        doc.cronNextFires.hourly.map((f: { utc: string; local: string }) => f.utc),
      );
      expect(doc.cronNextFires.hourly.map((f: { utc: string; local: string }) => f.local)).toEqual(
        doc.cronNextFires.hourly.map((f: { utc: string; local: string }) => f.utc.replace('.000Z', 'Z')),
      );
      const paris = doc.cronNextFires.paris as { utc: string; local: string }[];
      expect(candidates('30 2 * * *', 'Europe/Paris')).toContainEqual(paris.map((f) => f.utc));
      for (const { utc, local } of paris) {
        expect(local).toMatch(/^\d{4}-\d\d-\d\dT02:30:00\+0[12]:00$/);
        expect(Date.parse(local)).toBe(Date.parse(utc));
      }
      expect(doc.cronNextFires.off).toEqual([]);
      expect(doc.cron.hourly).toMatchObject({
        timeout: '90s',
        headers: { Authorization: '[redacted]', 'X-Trace': 'a' },
      });
      expect(result.stdout).not.toContain('s3cret');
    });

    it('prints them under "cron next fires:" in YAML', async () => {
      const before = Date.now();
      const result = await validate(['--config', good()]);
      const after = Date.now();
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).not.toContain('s3cret');
      expect(result.stdout).toMatch(/^ {4}timeout: 90s$/m);
      const section = result.stdout.slice(result.stdout.indexOf('\ncron next fires:\n'));
      const lines = section.trim().split('\n');
      expect(lines[0]).toBe('cron next fires:');
      expect(lines[1]).toBe('  hourly:');
      const hourly = lines.slice(2, 5).map((line) => line.replace(/^ {4}- /, ''));
      const short = (times: string[]) => times.map((at) => at.replace('.000Z', 'Z'));
      expect([
        short(expectedFires('@every 1h', 'UTC', before)),
        short(expectedFires('@every 1h', 'UTC', after)),
      ]).toContainEqual(hourly);
      expect(lines[5]).toBe('  paris:');
      for (const line of lines.slice(6, 9))
        expect(line).toMatch(/^ {4}- \S+Z {2}\(\S+T02:30:00\+0[12]:00 Europe\/Paris\)$/);
      expect(lines.slice(9)).toEqual(['  off: "never (enabled: false)"']);
    });
  });
});
