import { describe, expect, it } from 'vitest';
import { createApiClient } from '../../../src/conformance/api-client.js';
import { expectProblem, KitFailure } from '../../../src/conformance/assert.js';
import type { ConformanceCase, KitContext } from '../../../src/conformance/kit.js';
import { junitReport } from '../../../src/conformance/report-junit.js';
import { runCases, summarize, type CaseResult } from '../../../src/conformance/runner.js';
import { startTarget } from '../../../src/conformance/target-server.js';

/**
 * The kit's parts that every case relies on, on real sockets: the target's scripted answers, the
 * API client's headers, the runner's concurrency, timeouts and order, and the JUnit report.
 */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("the kit's target server", () => {
  it('answers a scripted path step by step, per path without query, the last step repeating', async () => {
    const target = await startTarget(0);
    try {
      const statuses: (number | string)[] = [];
      for (const query of ['?a=1', '?a=2', '', '']) {
        const res = await fetch(`${target.baseUrl}/m1/r/503ra7,429,201${query}`, { method: 'POST', body: 'x' });
        statuses.push(res.status, res.headers.get('retry-after') ?? '-');
      }
      expect(statuses).toEqual([503, '7', 429, '-', 201, '-', 201, '-']);
      expect((await fetch(`${target.baseUrl}/plain`)).status).toBe(200);
      const got = target.received('/m1/');
      expect(got.map((r) => r.path)).toEqual([
        '/m1/r/503ra7,429,201?a=1',
        '/m1/r/503ra7,429,201?a=2',
        '/m1/r/503ra7,429,201',
        '/m1/r/503ra7,429,201',
      ]);
      expect(got[0].body.toString()).toBe('x');
      expect(got[0].method).toBe('POST');
    } finally {
      await target.close();
    }
  });

  it('resets, hangs until the client gives up, and sleeps before a 200', async () => {
    const target = await startTarget(0);
    try {
      await expect(fetch(`${target.baseUrl}/m2/r/reset`, { method: 'POST', body: 'x' })).rejects.toThrow();
      await expect(fetch(`${target.baseUrl}/m3/r/hang`, { signal: AbortSignal.timeout(300) })).rejects.toThrow();
      expect(target.received('/m3/')).toHaveLength(1);
      const started = Date.now();
      expect((await fetch(`${target.baseUrl}/m4/r/sleep400`)).status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(380);
    } finally {
      await target.close();
    }
  });

  it('waitFor resolves once enough requests arrived and fails with a KitFailure saying how many came', async () => {
    const target = await startTarget(0);
    try {
      const waiting = target.waitFor('/m5/', 2, 5_000);
      await fetch(`${target.baseUrl}/m5/a`);
      await fetch(`${target.baseUrl}/m5/b`);
      expect((await waiting).map((r) => r.path)).toEqual(['/m5/a', '/m5/b']);
      const late = target.waitFor('/m6/', 1, 200);
      await expect(late).rejects.toBeInstanceOf(KitFailure);
      await expect(late).rejects.toThrow('expected 1 request(s) at the target for /m6/ within 200 ms, got 0');
    } finally {
      await target.close();
    }
  });
});

describe("the kit's API client", () => {
  it('sends the admin token by default, none for null, and application/json on every POST unless told', async () => {
    const target = await startTarget(0);
    const api = createApiClient(`${target.baseUrl}/base/`, 'admin-token-0123456789');
    try {
      await api.request('POST', '/c1/empty');
      await api.request('POST', '/c1/json', { body: { a: 1 }, token: 'other-token' });
      await api.request('POST', '/c1/raw', { rawBody: 'a=1', contentType: null, token: null });
      const res = await api.request('GET', '/c1/get', { headers: { 'X-Extra': 'yes' } });
      expect(res).toMatchObject({ status: 200, text: 'ok', json: undefined });
      const [empty, json, raw, get] = target.received('/base/c1/');
      expect(empty.headers).toMatchObject({
        authorization: 'Bearer admin-token-0123456789',
        'content-type': 'application/json',
        'content-length': '0',
      });
      expect(json.headers).toMatchObject({ authorization: 'Bearer other-token', 'content-type': 'application/json' });
      expect(json.body.toString()).toBe('{"a":1}');
      expect(raw.headers.authorization).toBeUndefined();
      expect(raw.headers['content-type']).toBeUndefined();
      expect(raw.body.toString()).toBe('a=1');
      expect(get.headers['content-type']).toBeUndefined();
      expect(get.headers['x-extra']).toBe('yes');
    } finally {
      api.close();
      await target.close();
    }
  });

  it('expectProblem names the expected and the received code, status and type', () => {
    const problem = (status: number, type: string, body: object) => ({
      status,
      headers: { 'content-type': type },
      text: JSON.stringify(body),
      json: body,
    });
    expect(() =>
      expectProblem(
        problem(404, 'application/problem+json', { code: 'queue_not_found', status: 404 }),
        404,
        'queue_not_found',
      ),
    ).not.toThrow();
    expect(() =>
      expectProblem(problem(400, 'application/problem+json', { code: 'x', status: 400 }), 404, 'queue_not_found'),
    ).toThrow('expected problem 404 queue_not_found: expected status 404, got 400 (code x:');
    expect(() =>
      expectProblem(problem(404, 'application/json', { code: 'queue_not_found', status: 404 }), 404, 'queue_not_found'),
    ).toThrow('expected Content-Type application/problem+json, got application/json');
    expect(() =>
      expectProblem(
        problem(404, 'application/problem+json', { code: 'not_found', status: 404 }),
        404,
        'queue_not_found',
      ),
    ).toThrow('got code "not_found"');
  });
});

describe("the kit's runner", () => {
  const context = (log: (line: string) => void) => ({ log }) as unknown as KitContext;
  const kase = (name: string, run: ConformanceCase['run'], extra: Partial<ConformanceCase> = {}): ConformanceCase => ({
    name,
    section: '0',
    level: 'MUST',
    group: 'recorder',
    run,
    ...extra,
  });

  it('runs at most `concurrency` cases at once, a serial case alone, and reports in case order', async () => {
    let running = 0;
    let most = 0;
    const overlapsWithSerial: string[] = [];
    let serialRunning = false;
    const body = (ms: number) => async () => {
      running++;
      most = Math.max(most, running);
      if (serialRunning) overlapsWithSerial.push('overlap');
      await sleep(ms);
      running--;
    };
    const cases = [
      kase('a', body(80)),
      kase(
        's',
        async () => {
          serialRunning = true;
          if (running > 0) overlapsWithSerial.push('started during others');
          await sleep(50);
          serialRunning = false;
        },
        { serial: true },
      ),
      ...Array.from({ length: 8 }, (_, i) => kase(`c${i}`, body(40 + (i % 3) * 30))),
    ];
    const order: number[] = [];
    const results = await runCases(cases, {
      concurrency: 3,
      contextFor: context,
      onResult: (r) => order.push(r.number),
    });
    expect(most).toBe(3);
    expect(overlapsWithSerial).toEqual([]);
    expect(order).toEqual(cases.map((_, i) => i + 1));
    expect(results.every((r) => r.outcome === 'pass')).toBe(true);
  });

  it('fails a case that throws or outlives its timeout, skips guarantees when told, and keeps its log', async () => {
    const results = await runCases(
      [
        kase('throws', async (kit) => {
          kit.log('about to throw');
          throw new TypeError('boom');
        }),
        kase('slow', async () => void (await sleep(1_000)), { timeoutMs: 100 }),
        kase('guarantee', async () => undefined, { group: 'guarantees' }),
        kase('should', async () => Promise.reject(new KitFailure('nope')), { level: 'SHOULD' }),
      ],
      { concurrency: 4, contextFor: context, skipGuarantees: 'needs --start and --kill' },
    );
    expect(results.map((r) => [r.case.name, r.outcome, r.message])).toEqual([
      ['throws', 'fail', 'boom'],
      ['slow', 'fail', 'timed out after 100 ms'],
      ['guarantee', 'skip', 'needs --start and --kill'],
      ['should', 'fail', 'nope'],
    ]);
    expect(results[0].log).toEqual(['about to throw']);
    expect(summarize(results, 1)).toEqual({ passed: 0, failed: 3, failedMust: 2, skipped: 1, seconds: 1 });
  });

  it('writes JUnit XML with every text escaped', () => {
    const results: CaseResult[] = [
      {
        case: kase('4.1 <a> & "b"', async () => undefined),
        number: 1,
        outcome: 'fail',
        durationMs: 5,
        message: 'got <\u0001>',
        log: [],
      },
    ];
    const xml = junitReport(results, summarize(results, 0.005));
    expect(xml).toContain(
      '<testcase name="4.1 &lt;a&gt; &amp; &quot;b&quot;" classname="conformance.recorder" time="0.005">',
    );
    expect(xml).toContain('<failure type="MUST" message="got &lt;&gt;">got &lt;&gt;</failure>');
    expect(xml).toContain('<testsuites name="dispatchr-conformance" tests="1" failures="1" errors="0" skipped="0"');
  });
});
