import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/logger.js';
import { errorMiddleware } from '../../../src/recorder/errors.js';
import { DEFAULT_UI_ROOT, UI_CONTENT_SECURITY_POLICY, uiStatic } from '../../../src/recorder/ui-static.js';
import { startTestRecorder, TOKEN, type TestRecorder } from './support.js';

/**
 * The recorder serves the dashboard's built files at <basePath>/ui/: public, with the CSP on every
 * answer, index.html revalidated and hashed assets immutable, and nothing outside dist/ui however
 * the path is spelled. Requests go out raw (node:http), since a URL parser would resolve `..`
 * before the recorder ever saw it. No database is involved, so one driver is enough.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** dist/ui as `npm ci` leaves it; built here when missing (a fresh checkout that skipped the install's build). */
function ensureBuiltUi(): void {
  if (existsSync(path.join(DEFAULT_UI_ROOT, 'index.html'))) return;
  const require = createRequire(import.meta.url);
  const manifest = require('vite/package.json') as { bin: Record<string, string> | string };
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin.vite;
  const vite = path.join(path.dirname(require.resolve('vite/package.json')), bin);
  const built = spawnSync(process.execPath, [vite, 'build', '--config', 'ui/vite.config.ts', '--logLevel', 'error'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (built.status !== 0) throw new Error('npm run build:ui failed');
}

interface RawReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request with the path exactly as given (no dot-segment resolution, no re-encoding). */
function raw(base: string, method: string, rawPath: string, headers: Record<string, string> = {}): Promise<RawReply> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const request = http.request({ host: hostname, port, method, path: rawPath, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
    request.on('error', reject);
    request.end();
  });
}

function expectUiHeaders(reply: RawReply): void {
  expect(reply.headers['content-security-policy']).toBe(UI_CONTENT_SECURITY_POLICY);
  expect(reply.headers['x-content-type-options']).toBe('nosniff');
  expect(reply.headers['referrer-policy']).toBe('no-referrer');
}

/** The script and stylesheet index.html loads (relative to /ui/). */
function assetsOf(html: string): { scripts: string[]; styles: string[] } {
  const scripts = [...html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)].map((m) => m[1]);
  const styles = [...html.matchAll(/<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"/g)].map((m) => m[1]);
  return { scripts, styles };
}

const uiPath = (prefix: string, asset: string) => `${prefix}/ui/${asset.replace(/^\.\//, '')}`;

describe('the dashboard files', () => {
  let recorder: TestRecorder;
  let origin: string;
  beforeAll(async () => {
    ensureBuiltUi();
    recorder = await startTestRecorder('sqlite', { recorder: { tokens: [TOKEN] } });
    origin = new URL(recorder.url).origin;
  });
  afterAll(async () => recorder?.close());

  it('serves index.html without a token, revalidated on every load, with the CSP', async () => {
    const reply = await raw(origin, 'GET', '/ui/');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(reply.headers['cache-control']).toBe('no-cache');
    expectUiHeaders(reply);
    expect(reply.body).toContain('<div id="app"></div>');
    expect(reply.body).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/); // no inline script: the CSP would block it
    const head = await raw(origin, 'HEAD', '/ui/');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('serves the hashed assets index.html loads as immutable, with their types and the CSP', async () => {
    const { scripts, styles } = assetsOf((await raw(origin, 'GET', '/ui/')).body);
    expect(scripts.length).toBeGreaterThan(0);
    for (const [asset, type] of [
      ...scripts.map((s) => [s, 'text/javascript']),
      ...styles.map((s) => [s, 'text/css']),
    ]) {
      expect(asset).toMatch(/^\.\/assets\/[\w.-]+-[\w-]{6,}\.(js|css)$/);
      const reply = await raw(origin, 'GET', uiPath('', asset));
      expect(reply.status, asset).toBe(200);
      expect(reply.headers['content-type']).toBe(`${type}; charset=utf-8`);
      expect(reply.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expectUiHeaders(reply);
      const again = await raw(origin, 'GET', uiPath('', asset), { 'if-none-match': String(reply.headers.etag) });
      expect(again.status).toBe(304);
    }
  });

  it('redirects /ui to /ui/, so the relative asset URLs resolve', async () => {
    const reply = await raw(origin, 'GET', '/ui');
    expect(reply.status).toBe(302);
    expect(reply.headers.location).toBe('ui/');
    expect(new URL(String(reply.headers.location), 'http://127.0.0.1/ui').pathname).toBe('/ui/');
  });

  it('keeps the data behind the token: the API still answers 401 without one', async () => {
    expect((await raw(origin, 'GET', '/v1/queues')).status).toBe(401);
    expect((await raw(origin, 'GET', '/v1/session')).status).toBe(401);
  });

  it('answers 404 for anything outside dist/ui, however the path is spelled', async () => {
    const secret = readFileSync(path.join(ROOT, 'package.json'), 'utf8').slice(0, 40);
    const attempts = [
      '/ui/../package.json',
      '/ui/%2e%2e/package.json',
      '/ui/%2E%2E/%2E%2E/package.json',
      '/ui/..%2fpackage.json',
      '/ui/..%2F..%2Fpackage.json',
      '/ui/assets/..%2f..%2f..%2fpackage.json',
      '/ui/%2e%2e%5c%2e%2e%5cpackage.json',
      '/ui/.%2e/package.json',
      '/ui/%252e%252e/package.json',
      '/ui/assets/%00.js',
      '/ui/%zz',
      '/ui/.vite/manifest.json',
      '/ui/assets/',
      '/ui//etc/passwd',
      `/ui/${encodeURIComponent(path.join(ROOT, 'package.json'))}`,
      '/ui/missing.js',
    ];
    for (const attempt of attempts) {
      const reply = await raw(origin, 'GET', attempt);
      expect(reply.status, attempt).toBe(404);
      expect(reply.headers['content-type'], attempt).toMatch(/^application\/problem\+json/);
      expect(reply.body, attempt).not.toContain(secret);
      expectUiHeaders(reply);
    }
  });

  it('refuses methods other than GET and HEAD with 405 and Allow', async () => {
    const reply = await raw(origin, 'POST', '/ui/', { 'content-type': 'application/json' });
    expect(reply.status).toBe(405);
    expect(reply.headers.allow).toBe('GET, HEAD, OPTIONS');
    expectUiHeaders(reply);
  });
});

describe('the dashboard under a base path, disabled, and on an open API', () => {
  const started: TestRecorder[] = [];
  beforeAll(() => ensureBuiltUi());
  afterAll(async () => Promise.all(started.map((r) => r.close())));
  const start = async (...args: Parameters<typeof startTestRecorder>) => {
    const recorder = await startTestRecorder(...args);
    started.push(recorder);
    return { recorder, origin: new URL(recorder.url).origin };
  };

  it('lives under recorder.basePath, assets included, and nowhere else', async () => {
    const { origin } = await start('sqlite', { recorder: { basePath: '/ops/dispatchr', tokens: [TOKEN] } });
    const index = await raw(origin, 'GET', '/ops/dispatchr/ui/');
    expect(index.status).toBe(200);
    expectUiHeaders(index);
    const { scripts } = assetsOf(index.body);
    expect((await raw(origin, 'GET', uiPath('/ops/dispatchr', scripts[0]))).status).toBe(200);
    const location = String((await raw(origin, 'GET', '/ops/dispatchr/ui')).headers.location);
    expect(new URL(location, `${origin}/ops/dispatchr/ui`).pathname).toBe('/ops/dispatchr/ui/');
    expect((await raw(origin, 'GET', '/ui/')).status).toBe(404);
  });

  it('is not served when recorder.ui.enabled is false: an unknown path like any other', async () => {
    const { origin } = await start('sqlite', { recorder: { tokens: [TOKEN], ui: { enabled: false } } });
    expect((await raw(origin, 'GET', '/ui/')).status).toBe(401);
    const reply = await raw(origin, 'GET', '/ui/', { authorization: `Bearer ${TOKEN}` });
    expect(reply.status).toBe(404);
    expect(reply.headers['content-security-policy']).toBeUndefined();
  });

  it('on an open API, answers only loopback Host names, like the API it calls (DNS rebinding)', async () => {
    const { origin } = await start('sqlite', {});
    expect((await raw(origin, 'GET', '/ui/')).status).toBe(200);
    expect((await raw(origin, 'GET', '/ui/', { host: 'attacker.example' })).status).toBe(421);
  });
});

describe('a recorder whose dashboard is not built', () => {
  let server: http.Server;
  let origin: string;
  let empty: string;
  beforeAll(async () => {
    empty = mkdtempSync(path.join(os.tmpdir(), 'dispatchr-no-ui-'));
    const app = new Koa();
    app.use(errorMiddleware(silentLogger));
    app.use(uiStatic({ root: empty }));
    server = http.createServer(app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(empty, { recursive: true, force: true });
  });

  it('answers 503 with a problem that says how to build it', async () => {
    for (const page of ['/ui/', '/ui/assets/index-abc123.js']) {
      const reply = await raw(origin, 'GET', page);
      expect(reply.status).toBe(503);
      expect(reply.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(JSON.parse(reply.body)).toMatchObject({
        code: 'ui_not_built',
        detail: expect.stringContaining('npm run build:ui'),
      });
      expectUiHeaders(reply);
    }
  });
});
