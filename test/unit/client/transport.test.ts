import { describe, expect, it } from 'vitest';
import { DispatchrApiError, DispatchrClient, DispatchrNetworkError } from '../../../src/client/index.js';
import { backoff, parseRetryAfter } from '../../../src/client/transport.js';

/**
 * The client's own retries, with a scripted fetch: what is retried (and with the same
 * Idempotency-Key), what is not, how long it waits, and how failures surface as typed errors.
 */
interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

type Step = Response | Error | (() => Promise<Response>);

function scripted(steps: Step[]) {
  const calls: Call[] = [];
  const fetch = (async (input: string | URL | Request, init: RequestInit = {}) => {
    calls.push({
      url: String(input),
      method: init.method ?? 'GET',
      headers: { ...(init.headers as Record<string, string>) },
      body: init.body as string | undefined,
    });
    const step = steps[Math.min(calls.length - 1, steps.length - 1)];
    if (step instanceof Error) throw step;
    if (typeof step === 'function') {
      return Promise.race([
        step(),
        new Promise<Response>((_resolve, reject) =>
          init.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
        ),
      ]);
    }
    return step.clone();
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

const task = { id: '0190f5f4-0000-7000-8000-000000000001', queue: 'emails', state: 'available' };
const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json', ...headers },
  });
const problem = (status: number, code: string, headers: Record<string, string> = {}) =>
  json(
    status,
    { code, title: code, status, detail: `${code} detail`, errors: [{ path: 'path', message: 'bad' }] },
    headers,
  );
const connectionError = (code: string) =>
  Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(`connect ${code}`), { code }) });

const client = (
  fetch: typeof globalThis.fetch,
  extra: Partial<ConstructorParameters<typeof DispatchrClient>[0]> = {},
) => new DispatchrClient({ url: 'http://recorder.test/dispatchr/', token: 't0ken', fetch, retryDelayMs: 1, ...extra });

describe('requests', () => {
  it('sends JSON to the base URL (mount prefix kept), with the bearer token and an Idempotency-Key on creates', async () => {
    const { fetch, calls } = scripted([json(201, task)]);
    const created = await client(fetch).enqueue('e mails', {
      path: '/welcome',
      body: { to: 'a' },
      runAt: new Date('2030-01-01T00:00:00Z'),
    });
    expect(created).toMatchObject({ ...task, deduplicated: false });
    expect(calls[0]).toMatchObject({ url: 'http://recorder.test/dispatchr/v1/queues/e%20mails/tasks', method: 'POST' });
    expect(calls[0].headers).toMatchObject({ authorization: 'Bearer t0ken', 'content-type': 'application/json' });
    expect(calls[0].headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(calls[0].body!)).toEqual({
      path: '/welcome',
      body: { to: 'a' },
      runAt: '2030-01-01T00:00:00.000Z',
    });
  });

  it('sends bytes as bodyBase64, reads deduplicated answers and batches, and skips an empty batch', async () => {
    const { fetch, calls } = scripted([
      json(200, task, { 'dispatchr-deduplicated': 'replaced' }),
      json(201, {
        tasks: [
          { ...task, deduplicated: 'debounced' },
          { ...task, id: 'b', deduplicated: false },
          { ...task, id: 'c', deduplicated: true }, // a recorder older than key modes: keep
        ],
      }),
    ]);
    expect((await client(fetch).enqueue('q', { body: Buffer.from([1, 2, 3]), key: 'k' })).deduplicated).toBe(
      'replaced',
    );
    expect(JSON.parse(calls[0].body!)).toEqual({ bodyBase64: 'AQID', key: 'k' });
    const batch = await client(fetch).enqueueMany('q', [{ path: '/a' }, { path: '/b' }]);
    expect(batch.map((t) => t.deduplicated)).toEqual(['debounced', false, 'kept']);
    expect(calls[1].url).toBe('http://recorder.test/dispatchr/v1/queues/q/tasks/batch');
    expect(await client(fetch).enqueueMany('q', [])).toEqual([]);
    expect(calls).toHaveLength(2);
  });

  it('builds list queries and action paths', async () => {
    const { fetch, calls } = scripted([
      json(200, { tasks: [], nextCursor: null }),
      json(200, task),
      new Response(null, { status: 204 }),
    ]);
    await client(fetch).list('q', { state: 'failed', limit: 10, cursor: 'c/1' });
    await client(fetch).cancel('id/1');
    await client(fetch).delete('x');
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'GET http://recorder.test/dispatchr/v1/queues/q/tasks?state=failed&limit=10&cursor=c%2F1',
      'POST http://recorder.test/dispatchr/v1/tasks/id%2F1/cancel',
      'DELETE http://recorder.test/dispatchr/v1/tasks/x',
    ]);
    // A bodiless POST still says JSON (the recorder's cross-site rule, spec 4.1); a DELETE need not.
    expect(calls.map((c) => [c.method, c.headers['content-type'], c.body])).toEqual([
      ['GET', undefined, undefined],
      ['POST', 'application/json', undefined],
      ['DELETE', undefined, undefined],
    ]);
  });
});

describe('errors', () => {
  it('throws DispatchrApiError with the problem details, without retrying a 4xx', async () => {
    const { fetch, calls } = scripted([problem(400, 'validation_failed')]);
    const error = await client(fetch)
      .enqueue('q', { path: '/../x' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DispatchrApiError);
    expect(error).toMatchObject({
      code: 'validation_failed',
      status: 400,
      title: 'validation_failed',
      detail: 'validation_failed detail',
      errors: [{ path: 'path', message: 'bad' }],
    });
    expect(calls).toHaveLength(1);
  });

  it('makes a problem of an answer that is not one (a proxy page)', async () => {
    const { fetch } = scripted([new Response('<html>Bad  Gateway</html>', { status: 502, statusText: 'Bad Gateway' })]);
    const error = await client(fetch, { retries: 0 })
      .get('x')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'http_error',
      status: 502,
      title: 'Bad Gateway',
      detail: '<html>Bad Gateway</html>',
    });
  });

  it('reports a redirect instead of following it (a POST must not become a GET)', async () => {
    const { fetch } = scripted([new Response(null, { status: 301, headers: { location: 'https://elsewhere/' } })]);
    await expect(client(fetch).get('x')).rejects.toMatchObject({
      code: 'http_error',
      status: 301,
      detail: 'redirected to https://elsewhere/',
    });
  });
});

describe('retries', () => {
  it('retries a create after a lost answer with the same Idempotency-Key and the same bytes', async () => {
    const { fetch, calls } = scripted([
      connectionError('ECONNRESET'),
      problem(503, 'database_unavailable'),
      json(201, task),
    ]);
    await client(fetch).enqueue('q', { path: '/a', body: { n: 1 } });
    expect(calls).toHaveLength(3);
    expect(new Set(calls.map((c) => c.headers['idempotency-key'])).size).toBe(1);
    expect(new Set(calls.map((c) => c.body)).size).toBe(1);
  });

  it("uses a new key for each logical create, or the caller's own", async () => {
    const { fetch, calls } = scripted([json(201, task)]);
    await client(fetch).enqueue('q', {});
    await client(fetch).enqueue('q', {});
    await client(fetch).enqueue('q', {}, { idempotencyKey: 'order-42' });
    expect(calls[0].headers['idempotency-key']).not.toBe(calls[1].headers['idempotency-key']);
    expect(calls[2].headers['idempotency-key']).toBe('order-42');
  });

  it('gives up after `retries` retries with the last error', async () => {
    const { fetch, calls } = scripted([problem(503, 'database_unavailable')]);
    await expect(client(fetch, { retries: 2 }).get('x')).rejects.toMatchObject({
      code: 'database_unavailable',
      status: 503,
    });
    expect(calls).toHaveLength(3);
    const network = scripted([connectionError('ECONNREFUSED')]);
    const error = await client(network.fetch, { retries: 1 })
      .get('x')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DispatchrNetworkError);
    expect(error).toMatchObject({ code: 'network_error', attempts: 2 });
    expect((error as Error).message).toContain('ECONNREFUSED');
  });

  it('waits as long as Retry-After says', async () => {
    const { fetch, calls } = scripted([problem(503, 'database_unavailable', { 'retry-after': '1' }), json(200, task)]);
    const started = Date.now();
    await client(fetch).get('x');
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
    expect(calls).toHaveLength(2);
  });

  it('does not wait longer than maxRetryDelayMs: a longer Retry-After ends the retries', async () => {
    const { fetch, calls } = scripted([problem(503, 'database_unavailable', { 'retry-after': '120' })]);
    const error = await client(fetch, { maxRetryDelayMs: 5_000 })
      .get('x')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'database_unavailable', retryAfterMs: 120_000 });
    expect(calls).toHaveLength(1);
  });

  it('retries actions only when the request cannot have taken effect', async () => {
    const reset = scripted([connectionError('ECONNRESET'), json(200, task)]);
    await expect(client(reset.fetch).cancel('x')).rejects.toMatchObject({ code: 'network_error' });
    expect(reset.calls).toHaveLength(1);
    const gateway = scripted([problem(502, 'bad_gateway'), json(200, task)]);
    await expect(client(gateway.fetch).run('x')).rejects.toMatchObject({ status: 502 });
    expect(gateway.calls).toHaveLength(1);
    const refused = scripted([connectionError('ECONNREFUSED'), problem(503, 'database_unavailable'), json(200, task)]);
    await expect(client(refused.fetch).retry('x')).resolves.toMatchObject({ id: task.id });
    expect(refused.calls).toHaveLength(3);
  });

  it('times out a request and retries a safe one', async () => {
    const hang = () => new Promise<Response>(() => undefined);
    const { fetch, calls } = scripted([hang, json(200, task)]);
    await expect(client(fetch, { timeoutMs: 50 }).get('x')).resolves.toMatchObject({ id: task.id });
    expect(calls).toHaveLength(2);
    const always = scripted([hang]);
    await expect(client(always.fetch, { timeoutMs: 20, retries: 1 }).get('x')).rejects.toMatchObject({
      code: 'timeout',
      status: 504,
    });
  });

  it('stops at once when the caller aborts, during a request or a wait', async () => {
    const controller = new AbortController();
    const { fetch, calls } = scripted([() => new Promise<Response>(() => setTimeout(() => controller.abort(), 10))]);
    await expect(client(fetch).get('x', { signal: controller.signal })).rejects.toMatchObject({ code: 'aborted' });
    expect(calls).toHaveLength(1);
    const waiting = new AbortController();
    const slow = scripted([problem(503, 'database_unavailable', { 'retry-after': '5' })]);
    setTimeout(() => waiting.abort(), 20);
    const started = Date.now();
    await expect(client(slow.fetch).get('x', { signal: waiting.signal })).rejects.toMatchObject({ code: 'aborted' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('backoff and Retry-After', () => {
  it('doubles from the base with jitter in [half, full], capped', () => {
    expect(backoff(1, 200, 10_000, () => 0)).toBe(100);
    expect(backoff(1, 200, 10_000, () => 1)).toBe(200);
    expect(backoff(4, 200, 10_000, () => 1)).toBe(1600);
    expect(backoff(20, 200, 10_000, () => 1)).toBe(10_000);
  });

  it('reads seconds and HTTP dates', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });
});
