import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drivers } from '../../support/databases.js';
import { startTestRecorder, TOKEN, type TestRecorder } from './support.js';

/**
 * What a web page could make a recorder on the user's machine do (spec 4.1, 4.2). A page can POST
 * cross-site without a preflight only as text/plain, a form or multipart, so every POST must say
 * JSON; DNS rebinding makes the page same-origin but leaves the attacker's name in Host, so an open
 * API answers only to loopback names and recorder.allowedHosts. Each refusal must change nothing.
 */
const QUEUES = { demo: { target: 'http://127.0.0.1:9/tasks', allowPrivateNetwork: true } };

/** The content types a browser sends cross-site without asking first, and none at all. */
const SIMPLE_TYPES: (string | null)[] = [
  null,
  'text/plain',
  'text/plain;charset=UTF-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
];

describe.each(drivers())('cross-site and rebinding protection on %s', (driver) => {
  let open: TestRecorder; // tokens: [], allowedHosts: [app.internal]
  let guarded: TestRecorder; // tokens: [TOKEN], no allowedHosts
  let pinned: TestRecorder; // tokens: [TOKEN], allowedHosts: [api.internal], behind a proxy
  beforeAll(async () => {
    [open, guarded, pinned] = await Promise.all([
      startTestRecorder(driver, { queues: QUEUES, recorder: { allowedHosts: ['App.Internal.'] } }),
      startTestRecorder(driver, { queues: QUEUES, recorder: { tokens: [TOKEN] } }, { defaultToken: TOKEN }),
      startTestRecorder(
        driver,
        { queues: QUEUES, recorder: { tokens: [TOKEN], allowedHosts: ['api.internal'], trustProxy: true } },
        { defaultToken: TOKEN },
      ),
    ]);
  });
  afterAll(async () => Promise.all([open, guarded, pinned].map((recorder) => recorder?.close())));

  /** A waiting task, the queue not paused: what every refused request below must leave as it is. */
  async function snapshot(recorder: TestRecorder) {
    const queue = (await recorder.call('GET', '/v1/queues')).body.queues[0];
    return { tasks: await recorder.count('demo'), paused: queue.paused };
  }

  /** A POST with exactly this Content-Type, or none (our test client would add JSON), as a page's fetch() sends it. */
  async function browserPost(recorder: TestRecorder, path: string, contentType: string | null, body = '') {
    const headers: Record<string, string> = contentType === null ? {} : { 'content-type': contentType };
    if (recorder !== open) headers.authorization = `Bearer ${TOKEN}`;
    const response = await request(`${recorder.url}${path}`, { method: 'POST', headers, body });
    const text = await response.body.text();
    return { status: response.statusCode, body: JSON.parse(text) };
  }

  it('refuses a no-cors POST to every bodiless route (415 naming Content-Type), open or not, and changes nothing', async () => {
    for (const recorder of [open, guarded]) {
      const task = (await recorder.call('POST', '/v1/queues/demo/tasks', { body: { path: '/x' } })).body;
      const before = await snapshot(recorder);
      expect(before.tasks).toBeGreaterThan(0);
      for (const contentType of SIMPLE_TYPES) {
        for (const path of ['/v1/queues/demo/purge', '/v1/queues/demo/pause', `/v1/tasks/${task.id}/cancel`]) {
          const reply = await browserPost(recorder, path, contentType);
          expect(reply.status, `${path} as ${contentType}`).toBe(415);
          expect(reply.body).toMatchObject({ code: 'unsupported_media_type', errors: [{ path: 'Content-Type' }] });
        }
      }
      expect(await snapshot(recorder)).toEqual(before);
      expect((await recorder.call('GET', `/v1/tasks/${task.id}`)).body.state).toBe('available');
    }
  });

  it('refuses a no-cors POST that carries a body to the creates and the bulk retry, creating nothing', async () => {
    const before = await snapshot(open);
    for (const contentType of SIMPLE_TYPES) {
      expect((await browserPost(open, '/v1/queues/demo/tasks', contentType, '{"path":"/x"}')).status).toBe(415);
      expect((await browserPost(open, '/v1/queues/demo/tasks/batch', contentType, '{"tasks":[{}]}')).status).toBe(415);
      expect((await browserPost(open, '/v1/tasks/retry', contentType, '{"state":"cancelled"}')).status).toBe(415);
    }
    expect(await snapshot(open)).toEqual(before);
  });

  it('serves the same bodiless POSTs with Content-Type: application/json and no body, and DELETE without one', async () => {
    const task = (await open.call('POST', '/v1/queues/demo/tasks', { body: {} })).body;
    expect((await browserPost(open, `/v1/tasks/${task.id}/cancel`, 'application/json')).body.state).toBe('cancelled');
    const deleted = await open.call('DELETE', `/v1/tasks/${task.id}`, { headers: {} });
    expect(deleted.status).toBe(204);
    expect(
      (await browserPost(open, '/v1/queues/demo/pause', 'application/problem+json; charset=utf-8')).body.paused,
    ).toBe(true);
    expect((await browserPost(open, '/v1/queues/demo/resume', 'application/json')).body.paused).toBe(false);
    expect(await open.count('demo')).toBeGreaterThan(0);
    const purged = await browserPost(open, '/v1/queues/demo/purge', 'application/json');
    expect(purged.status).toBe(200);
    expect(await open.count('demo')).toBe(0);
  });

  it('refuses a rebinding Host on an open API (421 naming Host) for reads and writes, and changes nothing', async () => {
    await open.call('POST', '/v1/queues/demo/tasks', { body: { path: '/keep' } });
    const before = await snapshot(open);
    const evil = { host: 'evil.example' };
    for (const [method, path, body] of [
      ['GET', '/v1/queues', undefined],
      ['GET', '/v1/tasks', undefined],
      ['GET', '/metrics', undefined],
      ['POST', '/v1/queues/demo/purge', undefined],
      ['POST', '/v1/queues/demo/pause', undefined],
      ['POST', '/v1/queues/demo/tasks', { path: '/rebound' }],
      ['GET', '/v1/no-such-route', undefined],
    ] as const) {
      const reply = await open.call(method, path, { headers: evil, body });
      expect(reply.status, `${method} ${path}`).toBe(421);
      expect(reply.body).toMatchObject({ code: 'host_not_allowed', errors: [{ path: 'Host' }] });
      expect(reply.body.detail).toContain('"evil.example"');
    }
    expect(await snapshot(open)).toEqual(before);
  });

  it('answers an open API by loopback names and recorder.allowedHosts, with any port', async () => {
    const port = new URL(open.url).port;
    for (const host of [
      `127.0.0.1:${port}`,
      '127.0.0.2',
      `localhost:${port}`,
      'LOCALHOST',
      'app.localhost:80',
      `[::1]:${port}`,
      '[0:0:0:0:0:0:0:1]',
      'app.internal',
      `APP.internal.:${port}`,
    ]) {
      expect((await open.call('GET', '/v1/queues', { headers: { host } })).status, host).toBe(200);
    }
    for (const host of [
      'evil.example',
      'localhost.evil.example',
      '127.0.0.1.nip.io',
      'evil.example@127.0.0.1',
      'internal',
      '10.0.0.1',
      '[::2]',
      'app.internal.evil',
      '',
    ]) {
      expect((await open.call('GET', '/v1/queues', { headers: { host } })).status, host || 'empty').toBe(421);
    }
  });

  it('keeps the probes public whatever the Host (an orchestrator calls them by address)', async () => {
    for (const probe of ['/healthz', '/readyz'])
      expect((await open.call('GET', probe, { headers: { host: '10.1.2.3:8787' } })).status).toBe(200);
  });

  it('leaves Host unchecked when tokens are configured, unless recorder.allowedHosts is set', async () => {
    expect((await guarded.call('GET', '/v1/queues', { headers: { host: 'dispatchr.example.com' } })).status).toBe(200);
    expect(
      (await guarded.call('GET', '/v1/queues', { headers: { host: 'dispatchr.example.com' }, token: null })).status,
    ).toBe(401);
    expect((await pinned.call('GET', '/v1/queues', { headers: { host: 'api.internal:443' } })).status).toBe(200);
    expect((await pinned.call('GET', '/v1/queues', { headers: { host: 'localhost' } })).status).toBe(200);
    const other = await pinned.call('POST', '/v1/queues/demo/tasks', {
      headers: { host: 'dispatchr.example.com' },
      body: {},
    });
    expect(other.status).toBe(421);
    expect(await pinned.count('demo')).toBe(0);
  });

  it('checks the last X-Forwarded-Host value behind a trusted proxy: the one the proxy wrote', async () => {
    const viaProxy = (host: string, forwarded: string) =>
      pinned.call('GET', '/v1/queues', { headers: { host, 'x-forwarded-host': forwarded } });
    expect((await viaProxy('api.internal', 'evil.example')).status).toBe(421);
    expect((await viaProxy('upstream-pool-7', 'api.internal')).status).toBe(200);
    // A rebinding page sends its own X-Forwarded-Host; a proxy that appends the real name exposes it.
    expect((await viaProxy('upstream-pool-7', 'localhost, evil.example')).status).toBe(421);
    expect((await viaProxy('upstream-pool-7', 'evil.example, api.internal')).status).toBe(200);
  });
});
