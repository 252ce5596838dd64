import { describe, expect, it } from 'vitest';
import { classifyResult, statusText, type ClassifiableResult } from '../../../src/workers/classify.js';
import type { DispatchErrorKind } from '../../../src/workers/protocol.js';

const status = (code: number, retryAfterMs: number | null = null): ClassifiableResult => ({
  status: code,
  errorKind: null,
  retryAfterMs,
});
const error = (errorKind: DispatchErrorKind): ClassifiableResult => ({ status: null, errorKind, retryAfterMs: null });

describe('classifyResult default table', () => {
  it.each([
    [200, 'HTTP 200 OK'],
    [201, 'HTTP 201 Created'],
    [202, 'HTTP 202 Accepted'],
    [204, 'HTTP 204 No Content'],
    [299, 'HTTP 299'],
  ])('%i → completed', (code, reason) => {
    expect(classifyResult(status(code, 5000))).toEqual({ outcome: 'completed', retryAfterMs: null, reason });
  });

  it("names the status with its reason phrase, for the attempt's error", () => {
    expect(classifyResult(status(503)).reason).toBe('HTTP 503 Service Unavailable');
    expect(classifyResult(status(400)).reason).toBe('HTTP 400 Bad Request');
    expect(statusText(599)).toBe('HTTP 599');
  });

  it.each([429, 503])('%i → retry honouring Retry-After', (code) => {
    expect(classifyResult(status(code, 2000))).toMatchObject({ outcome: 'retry', retryAfterMs: 2000 });
    expect(classifyResult(status(code))).toMatchObject({ outcome: 'retry', retryAfterMs: null });
  });

  it.each([408, 500, 502, 504, 599])('%i → retry, Retry-After ignored', (code) => {
    expect(classifyResult(status(code, 2000))).toMatchObject({ outcome: 'retry', retryAfterMs: null });
  });

  it.each([100, 101, 199, 300, 301, 302, 304, 308, 400, 401, 403, 404, 409, 410, 422, 499])('%i → failed', (code) => {
    expect(classifyResult(status(code, 2000))).toMatchObject({ outcome: 'failed', retryAfterMs: null });
  });

  it.each<DispatchErrorKind>(['timeout', 'connection-refused', 'connection-reset', 'dns', 'network', 'tls', 'aborted'])(
    'errorKind %s → retry',
    (kind) => {
      expect(classifyResult(error(kind))).toEqual({ outcome: 'retry', retryAfterMs: null, reason: kind });
    },
  );

  it('errorKind guard-refused → failed', () => {
    expect(classifyResult(error('guard-refused'))).toEqual({
      outcome: 'failed',
      retryAfterMs: null,
      reason: 'guard-refused',
    });
  });

  it('no status and no errorKind (broken invariant) → retry', () => {
    expect(classifyResult({ status: null, errorKind: null, retryAfterMs: null }).outcome).toBe('retry');
  });
});

describe('classifyResult statusMap', () => {
  it('exact code beats class beats default', () => {
    const map = { '409': 'completed', '4xx': 'retry', '5xx': 'failed' } as const;
    expect(classifyResult(status(409), map)).toMatchObject({
      outcome: 'completed',
      reason: 'HTTP 409 Conflict (statusMap "409")',
    });
    expect(classifyResult(status(404), map)).toMatchObject({
      outcome: 'retry',
      reason: 'HTTP 404 Not Found (statusMap "4xx")',
    });
    expect(classifyResult(status(500), map)).toMatchObject({ outcome: 'failed' });
    expect(classifyResult(status(503, 1000), map)).toMatchObject({ outcome: 'failed', retryAfterMs: null });
    expect(classifyResult(status(200), map)).toMatchObject({ outcome: 'completed', reason: 'HTTP 200 OK' });
    expect(classifyResult(status(301), map)).toMatchObject({ outcome: 'failed', reason: 'HTTP 301 Moved Permanently' });
  });

  it('exact code beats its class even when the class would agree with the default', () => {
    expect(classifyResult(status(422), { '4xx': 'retry', '422': 'failed' }).outcome).toBe('failed');
  });

  it('class keys match case-insensitively', () => {
    expect(classifyResult(status(404), { '4XX': 'retry' }).outcome).toBe('retry');
  });

  it('passes Retry-After through whenever the map says retry, and never otherwise', () => {
    expect(classifyResult(status(409, 3000), { '409': 'retry' })).toMatchObject({
      outcome: 'retry',
      retryAfterMs: 3000,
    });
    expect(classifyResult(status(500, 3000), { '5xx': 'retry' })).toMatchObject({
      outcome: 'retry',
      retryAfterMs: 3000,
    });
    expect(classifyResult(status(429, 3000), { '429': 'failed' })).toMatchObject({
      outcome: 'failed',
      retryAfterMs: null,
    });
    expect(classifyResult(status(200, 3000), { '2xx': 'completed' })).toMatchObject({ retryAfterMs: null });
  });

  it('does not apply to results without a status', () => {
    expect(classifyResult(error('timeout'), { '5xx': 'failed' }).outcome).toBe('retry');
    expect(classifyResult(error('guard-refused'), { '4xx': 'retry' }).outcome).toBe('failed');
  });

  it('ignores inherited keys', () => {
    const map = Object.create({ '404': 'completed' }) as Record<string, 'completed'>;
    expect(classifyResult(status(404), map).outcome).toBe('failed');
  });
});
