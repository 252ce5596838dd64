import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../../src/clock.js';
import type { ConfigInput } from '../../../src/config/schema.js';
import { createCronEntries } from '../../../src/cron/cron-entries.js';
import { configCronDefinitions } from '../../../src/cron/cron-queue-check.js';
import { createCronRepository } from '../../../src/db/cron.repository.js';
import {
  cronEntryListResponse,
  cronEntryResource,
  cronRunResource,
} from '../../../src/recorder/schemas/cron.schema.js';
import { runCli } from '../../support/cli.js';
import { drivers } from '../../support/databases.js';
import { QUEUES, startTestRecorder, TOKEN, type TestRecorder } from '../recorder/support.js';
import { json } from './support.js';

/**
 * `dispatchr cron list|show|trigger|pause|resume` in both modes: on the database of --config, and
 * through a recorder (--url) serving that same database. The --json documents of the two modes are
 * compared byte for byte; a name that is no entry's is one line on stderr and exit 1 in both.
 */
vi.setConfig({ testTimeout: 120_000 });

const CRON: ConfigInput['cron'] = {
  nightly: {
    queue: 'emails',
    schedule: '30 2 * * *',
    timezone: 'Europe/Paris',
    headers: { Authorization: 'Bearer s3cret' },
  },
};

describe.each(drivers())('dispatchr cron on %s', (driver) => {
  let recorder: TestRecorder;
  let dir: string;
  let configFile: string;
  beforeAll(async () => {
    recorder = await startTestRecorder(driver, { recorder: { tokens: [TOKEN] }, cron: CRON }, { defaultToken: TOKEN });
    // What a scheduler does at start: the config's entries written to the database.
    const { cron, queues, scheduler } = recorder.config;
    await createCronEntries({ cron: createCronRepository(recorder.db), clock: systemClock }).syncConfig(
      configCronDefinitions(cron, queues, scheduler.leaseDuration),
    );
    const hourly = await recorder.call('PUT', '/v1/cron/hourly', {
      body: { queue: 'reports', schedule: '0 * * * *', path: '/tick', body: { n: 1 } },
    });
    expect(hourly.status).toBe(201);
    dir = mkdtempSync(path.join(tmpdir(), 'dispatchr-cron-cli-'));
    configFile = path.join(dir, 'dispatchr.yml');
    writeFileSync(
      configFile,
      stringify({ database: { url: recorder.config.database.url }, queues: QUEUES, cron: CRON }),
    );
  });
  afterAll(async () => {
    await recorder?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // A generous bound per run: each is a fresh process compiling TypeScript, on a machine that may be busy.
  const viaUrl = (args: string[]) =>
    runCli([...args, '--url', recorder.url], {
      env: { DISPATCHR_TOKEN: TOKEN, DISPATCHR_URL: '' },
      timeoutMs: 110_000,
    });
  const viaDb = (args: string[]) =>
    runCli([...args, '--config', configFile], {
      env: { DISPATCHR_URL: '', DISPATCHR_TOKEN: '' },
      timeoutMs: 110_000,
    });
  /** Both modes, which must print the same document. */
  async function both(args: string[]): Promise<string> {
    const [fromUrl, fromDb] = await Promise.all([viaUrl(args), viaDb(args)]);
    expect(fromUrl.code, `${args.join(' ')} --url: ${fromUrl.stderr}`).toBe(0);
    expect(fromDb.code, `${args.join(' ')} --config: ${fromDb.stderr}`).toBe(0);
    expect(fromUrl.stdout, args.join(' ')).toBe(fromDb.stdout);
    return fromDb.stdout;
  }

  it('lists the entries as a table, and as the same JSON in both modes', async () => {
    const table = await viaDb(['cron', 'list']);
    expect(table.code, table.stderr).toBe(0);
    const [header, hourly, nightly, ...rest] = table.stdout.trim().split('\n');
    expect(rest).toEqual([]);
    expect(header.split(/\s{2,}/)).toEqual([
      'NAME',
      'SOURCE',
      'STATUS',
      'SCHEDULE',
      'TIMEZONE',
      'QUEUE',
      'NEXT FIRE',
      'LAST FIRE',
      'LAST TASK STATE',
    ]);
    expect(hourly.split(/\s{2,}/)).toEqual([
      'hourly',
      'api',
      'active',
      '0 * * * *',
      'UTC',
      'reports',
      expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:00:00Z$/),
      '-',
      '-',
    ]);
    expect(nightly.split(/\s{2,}/)).toEqual([
      'nightly',
      'config',
      'active',
      '30 2 * * *',
      'Europe/Paris',
      'emails',
      // 02:30 in Paris is 00:30 or 01:30 UTC, whichever the season.
      expect.stringMatching(/^\d{4}-\d\d-\d\dT0[01]:30:00Z$/),
      '-',
      '-',
    ]);

    const { entries } = cronEntryListResponse.parse(JSON.parse(await both(['cron', 'list', '--json'])));
    expect(entries.map((e) => [e.name, e.source, e.status])).toEqual([
      ['hourly', 'api', 'active'],
      ['nightly', 'config', 'active'],
    ]);
    expect(entries[1].headers).toEqual({ authorization: '[redacted]' });
  });

  it("shows an entry with its next five fire times, in UTC and in the entry's zone", async () => {
    const shown = await viaUrl(['cron', 'show', 'nightly']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/^name +nightly$/m);
    expect(shown.stdout).toMatch(/^headers +authorization: \[redacted\]$/m);
    expect(shown.stdout).not.toContain('s3cret');
    const [, next] = /\nnext fire times\n([^]*?)\n\n/.exec(shown.stdout) ?? [];
    const lines = next.split('\n');
    expect(lines).toHaveLength(5);
    for (const line of lines) {
      const match = /^(\S+Z) {2}\((\S+)T02:30:00\+0([12]):00 Europe\/Paris\)$/.exec(line);
      expect(match, line).not.toBeNull();
      // The same instant twice: the local date and time less the offset is the UTC time.
      const [, utc, day, offsetHours] = match!;
      expect(Date.parse(`${day}T02:30:00+0${offsetHours}:00`)).toBe(Date.parse(utc));
    }
    expect(shown.stdout).toMatch(/\nrecent runs\nno runs yet\n$/);
    const detail = JSON.parse(await both(['cron', 'show', 'nightly', '--json']));
    expect(cronEntryResource.parse(detail.entry).nextFireTimes).toHaveLength(5);
    expect(detail.runs).toEqual([]);
  });

  it('triggers an entry in either mode; show lists the runs, the same in both', async () => {
    const fromDb = await viaDb(['cron', 'trigger', 'hourly']);
    expect(fromDb.code, fromDb.stderr).toBe(0);
    const [, taskId] = /^triggered cron entry hourly: task (\S+)\n$/.exec(fromDb.stdout) ?? [];
    expect(taskId).toBeDefined();
    const fromUrl = json(await viaUrl(['cron', 'trigger', 'hourly', '--json']));
    expect(fromUrl).toEqual({ name: 'hourly', taskId: expect.any(String), fireAt: expect.any(String) });

    const task = (await recorder.call('GET', `/v1/tasks/${taskId}`)).body;
    expect(task).toMatchObject({ queue: 'reports', path: '/tick', cron: 'hourly', state: 'available' });

    const detail = JSON.parse(await both(['cron', 'show', 'hourly', '--json']));
    const runs = detail.runs.map((run: unknown) => cronRunResource.parse(run));
    expect(runs.map((run: { taskId: string; kind: string }) => [run.taskId, run.kind])).toEqual([
      [fromUrl.taskId, 'manual'],
      [taskId, 'manual'],
    ]);
    expect(detail.entry).toMatchObject({ lastTaskId: fromUrl.taskId, lastTaskState: 'available' });
    const shown = await viaDb(['cron', 'show', 'hourly']);
    expect(shown.stdout).toContain(taskId);
    expect(shown.stdout).toMatch(/^FIRE TIME +KIND +OUTCOME +TASK +STATE +FINISHED$/m);
  });

  it('pauses and resumes an entry in either mode', async () => {
    expect(await viaDb(['cron', 'pause', 'nightly'])).toMatchObject({
      code: 0,
      stdout: 'paused cron entry nightly\n',
    });
    const paused = cronEntryListResponse.parse(json(await viaUrl(['cron', 'list', '--json'])));
    expect(paused.entries.find((e) => e.name === 'nightly')).toMatchObject({ status: 'paused', nextFireTimes: [] });
    expect((await viaDb(['cron', 'show', 'nightly'])).stdout).toContain('\nnext fire times\nnone (paused)\n');

    const resumed = cronEntryResource.parse(json(await viaUrl(['cron', 'resume', 'nightly', '--json'])));
    expect(resumed).toMatchObject({ name: 'nightly', status: 'active' });
    expect(resumed.nextFireTimes).toHaveLength(5);
    // From now on: fire times missed while paused are not caught up.
    expect(Date.parse(resumed.nextFireTimes[0])).toBeGreaterThan(Date.now() - 120_000);
    const again = await viaDb(['cron', 'resume', 'nightly']);
    expect(again.stdout).toMatch(/^resumed cron entry nightly: next fire \S+Z\n$/);
  });

  it('refuses a name that is no entry, in one line with exit 1, in both modes', async () => {
    const cases: [typeof viaDb, string[]][] = [
      [viaUrl, ['cron', 'show', 'nope']],
      [viaDb, ['cron', 'show', 'nope']],
      [viaDb, ['cron', 'pause', 'nope']],
      // Names no entry can have never reach a URL: ".." would otherwise resolve to another route.
      [viaUrl, ['cron', 'trigger', '..']],
      [viaDb, ['cron', 'trigger', '..']],
      [viaUrl, ['cron', 'resume', 'a/../../v1/queues']],
    ];
    const results = await Promise.all(cases.map(([run, args]) => run(args)));
    for (const [i, result] of results.entries())
      expect(result, cases[i][1].join(' ')).toMatchObject({
        code: 1,
        stdout: '',
        stderr: `error: no cron entry named "${cases[i][1][2]}"\n`,
      });
    expect((await viaDb(['cron', 'show'])).code).toBe(2);
    expect(await recorder.count()).toBe(2); // only the two triggers above made tasks
  });
});
