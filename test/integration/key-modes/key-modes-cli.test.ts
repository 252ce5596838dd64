import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { drivers } from '../../support/databases.js';
import { json, startOperatorEnv, type OperatorEnv } from '../operator/support.js';

/** `dispatchr enqueue --key-mode --key-max-wait --key-retention`: the API's key options from the command line. */
vi.setConfig({ testTimeout: 120_000 });

describe.each(drivers())('dispatchr enqueue with key options on %s', (driver) => {
  let env: OperatorEnv;
  beforeAll(async () => {
    env = await startOperatorEnv(driver);
  });
  afterAll(async () => env?.cleanup());

  it('creates with a key mode, then replaces and says so', async () => {
    const base = ['enqueue', 'emails', '--key', 'cli-1', '--key-mode', 'debounce', '--key-max-wait', '5m'];
    const created = json(await env.cli([...base, '--delay', '1m', '--key-retention', '1h', '--json']));
    expect(created).toMatchObject({ keyMode: 'debounce', keyRetentionMs: 3_600_000, deduplicated: false });
    expect(Date.parse(created.keyDeadline) - Date.parse(created.createdAt)).toBe(300_000);

    const debounced = await env.cli([...base, '--delay', '2m']);
    expect(debounced.code).toBe(0);
    expect(debounced.stdout).toBe(
      `deduplicated (debounced): task ${created.id} (scheduled) holds key "cli-1"; nothing new was made\n`,
    );
    const replaced = json(
      await env.cli(['enqueue', 'emails', '--key', 'cli-1', '--key-mode', 'replace', '--body', '{"n":2}', '--json']),
    );
    expect(replaced).toMatchObject({ id: created.id, deduplicated: 'replaced', body: { n: 2 }, state: 'available' });
    const shown = await env.cli(['tasks', 'show', created.id]);
    expect(shown.stdout).toMatch(/key\s+cli-1 \(debounce, due at most .+, reserved 3600 s after it finishes\)/);
  });

  it('cancels by key, and refuses an id together with a key', async () => {
    const task = await env.seed('reports', { key: 'cli-cancel/1' });
    const cancelled = json(await env.cli(['tasks', 'cancel', '--queue', 'reports', '--key', 'cli-cancel/1', '--json']));
    expect(cancelled).toMatchObject({ id: task.id, state: 'cancelled' });
    const both = await env.cli(['tasks', 'cancel', task.id, '--key', 'cli-cancel/1']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/give a task id, or --queue and --key/);
  });

  it('refuses a bad key mode, a key option without a key, and a retention over 7 days, in one line', async () => {
    const cases: [string[], RegExp][] = [
      [['--key', 'k', '--key-mode', 'sometimes'], /keyMode.*keep, replace, debounce/],
      [['--key-mode', 'replace'], /keyMode.*needs a key/],
      [['--key', 'k', '--key-retention', '8d'], /keyRetention.*at most 7 days/],
    ];
    for (const [args, message] of cases) {
      const result = await env.cli(['enqueue', 'emails', ...args]);
      expect(result.code, args.join(' ')).not.toBe(0);
      expect(result.stderr.trim().split('\n'), result.stderr).toHaveLength(1);
      expect(result.stderr).toMatch(message);
    }
  });
});
