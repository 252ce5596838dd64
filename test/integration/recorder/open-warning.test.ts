import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { createLogger } from '../../../src/logger.js';
import { createRecorder } from '../../../src/recorder/app.js';
import { spawnCli } from '../../support/cli.js';
import { TOKEN } from './support.js';

/**
 * "The API is open" is said in every mode the recorder runs in (spec 4.2): `dispatchr recorder`
 * (on loopback too), `dispatchr schedule --with-recorder`, and an app mounting `createRecorder()`,
 * through its logger, or through process warnings when it passed none. The CLI modes are the real
 * command in a child process; the warning does not depend on the database, so SQLite serves all.
 */
const WARNING = /"level":40,[^\n]*"msg":"recorder\.tokens is empty: the API is open[^"]*"/;
const dir = mkdtempSync(path.join(tmpdir(), 'dispatchr-open-warning-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeConfig(name: string, tokens: string[]): string {
  const file = path.join(dir, `${name}.yml`);
  const yaml = [
    `database: { url: "sqlite:./${name}.db" }`,
    `recorder: { host: 127.0.0.1, port: 0, tokens: ${JSON.stringify(tokens)} }`,
    'scheduler: { pollInterval: 100ms, heartbeatInterval: 500ms, shutdownTimeout: 1s }',
    'log: { level: warn, pretty: false }',
    'queues:',
    '  demo: { target: "http://127.0.0.1:9/tasks", allowPrivateNetwork: true }',
  ].join('\n');
  writeFileSync(file, `${yaml}\n`);
  return file;
}

describe('the open-API warning', () => {
  it('is logged by `dispatchr recorder` on loopback, and not once a token is configured', async () => {
    const open = spawnCli(['recorder', '--config', writeConfig('standalone-open', [])], { env: { DISPATCHR_URL: '' } });
    const closed = spawnCli(['recorder', '--config', writeConfig('standalone-token', [TOKEN])], {
      env: { DISPATCHR_URL: '' },
    });
    try {
      await Promise.all([
        open.waitForOutput(/listening on http:\/\/127\.0\.0\.1:\d+/),
        closed.waitForOutput(/listening on http:\/\/127\.0\.0\.1:\d+/),
      ]);
      expect(open.output()).toMatch(WARNING);
      expect(closed.output()).not.toContain('the API is open');
    } finally {
      expect(await open.stop()).toBe(0);
      expect(await closed.stop()).toBe(0);
    }
  }, 120_000);

  it('is logged by `dispatchr schedule --with-recorder`', async () => {
    const proc = spawnCli(['schedule', '--with-recorder', '--config', writeConfig('with-recorder', [])], {
      env: { DISPATCHR_URL: '' },
    });
    try {
      await proc.waitForOutput(WARNING);
    } finally {
      expect(await proc.stop()).toBe(0);
    }
  }, 120_000);

  it('is logged once, at warn, by createRecorder() through the logger it is given', async () => {
    const lines: string[] = [];
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
    const logger = createLogger({ level: 'info', destination: stream });
    createRecorder({ config: parseConfig({ recorder: { allowedHosts: ['app.internal'] }, queues: {} }), logger });
    createRecorder({ config: parseConfig({ recorder: { tokens: [TOKEN] }, queues: {} }), logger });
    await new Promise((resolve) => setImmediate(resolve));
    const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logged).toEqual([
      expect.objectContaining({
        level: 40,
        allowedHosts: ['app.internal'],
        msg: expect.stringContaining('the API is open'),
      }),
    ]);
  });

  it('goes to process warnings when createRecorder() was given no logger', async () => {
    const seen: (Error & { code?: string })[] = [];
    const onWarning = (warning: Error) => seen.push(warning);
    process.on('warning', onWarning);
    try {
      createRecorder({ config: parseConfig({ queues: {} }) });
      createRecorder({ config: parseConfig({ recorder: { tokens: [TOKEN] }, queues: {} }) });
      await new Promise((resolve) => setImmediate(resolve)); // Node emits 'warning' on the next tick
    } finally {
      process.off('warning', onWarning);
    }
    expect(
      seen.map((warning) => [warning.code, warning.message.startsWith('recorder.tokens is empty: the API is open')]),
    ).toEqual([['DISPATCHR_OPEN_API', true]]);
  });
});
