import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestSchema, postgresAvailable } from '../../support/postgres.js';
import { call } from './support.js';

/**
 * `dispatchr recorder` as a user runs it (bin/dev.js, a real process): on SQLite it migrates and
 * serves, printing one line with its URL, and exits 0 on SIGTERM; on PostgreSQL it refuses to start
 * on a schema that `dispatchr migrate` has not created.
 */
const BIN = path.resolve('bin/dev.js');
const dir = mkdtempSync(path.join(tmpdir(), 'dispatchr-recorder-cmd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeConfig(name: string, databaseUrl: string): string {
  const file = path.join(dir, name);
  const yaml = [
    `database: { url: "${databaseUrl}" }`,
    'recorder: { host: 127.0.0.1, port: 0 }',
    'log: { level: warn }',
    'queues:',
    '  emails: { target: "http://127.0.0.1:9/tasks", allowPrivateNetwork: true }',
  ].join('\n');
  writeFileSync(file, `${yaml}\n`);
  return file;
}

function run(configFile: string) {
  const child = spawn(process.execPath, [BIN, 'recorder', '--config', configFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const listening = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match) resolve(match[1]);
    });
    void exited.then(() => reject(new Error(`exited before listening: ${stderr}`)));
  });
  return { child, listening, exited, output: () => ({ stdout, stderr }) };
}

describe('dispatchr recorder', () => {
  it('migrates SQLite, serves, prints one line, and exits 0 on SIGTERM', async () => {
    const proc = run(writeConfig('sqlite.yml', 'sqlite:./quick.db'));
    const url = await proc.listening;
    // Besides log lines (JSON; this open config logs the open-API warning, open-warning.test.ts), one line.
    expect(
      proc
        .output()
        .stdout.trim()
        .split('\n')
        .filter((line) => !line.startsWith('{')),
    ).toEqual([`dispatchr recorder listening on ${url}`]);
    expect((await call(url, 'POST', '/v1/queues/emails/tasks', { body: { path: '/hello' } })).status).toBe(201);
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
  });

  it.runIf(postgresAvailable())('refuses to start on PostgreSQL until the schema is migrated', async () => {
    const schema = await createTestSchema('cmd');
    try {
      const proc = run(writeConfig('pg.yml', schema.url));
      await expect(proc.listening).rejects.toThrow();
      expect(await proc.exited).toBe(1);
      expect(proc.output().stderr).toContain('run dispatchr migrate');
    } finally {
      await schema.drop();
    }
  });
});
