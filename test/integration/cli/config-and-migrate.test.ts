import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';
import { createTestSchema, postgresAvailable } from '../../support/postgres.js';
import { postgresMigrations } from '../../../src/db/drivers/postgresql/migrations/index.js';
import { sqliteMigrations } from '../../../src/db/drivers/sqlite/migrations/index.js';

const applied = (list: { name: string }[]) => `applied ${list.map((m) => m.name).join(', ')}\n`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'dispatchr-cli-'));
});

function file(name: string, text: string): string {
  const full = path.join(dir, name);
  writeFileSync(full, text);
  return full;
}

describe('dispatchr config validate', () => {
  it('prints one line per mistake with its key path and exits 2', async () => {
    const bad = file(
      'bad.yml',
      [
        'scheduler: { leaseDuration: 30s }',
        'queues:',
        '  emails:',
        '    target: http://127.0.0.1:3000/tasks',
        '    timeout: 1m',
        '    retry: { maxAttempts: 0 }',
      ].join('\n'),
    );
    const result = await runCli(['config', 'validate', '--config', bad]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([
      'queues.emails.retry.maxAttempts: expected an integer >= 1, got 0',
      'queues.emails.timeout: expected a timeout at least 2 s shorter than scheduler.leaseDuration (30s), got 1m',
      'queues.emails.target: 127.0.0.1 (loopback) is private: set queues.emails.allowPrivateNetwork: true to allow it',
    ]);
  });

  it('prints a good config resolved, with secrets redacted', async () => {
    const good = file(
      'good.yml',
      [
        'database: { url: "postgres://app:hunter2@127.0.0.1:5432/db" }',
        'recorder: { tokens: ["token-that-is-long-enough"] }',
        'queues:',
        '  emails:',
        '    target: https://example.com/tasks',
        '    signingSecret: ${SIGNING}',
      ].join('\n'),
    );
    const result = await runCli(['config', 'validate', '--config', good], {
      env: { SIGNING: 'whsec_dGhlLXNlY3JldC1vZi0yNC1ieXRlcy1vci1tb3Jl' },
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('timeout: 30s');
    expect(result.stdout).toContain('postgres://app:[redacted]@127.0.0.1:5432/db');
    for (const secret of [
      'hunter2',
      'token-that-is-long-enough',
      'whsec_dGhlLXNlY3JldC1vZi0yNC1ieXRlcy1vci1tb3Jl',
      'dGhlLXNlY3JldC1vZi0yNC1ieXRlcy1vci1tb3Jl',
    ])
      expect(result.stdout).not.toContain(secret);
  });

  it('reports a missing file and unknown strategy in one line each', async () => {
    expect((await runCli(['config', 'validate', '--config', path.join(dir, 'nope.yml')])).stderr).toMatch(
      /nope\.yml does not exist/,
    );
    const typo = file(
      'typo.yml',
      'queues:\n  q:\n    target: https://example.com\n    retry: { strategy: exponental }\n',
    );
    const result = await runCli(['config', 'validate', '--config', typo]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('queues.q.retry.strategy');
    expect(result.stderr).toContain('did you mean "exponential"');
  });
});

describe('dispatchr migrate', () => {
  it('creates the schema on a new SQLite file; a second run changes nothing; --dry-run only prints', async () => {
    const config = file('sqlite.yml', `database: { url: "sqlite:./fresh.db" }\n`);
    const dry = await runCli(['migrate', '--config', config, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('create table dispatchr_task');
    const first = await runCli(['migrate', '--config', config]);
    expect(first).toMatchObject({ code: 0, stdout: applied(sqliteMigrations as { name: string }[]) });
    const second = await runCli(['migrate', '--config', config]);
    expect(second).toMatchObject({ code: 0, stdout: 'the schema is current; nothing to do\n' });
    expect((await runCli(['migrate', '--config', config, '--dry-run'])).stdout).toContain('nothing would run');
  });

  describe.runIf(postgresAvailable())('on PostgreSQL', () => {
    let schema: Awaited<ReturnType<typeof createTestSchema>>;
    beforeAll(async () => {
      schema = await createTestSchema('cli');
    });
    afterAll(async () => schema?.drop());

    it('creates the schema on an empty database; a second run changes nothing', async () => {
      const config = file('pg.yml', `database: { url: "${schema.url}" }\n`);
      expect(await runCli(['migrate', '--config', config])).toMatchObject({
        code: 0,
        stdout: applied(postgresMigrations as { name: string }[]),
      });
      expect(await runCli(['migrate', '--config', config])).toMatchObject({
        code: 0,
        stdout: 'the schema is current; nothing to do\n',
      });
    });
  });

  it('exits 2 on an unknown flag with one line', async () => {
    const result = await runCli(['migrate', '--bogus']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
