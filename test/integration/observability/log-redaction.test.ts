import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { call } from '../recorder/support.js';
import { ROOT, runCli } from '../../support/cli.js';
import { createTestDatabase, drivers, type TestDatabase } from '../../support/databases.js';
import { startTargetServer, waitFor, type TargetServer } from '../../support/target-server.js';
import { freePort } from './support.js';

/**
 * `dispatchr schedule --with-recorder` at debug level, as a real process, with known secrets in
 * play: recorder tokens, a queue signing secret, a database password (PostgreSQL's trust auth
 * ignores it, so the connection still works), and a task carrying Authorization, X-Api-Key and
 * Cookie headers that really are sent. Everything the process and the operator CLI print is
 * collected, and none of the secret values may appear in it.
 */
vi.setConfig({ testTimeout: 120_000 });

const TOKEN = 'rec-token-SECRET-5f1d0c9a7b';
const OPS_TOKEN = 'ops-token-SECRET-8e2a44d1c3';
const SIGNING_RAW = 'signing-SECRET-value-of-32-bytes!';
const SIGNING = `whsec_${Buffer.from(SIGNING_RAW).toString('base64')}`;
const DB_PASSWORD = 'db-password-SECRET-77';
const TASK_AUTH = 'Bearer task-authz-SECRET-91';
const TASK_KEY = 'task-apikey-SECRET-42';
const TASK_COOKIE = 'session=cookie-SECRET-13';
// Names the API used to show to read-only tokens while the logs hid them: one rule now.
const TASK_JWT = 'task-jwt-SECRET-64';
const TASK_X_AUTHORIZATION = 'task-xauthz-SECRET-28';

describe.each(drivers())('no secret reaches the logs on %s', (driver) => {
  let testDb: TestDatabase;
  let target: TargetServer;
  let dir: string;
  let configFile: string;
  let baseUrl: string;
  let output = '';
  let taskId: string;

  beforeAll(async () => {
    target = await startTargetServer({
      '/hooks/flaky': (_req, res, n) => res.writeHead(n === 1 ? 500 : 200).end(n === 1 ? 'try again' : 'ok'),
    });
    testDb = await createTestDatabase(driver);
    await (await testDb.openMigrated()).close();
    const url = new URL(testDb.url);
    if (driver === 'postgresql') url.password = DB_PASSWORD;
    const [port, metricsPort] = [await freePort(), await freePort()];
    baseUrl = `http://127.0.0.1:${port}`;
    dir = mkdtempSync(path.join(tmpdir(), 'dispatchr-logs-'));
    configFile = path.join(dir, 'dispatchr.yml');
    writeFileSync(
      configFile,
      stringify({
        database: { url: driver === 'postgresql' ? url.toString() : testDb.url },
        recorder: { host: '127.0.0.1', port, tokens: [TOKEN, { token: OPS_TOKEN, name: 'ops', queues: ['hooks'] }] },
        scheduler: {
          pollInterval: '100ms',
          heartbeatInterval: '500ms',
          shutdownTimeout: '2s',
          metrics: { port: metricsPort },
        },
        queues: {
          hooks: {
            target: `${target.url}/hooks`,
            allowPrivateNetwork: true,
            signingSecret: SIGNING,
            retry: { strategy: 'fixed', options: { delay: '100ms' } },
          },
        },
      }),
    );

    const child = spawn(
      process.execPath,
      [`${ROOT}bin/dev.js`, 'schedule', '--with-recorder', '--log-level', 'debug', '--config', configFile],
      {
        cwd: ROOT,
        env: { ...process.env, NODE_NO_WARNINGS: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
    try {
      await waitFor(
        async () => (await call(baseUrl, 'GET', '/readyz').catch(() => ({ status: 0 }))).status === 200,
        60_000,
        'the recorder',
      );
      const created = await call(baseUrl, 'POST', '/v1/queues/hooks/tasks', {
        token: TOKEN,
        body: {
          path: '/flaky',
          body: { user: 1 },
          headers: {
            Authorization: TASK_AUTH,
            'X-Api-Key': TASK_KEY,
            Cookie: TASK_COOKIE,
            'X-Jwt': TASK_JWT,
            'X-Authorization': TASK_X_AUTHORIZATION,
          },
        },
        headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
      });
      expect(created.status).toBe(201);
      taskId = created.body.id;
      // Refusals log too: a wrong token, and a bad body.
      expect((await call(baseUrl, 'GET', '/v1/queues', { token: `${TOKEN}x` })).status).toBe(401);
      expect(
        (
          await call(baseUrl, 'POST', '/v1/queues/hooks/tasks', {
            token: OPS_TOKEN,
            body: { headers: { Authorization: 42 } },
          })
        ).status,
      ).toBe(400);
      await waitFor(
        async () => (await call(baseUrl, 'GET', `/v1/tasks/${taskId}`, { token: TOKEN })).body.state === 'completed',
        30_000,
        'the task',
      );
      expect((await call(baseUrl, 'GET', '/metrics', { token: TOKEN })).status).toBe(200);
      // The operator CLI in both modes, at debug level, is part of what must stay clean.
      const env = { DISPATCHR_URL: '', DISPATCHR_TOKEN: '' };
      for (const args of [
        ['tasks', 'show', taskId, '--config', configFile, '--log-level', 'debug'],
        ['tasks', 'show', taskId, '--json', '--url', baseUrl, '--token', TOKEN, '--log-level', 'debug'],
        ['tasks', 'list', '--search', 'SECRET', '--config', configFile, '--log-level', 'debug'],
        ['queues', 'list', '--url', baseUrl, '--token', 'wrong-token-0123456789', '--log-level', 'debug'],
      ]) {
        const result = await runCli(args, { env, timeoutMs: 60_000 });
        output += result.stdout + result.stderr;
      }
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  }, 180_000);

  afterAll(async () => {
    await target?.close();
    await testDb?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('logged the run at debug level: requests, every transition, the CLI output', () => {
    expect(output).toContain('"msg":"scheduler started"');
    expect(output).toMatch(/"level":20,.*"msg":"request"/); // debug lines are there
    expect(output).toMatch(new RegExp(`"taskId":"${taskId}".*"state":"retryable".*"status":500`));
    expect(output).toMatch(new RegExp(`"taskId":"${taskId}".*"state":"completed".*"status":200`));
    expect(output).toContain(`id           ${taskId}`);
    expect(output).toContain('authorization: [redacted]');
    // The secrets were really in play: the target got the task's headers, signed.
    const [first] = target.for('/hooks/flaky');
    expect(first.headers).toMatchObject({
      authorization: TASK_AUTH,
      'x-api-key': TASK_KEY,
      cookie: TASK_COOKIE,
      'x-jwt': TASK_JWT,
      'x-authorization': TASK_X_AUTHORIZATION,
    });
    expect(first.headers['webhook-signature']).toMatch(/^v1,/);
  });

  it('never printed a secret value', () => {
    if (process.env.DUMP_LOG_OUTPUT) writeFileSync(process.env.DUMP_LOG_OUTPUT, output);
    const secrets = [
      TOKEN,
      OPS_TOKEN,
      SIGNING,
      SIGNING_RAW,
      Buffer.from(SIGNING_RAW).toString('base64'),
      TASK_AUTH,
      'task-authz-SECRET-91',
      TASK_KEY,
      TASK_COOKIE,
      'cookie-SECRET-13',
      TASK_JWT,
      TASK_X_AUTHORIZATION,
    ];
    if (driver === 'postgresql') secrets.push(DB_PASSWORD);
    for (const secret of secrets) expect(output.includes(secret), `${secret} leaked:\n${output}`).toBe(false);
  });
});
