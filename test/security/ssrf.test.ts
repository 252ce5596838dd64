import type { LookupAddress } from 'node:dns';
import { createServer, type Server } from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { isDispatchrError } from '../../src/errors.js';
import { targetUrlOf } from '../../src/scheduler/target-url-cache.js';
import type { DispatchRequest } from '../../src/workers/protocol.js';
import { createDispatchAgents, sendRequest } from '../../src/workers/send-request.js';
import { checkTargetUrl, createGuardedLookup, GUARD_REFUSED_CODE } from '../../src/workers/target-guard.js';
import { drivers } from '../support/databases.js';
import { startTestRecorder, type TestRecorder } from '../integration/recorder/support.js';
import { SSRF_CASES } from './ssrf-cases.js';

/**
 * The SSRF corpus (ssrf-cases.ts), each case run against the real part that decides it: the
 * recorder over HTTP on both databases (paths, headers), config validation (targets), the target
 * guard and real dispatches through the guarded Agent with injected DNS answers (addresses,
 * redirects).
 */
const TARGETS = { plain: 'http://127.0.0.1:9/tasks', query: 'http://127.0.0.1:9/tasks?k=1' } as const;

const createCases = SSRF_CASES.filter(({ input }) => 'path' in input || 'header' in input);
const configCases = SSRF_CASES.filter(({ input }) => 'target' in input);
const guardCases = SSRF_CASES.filter(({ input }) => 'url' in input);
const dispatchCases = SSRF_CASES.filter(({ input }) => 'dispatch' in input || 'redirect' in input);

it(`the corpus holds at least 120 cases (${SSRF_CASES.length}), each run below exactly once per database`, () => {
  console.log(`SSRF corpus: ${SSRF_CASES.length} cases`, countBy(SSRF_CASES.map((c) => c.expect)));
  expect(SSRF_CASES.length).toBeGreaterThanOrEqual(120);
  expect(createCases.length + configCases.length + guardCases.length + dispatchCases.length).toBe(SSRF_CASES.length);
  expect(new Set(SSRF_CASES.map((c) => c.name)).size).toBe(SSRF_CASES.length);
});

describe.each(drivers())('refused at create time, on %s', (driver) => {
  let recorder: TestRecorder;
  beforeAll(async () => {
    recorder = await startTestRecorder(driver, {
      queues: {
        plain: { target: TARGETS.plain, allowPrivateNetwork: true },
        query: { target: TARGETS.query, allowPrivateNetwork: true },
      },
    });
  });
  afterAll(async () => recorder.close());

  it.each(createCases)('$name → $expect', async ({ input, expect: expected }) => {
    const queue = 'path' in input ? (input.queue ?? 'plain') : 'plain';
    const header = 'header' in input ? input.header : null;
    const body = 'path' in input ? { path: input.path } : { headers: { [header![0]]: header![1] } };
    const before = await recorder.count(queue);
    const reply = await recorder.call('POST', `/v1/queues/${queue}/tasks`, { body });
    if (expected === 'create') {
      expect(reply.status, reply.text).toBe(400);
      const paths = (reply.body.errors as { path: string }[]).map((error) => error.path);
      expect(paths.length, reply.text).toBeGreaterThan(0);
      for (const path of paths) expect(path, reply.text).toMatch(header ? /^headers/ : /^path$/);
      if ('path' in input) expect(reply.text).not.toContain('127.0.0.1:9'); // a refusal never shows the target
      expect(await recorder.count(queue)).toBe(before);
      return;
    }
    expect(reply.status, reply.text).toBe(201);
    expect(await recorder.count(queue)).toBe(before + 1);
    const stored = await recorder.tasks.findTask(reply.body.id);
    if (header) {
      expect(stored?.headers[header[0].toLowerCase()]).toBe(header[1]);
      return;
    }
    // Joined again from the base, as the scheduler does at dispatch: the URL stays inside the target.
    const joined = targetUrlOf(TARGETS[queue], stored!.path);
    if (!joined.ok) throw new Error(joined.reason);
    const url = new URL(joined.url);
    expect(url.origin).toBe('http://127.0.0.1:9');
    expect(url.pathname === '/tasks' || url.pathname.startsWith('/tasks/'), joined.url).toBe(true);
    if (queue === 'query') expect(url.search.startsWith('?k=1'), joined.url).toBe(true);
  });
});

describe('refused at config time, and judged the same before connecting', () => {
  it.each(configCases)('$name → $expect', ({ input, expect: expected }) => {
    if (!('target' in input)) throw new Error('not a target case');
    const problems = configProblems({ target: input.target, allowPrivateNetwork: input.allowPrivateNetwork });
    if (expected === 'config') expect(problems.map((problem) => problem.path)).toEqual(['queues.q.target']);
    else expect(problems).toEqual([]);
    // One rule for both: the dispatch guard decides the same before any DNS lookup.
    expect(checkTargetUrl(new URL(input.target), input.allowPrivateNetwork ?? false).allowed).toBe(
      expected === 'allowed',
    );
  });
});

describe('refused at connect time by the target guard', () => {
  it.each(guardCases)('$name → $expect', async ({ input, expect: expected }) => {
    if (!('url' in input)) throw new Error('not a url case');
    expect(await guardDecision(input.url, input.allowPrivateNetwork ?? false, input.dns ?? [])).toBe(expected);
  });
});

describe('real dispatches: refused before a connection, redirects not followed', () => {
  let server: Server;
  let port: number;
  const seen = { connections: 0, paths: [] as string[] };
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.paths.push(req.url ?? '');
      const status = Number(/^\/redirect\/(\d+)/.exec(req.url ?? '')?.[1]);
      if (status)
        return void res
          .writeHead(status, {
            location: decodeURIComponent(req.url!.split('?to=')[1]).replace('{port}', String(port)),
          })
          .end();
      res.end('ok');
    });
    server.on('connection', () => (seen.connections += 1));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it.each(dispatchCases)('$name → $expect', async ({ input, expect: expected }) => {
    const redirect = 'redirect' in input ? input.redirect : null;
    const url = redirect
      ? `http://127.0.0.1:{port}/redirect/${redirect[0]}?to=${encodeURIComponent(redirect[1])}`
      : (input as { dispatch: string }).dispatch;
    const allow = redirect ? true : ((input as { allowPrivateNetwork?: boolean }).allowPrivateNetwork ?? false);
    const agents = createDispatchAgents({ baseLookup: fakeDns('dns' in input ? (input.dns ?? []) : []) });
    const before = { connections: seen.connections, requests: seen.paths.length };
    try {
      const result = await sendRequest(dispatch(url.replace('{port}', String(port)), allow), agents);
      if (expected === 'connect') {
        expect(result).toMatchObject({ status: null, errorKind: 'guard-refused' });
        expect(seen.connections).toBe(before.connections);
      } else if (redirect) {
        expect(result).toMatchObject({ status: redirect[0], errorKind: null });
        expect(seen.paths.slice(before.requests)).toEqual([expect.stringMatching(/^\/redirect\//)]); // the Location was never requested
      } else {
        expect(result).toMatchObject({ status: 200, errorKind: null });
      }
    } finally {
      await agents.close();
    }
  });
});

function configProblems(queue: { target: string; allowPrivateNetwork?: boolean }): { path: string; message: string }[] {
  try {
    parseConfig({ queues: { q: queue } }, undefined, {});
    return [];
  } catch (error) {
    if (!isDispatchrError(error, 'config_invalid')) throw error;
    return error.details as { path: string; message: string }[];
  }
}

/** What the scheduler decides for a URL: its host first, then (for a name) every DNS answer. */
async function guardDecision(raw: string, allow: boolean, answers: string[]): Promise<'connect' | 'allowed'> {
  const url = new URL(raw);
  if (!checkTargetUrl(url, allow).allowed) return 'connect';
  if (isIP(url.hostname.replace(/^\[|\]$/g, '')) !== 0) return 'allowed';
  const lookup = createGuardedLookup(allow, fakeDns(answers));
  const error = await new Promise<unknown>((resolve) => lookup(url.hostname, { all: true }, (err) => resolve(err)));
  if (error === null) return 'allowed';
  if (isDispatchrError(error, GUARD_REFUSED_CODE)) return 'connect';
  throw error;
}

/** A resolver that answers every name with `answers` (none: ENOTFOUND). */
function fakeDns(answers: string[]) {
  return (
    host: string,
    _options: unknown,
    callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
  ) => {
    if (answers.length === 0)
      return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }), []);
    callback(
      null,
      answers.map((address) => ({ address, family: isIP(address) })),
    );
  };
}

function dispatch(url: string, allowPrivateNetwork: boolean): DispatchRequest {
  return {
    taskId: 'ssrf-case',
    queue: 'q',
    attempt: 1,
    url,
    method: 'POST',
    headers: {},
    body: null,
    contentType: null,
    timeoutMs: 5_000,
    allowPrivateNetwork,
    signingSecrets: [],
    scheduledAt: new Date().toISOString(),
    previousStatus: null,
    traceparent: null,
    cron: null,
    cronFireAt: null,
  };
}

function countBy(values: string[]): Record<string, number> {
  return values.reduce<Record<string, number>>(
    (counts, value) => ({ ...counts, [value]: (counts[value] ?? 0) + 1 }),
    {},
  );
}
