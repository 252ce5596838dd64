import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { initOrm } from '../../../src/db/orm.js';
import { migrate } from '../../../src/db/migrate.js';
import { createSchedulerRegistry } from '../../../src/db/scheduler-registry.repository.js';
import { runCli, type CliResult } from '../../support/cli.js';

/**
 * The CLI's own messages, read by a person: a mistake or a refusal is one clear line (or a YAML
 * error with its code frame) and an exit code, never a stack trace, and it names what to change.
 * Each case is a real CLI process.
 */
vi.setConfig({ testTimeout: 120_000 });

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'dispatchr-messages-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const full = path.join(dir, name);
  writeFileSync(full, text);
  return full;
}

/** stderr as lines, checked to hold no stack frame. */
function errorLines(result: CliResult): string[] {
  expect(result.stderr).not.toMatch(/^\s+at /m);
  return result.stderr.trimEnd().split('\n');
}

describe('usage mistakes', () => {
  it('a missing argument is named, with its description, on one line (exit 2)', async () => {
    const result = await runCli(['tasks', 'show']);
    expect(result.code).toBe(2);
    expect(errorLines(result)).toEqual([
      'error: Missing 1 required arg: id (The task id); see dispatchr tasks show --help',
    ]);
  });

  it('a mistyped command gets the closest one suggested (exit 2); a far-off one gets the help hint', async () => {
    const [typo, far] = await Promise.all([runCli(['task', 'list', '--queue', 'emails']), runCli(['frobnicate'])]);
    expect(typo.code).toBe(2);
    expect(errorLines(typo)).toEqual([
      'error: "task list" is not a dispatchr command; did you mean "dispatchr tasks list"?',
    ]);
    expect(far.code).toBe(2);
    expect(errorLines(far)).toEqual([
      'error: "frobnicate" is not a dispatchr command; `dispatchr --help` lists the commands',
    ]);
  });
});

describe('config validate', () => {
  it('a YAML error names file, line and column, and shows the code frame (exit 2)', async () => {
    const bad = file(
      'broken.yml',
      'queues:\n  emails:\n    target: "https://example.com\n    timeout: 5s\n  other: [1,\n',
    );
    const result = await runCli(['config', 'validate', '--config', bad]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const [first, ...frame] = errorLines(result);
    expect(first).toMatch(new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: not valid YAML: \\S`));
    expect(frame.length).toBeGreaterThanOrEqual(2);
    expect(frame.at(-1)).toMatch(/^\s+\^+$/);
  });

  it('prints target and database credentials redacted, and a digits-only secret never appears', async () => {
    const config = file(
      'creds.yml',
      [
        'database: { url: "postgres://app:db-pass-1@127.0.0.1:5432/db?password=db-pass-2" }',
        'recorder: { tokens: ["${TOKEN}"] }',
        'queues:',
        '  emails:',
        '    target: "https://hook-user:hook-pass@example.com/tasks?api_key=key-123&page=1"',
      ].join('\n'),
    );
    const digits = '98765432109876543210';
    const good = await runCli(['config', 'validate', '--config', config], { env: { TOKEN: digits } });
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout).toContain('postgres://app:[redacted]@127.0.0.1:5432/db?password=[redacted]');
    expect(good.stdout).toContain('https://[redacted]:[redacted]@example.com/tasks?api_key=[redacted]&page=1');
    for (const secret of ['db-pass-1', 'db-pass-2', 'hook-user', 'hook-pass', 'key-123', digits])
      expect(good.stdout).not.toContain(secret);

    const short = await runCli(['config', 'validate', '--config', config], { env: { TOKEN: '1234567' } });
    expect(short.code).toBe(2);
    expect(errorLines(short)).toEqual([
      'recorder.tokens.0: expected a token of at least 16 characters, got a string (not shown)',
    ]);
  });
});

describe('refusals at start-up', () => {
  it('the recorder on a taken port says which port and what moves it (exit 1)', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as net.AddressInfo;
    try {
      const config = file('taken.yml', `database: { url: "sqlite:./taken.db" }\nrecorder: { port: ${port} }\n`);
      const result = await runCli(['recorder', '--config', config]);
      expect(result.code).toBe(1);
      expect(errorLines(result)).toEqual([
        `error: the recorder cannot listen on 127.0.0.1:${port}: the port is already in use (EADDRINUSE): stop what holds it, or choose another with --port or recorder.port in the config`,
      ]);
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
    }
  });

  it('a second scheduler on one SQLite file is refused in one line (exit 1)', async () => {
    const config = file(
      'single.yml',
      'database: { url: "sqlite:./single.db" }\nqueues:\n  q: { target: "http://127.0.0.1:9/x", allowPrivateNetwork: true }\n',
    );
    const db = await initOrm({ url: `sqlite:${path.join(dir, 'single.db')}` });
    try {
      await migrate(db);
      // A live heartbeat of another scheduler, as a running `dispatchr schedule` keeps it.
      await createSchedulerRegistry(db).heartbeat({
        id: 'the-first',
        queues: ['q'],
        startedAt: new Date(),
        at: new Date(),
      });
    } finally {
      await db.close();
    }
    const result = await runCli(['schedule', '--config', config]);
    expect(result.code).toBe(1);
    expect(errorLines(result)).toEqual([
      expect.stringMatching(
        /^error: another scheduler \(the-first, pid \d+ on .+\) already serves this SQLite database; SQLite supports one scheduler, use PostgreSQL to run several$/,
      ),
    ]);
  });
});
