import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { startRecorderServer, type RecorderServer } from '../../src/recorder/server.js';
import { drivers } from '../support/databases.js';
import { startTestRecorder, TOKEN, type TestRecorder } from '../integration/recorder/support.js';
import { MAX_BODY_BYTES, REQUEST_CASES, type BadInputCase, type Token } from './bad-input-cases.js';
import { VALUE_CASES } from './bad-input-values.js';
import { CRON_CASES } from './bad-input-cron.js';
import { chunked, seedTasks, sendRaw, snapshot, type RawRequest, type SeededState, type Snapshot } from './support.js';

/**
 * The bad-input corpus (bad-input-cases.ts, bad-input-values.ts) against a real recorder over HTTP,
 * on both databases: each request gets the status and problem code its case states (and the field
 * it names), the tables are the same before and after it (nothing created, changed or deleted, no
 * pause flag moved, no Idempotency-Key stored), and the recorder still answers. A second test walks
 * the router, so a route added later without a case fails here.
 */
const BAD_INPUT_CASES: readonly BadInputCase[] = [...REQUEST_CASES, ...VALUE_CASES, ...CRON_CASES];

const TOKENS: Record<Exclude<Token, 'none'>, string> = {
  admin: TOKEN,
  reader: 'reader-token-0123456789abcdef',
  enqueuer: 'enqueue-token-0123456789abcdef',
  scoped: 'scoped-token-0123456789abcdef',
  wrong: 'wrong-token-0123456789abcdef',
};

const QUEUES: ConfigInput['queues'] = {
  emails: { target: 'http://127.0.0.1:9/tasks', allowPrivateNetwork: true },
  reports: {
    target: 'http://127.0.0.1:9/reports',
    allowPrivateNetwork: true,
    timeout: '5s',
    retry: { maxAttempts: 3 },
    taskLimits: { maxAttempts: 5, timeout: '10s' },
  },
  ops: { target: 'http://127.0.0.1:9/ops', allowPrivateNetwork: true },
};

const RECORDER: NonNullable<ConfigInput['recorder']> = {
  maxBodySize: MAX_BODY_BYTES,
  tokens: [
    TOKENS.admin,
    { token: TOKENS.reader, role: 'read' },
    { token: TOKENS.enqueuer, role: 'enqueue' },
    { token: TOKENS.scoped, queues: ['reports'] },
  ],
};

/** The request a case describes, as bytes on the wire. */
function requestOf(testCase: BadInputCase, port: number, ids: Record<SeededState, string>): RawRequest {
  const target = testCase.target.replace(/\{(\w+)\}/g, (_, state: SeededState) => ids[state]);
  let body: Buffer | undefined;
  if (testCase.json !== undefined) body = Buffer.from(JSON.stringify(testCase.json), 'utf8');
  else if (testCase.raw !== undefined)
    body = typeof testCase.raw === 'string' ? Buffer.from(testCase.raw, 'utf8') : testCase.raw;
  const headers: [string, string][] = [];
  if (testCase.host !== null) headers.push(['Host', testCase.host ?? `127.0.0.1:${port}`]);
  const contentType =
    testCase.contentType === undefined
      ? testCase.method === 'POST' || body !== undefined
        ? 'application/json'
        : null
      : testCase.contentType;
  if (contentType !== null) headers.push(['Content-Type', contentType]);
  const as = testCase.as ?? 'admin';
  if (!testCase.open && as !== 'none') headers.push(['Authorization', `Bearer ${TOKENS[as]}`]);
  headers.push(...(testCase.headers ?? []));
  // A case that writes its own framing (the smuggling-shaped ones) is sent exactly as it says.
  if (!headers.some(([name]) => /^(content-length|transfer-encoding)$/i.test(name))) {
    if (testCase.chunked) {
      headers.push(['Transfer-Encoding', 'chunked']);
      body = chunked(body ?? Buffer.alloc(0));
    } else if (body !== undefined || testCase.method === 'POST') {
      headers.push(['Content-Length', String(body?.length ?? 0)]);
    }
  }
  headers.push(['Connection', 'close']);
  return { method: testCase.method, target, headers, body, version: testCase.http10 ? '1.0' : '1.1' };
}

/** `/v1/tasks/:id` → a pattern for the request paths it serves. */
const routePattern = (path: string) => new RegExp(`^${path.replace(/:[a-z]+/g, '[^/?]+')}$`);
const requestPath = (testCase: BadInputCase) => testCase.target.split('?')[0];
const signature = (testCase: BadInputCase) =>
  JSON.stringify({
    ...testCase,
    name: undefined,
    category: undefined,
    expect: undefined,
    raw: testCase.raw?.toString('base64'),
  });

describe('the bad-input corpus', () => {
  it('has at least 150 distinct cases', () => {
    const names = new Set(BAD_INPUT_CASES.map((c) => c.name));
    const requests = new Set(BAD_INPUT_CASES.map(signature));
    const perCategory = new Map<string, number>();
    for (const c of BAD_INPUT_CASES) perCategory.set(c.category, (perCategory.get(c.category) ?? 0) + 1);
    console.log(
      `[bad-input corpus] ${BAD_INPUT_CASES.length} cases per database: ${[...perCategory].map(([category, n]) => `${category} ${n}`).join(', ')}`,
    );
    expect(names.size).toBe(BAD_INPUT_CASES.length);
    expect(requests.size).toBe(BAD_INPUT_CASES.length);
    expect(BAD_INPUT_CASES.length).toBeGreaterThanOrEqual(150);
  });
});

describe.each(drivers())('bad input on every route, on %s', (driver) => {
  let recorder: TestRecorder;
  let open: RecorderServer;
  let ids: Record<SeededState, string>;
  beforeAll(async () => {
    recorder = await startTestRecorder(driver, { queues: QUEUES, recorder: RECORDER }, { defaultToken: TOKEN });
    // The open API (no tokens) over the same database: the Host and cross-site rules bite hardest there.
    const openConfig = parseConfig({
      database: { url: recorder.config.database.url },
      recorder: { host: '127.0.0.1', port: 0, maxBodySize: MAX_BODY_BYTES },
      queues: QUEUES,
    });
    open = await startRecorderServer(openConfig, { db: recorder.db });
    const json = { 'content-type': 'application/json' };
    ids = await seedTasks(
      { waitingQueue: 'emails', claimQueue: 'ops' },
      async (queue, body) => {
        const reply = await recorder.call('POST', `/v1/queues/${queue}/tasks`, { body });
        if (reply.status !== 201) throw new Error(`seeding: create answered ${reply.status} ${reply.text}`);
        return reply.body as { id: string };
      },
      async (id) => {
        const reply = await recorder.call('POST', `/v1/tasks/${id}/cancel`, { headers: json });
        if (reply.status !== 200) throw new Error(`seeding: cancel answered ${reply.status} ${reply.text}`);
      },
      recorder.db,
    );
  });
  afterAll(async () => {
    await open?.close();
    await recorder?.close();
  });

  it('has a case for every route the router serves', () => {
    const uncovered = recorder.server.recorder.routes
      .filter(
        (route) =>
          !BAD_INPUT_CASES.some((c) => c.method === route.method && routePattern(route.path).test(requestPath(c))),
      )
      .map((route) => `${route.method} ${route.path}`);
    expect(uncovered).toEqual([]);
  });

  it.each(BAD_INPUT_CASES.map((c) => [c.name, c] as const))('refuses %s, changing nothing', async (_name, testCase) => {
    const before: Snapshot = await snapshot(recorder.db);
    const port = testCase.open ? open.port : recorder.server.port;
    const reply = await sendRaw(port, requestOf(testCase, port, ids));
    const { expect: expected } = testCase;
    const shown = `${testCase.method} ${testCase.target} → ${reply.status} ${reply.text.slice(0, 300)}`;
    expect(reply.status, shown).toBe(expected.status);
    if (expected.code === null) {
      // Refused by Node's HTTP parser: the recorder never saw it, so no problem document.
      expect(reply.headers['content-type'], shown).toBeUndefined();
    } else {
      expect(reply.headers['content-type'], shown).toMatch(/^application\/problem\+json/);
      if (testCase.method !== 'HEAD') {
        expect(reply.json.code, shown).toBe(expected.code);
        expect(reply.json.status, shown).toBe(expected.status);
        if (expected.path !== undefined) {
          const paths: string[] = reply.json.errors.map((error: { path: string }) => error.path);
          expect(
            paths.some((path) => path === expected.path || path.startsWith(`${expected.path}.`)),
            `${shown}: errors name ${expected.path}`,
          ).toBe(true);
        }
      }
    }
    if (expected.allow !== undefined) expect(reply.headers.allow, shown).toBe(expected.allow);
    expect(reply.text, 'no stack trace in an answer').not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect(await snapshot(recorder.db), `${shown}: the tables changed`).toEqual(before);
    expect((await recorder.call('GET', '/healthz')).status).toBe(200);
  });
});
