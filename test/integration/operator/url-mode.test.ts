import { writeFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDispatchRepository } from '../../../src/db/dispatch.repository.js';
import { runCli } from '../../support/cli.js';
import { drivers } from '../../support/databases.js';
import { QUEUES, startTestRecorder, TOKEN, type TestRecorder } from '../recorder/support.js';
import { json } from './support.js';

/**
 * The CLI against a recorder (`--url`, `--token`) gives the same answers as against the database
 * (`--config`) it serves: the --json documents are compared byte for byte. Auth and reachability
 * failures map to exit codes: a refused token is a config error (2), a read-only token's refused
 * write and an unreachable recorder are failures (1).
 */
vi.setConfig({ testTimeout: 120_000 });
const READER = 'reader-token-0123456789abcdef';

describe.each(drivers())('the operator CLI through a recorder on %s', (driver) => {
  let recorder: TestRecorder;
  let dir: string;
  let configFile: string;
  beforeAll(async () => {
    recorder = await startTestRecorder(
      driver,
      { recorder: { tokens: [TOKEN, { token: READER, readOnly: true }] } },
      { defaultToken: TOKEN },
    );
    dir = mkdtempSync(path.join(tmpdir(), 'dispatchr-url-'));
    configFile = path.join(dir, 'dispatchr.yml');
    writeFileSync(configFile, stringify({ database: { url: recorder.config.database.url }, queues: QUEUES }));
  });
  afterAll(async () => {
    await recorder?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const viaUrl = (args: string[], token: string | null = TOKEN) =>
    runCli([...args, '--url', recorder.url], { env: { DISPATCHR_TOKEN: token ?? '', DISPATCHR_URL: '' } });
  const viaDb = (args: string[]) =>
    runCli([...args, '--config', configFile], { env: { DISPATCHR_URL: '', DISPATCHR_TOKEN: '' } });

  it('enqueues through the recorder and reads back the same documents as the database mode', async () => {
    const created = await viaUrl([
      'enqueue',
      'emails',
      '--path',
      '/u/1',
      '--body',
      '{"n":1}',
      '--key',
      'u-1',
      '--json',
    ]);
    expect(created.code).toBe(0);
    const task = json(created);
    expect(task).toMatchObject({ queue: 'emails', path: '/u/1', deduplicated: false });
    expect(json(await viaUrl(['enqueue', 'emails', '--path', '/u/1', '--key', 'u-1', '--json']))).toMatchObject({
      id: task.id,
      deduplicated: 'kept',
    });
    await viaUrl(['enqueue', 'reports', '--path', '/u/2', '--delay', '1h']);

    for (const args of [
      ['tasks', 'list', '--json'],
      ['tasks', 'list', '--json', '--search', '"n"', '--queue', 'emails'],
      ['tasks', 'show', task.id, '--json'],
      ['queues', 'list', '--json'],
    ]) {
      const [fromUrl, fromDb] = await Promise.all([viaUrl(args), viaDb(args)]);
      expect(fromUrl.code, args.join(' ')).toBe(0);
      // Ages in seconds may tick between the two calls; everything else is identical.
      const normalize = (text: string) => text.replace(/"oldestDueAgeSeconds": \d+/g, '"oldestDueAgeSeconds": 0');
      expect(normalize(fromUrl.stdout), args.join(' ')).toBe(normalize(fromDb.stdout));
    }
    expect((await viaUrl(['tasks', 'list'])).stdout).toMatch(/^ID\s+QUEUE\s+STATE/);
  });

  it('bulk-retries on the recorder: confirmation, then one call that answers the count', async () => {
    for (let i = 0; i < 3; i++)
      await recorder.call('POST', '/v1/queues/reports/tasks', { body: { path: `/fail/${i}` } });
    const dispatch = createDispatchRepository(recorder.db);
    const now = new Date();
    const claimed = await dispatch.claim({
      queue: 'reports',
      limit: 10,
      owner: 's',
      now,
      leaseMs: 60_000,
      maxConcurrent: 10,
    });
    await dispatch.settle(
      claimed.map((t) => ({
        taskId: t.id,
        attempt: t.attempt,
        owner: 's',
        state: 'failed' as const,
        nextAttempt: t.attempt,
        runAt: null,
        lastStatus: 410,
        lastError: 'HTTP 410',
        record: {
          startedAt: now,
          finishedAt: now,
          status: 410,
          outcome: 'failed' as const,
          durationMs: 1,
          error: 'HTTP 410',
          responseExcerpt: null,
        },
      })),
      now,
    );
    const refused = await viaUrl(['tasks', 'retry', '--state', 'failed', '--path', '/fail/']);
    expect(refused).toMatchObject({
      code: 2,
      stderr: 'error: Retry 3 failed tasks: not confirmed; pass --yes to run without a terminal\n',
    });
    const readOnly = await viaUrl(['tasks', 'retry', '--state', 'failed', '--yes'], READER);
    expect(readOnly).toMatchObject({
      code: 1,
      stderr: 'error: this token\'s role is "read": POST /v1/tasks/retry needs role "admin"\n',
    });
    const done = await viaUrl(['tasks', 'retry', '--state', 'failed', '--path', '/fail/', '--yes']);
    expect(done).toMatchObject({ code: 0, stdout: 'retried 3 failed tasks\n' });
    expect(await recorder.tasks.countTasks({ states: ['failed'] })).toBe(0);
  });

  it('exits 2 for a refused or misplaced token and a bad URL, 1 when the recorder is unreachable', async () => {
    const [noToken, wrong, notUrl, tokenWithoutUrl, down] = await Promise.all([
      viaUrl(['queues', 'list'], null),
      viaUrl(['queues', 'list'], 'wrong-token-0123456789abcdef'),
      runCli(['queues', 'list', '--url', 'ftp://example.com'], { env: { DISPATCHR_URL: '' } }),
      viaDb(['queues', 'list', '--token', TOKEN]),
      runCli(['queues', 'list', '--url', 'http://127.0.0.1:9'], { env: { DISPATCHR_URL: '' } }),
    ]);
    expect(noToken).toMatchObject({ code: 2, stderr: expect.stringMatching(/^error: the recorder refused the token/) });
    expect(wrong.code).toBe(2);
    expect(notUrl).toMatchObject({
      code: 2,
      stderr: 'error: --url: expected an http(s) URL of a recorder, got "ftp://example.com"\n',
    });
    expect(tokenWithoutUrl).toMatchObject({
      code: 2,
      stderr: 'error: --token is for --url: with --config the CLI reads the database directly\n',
    });
    expect(down).toMatchObject({
      code: 1,
      stderr: 'error: cannot reach the recorder at http://127.0.0.1:9: ECONNREFUSED\n',
    });
  });
});
