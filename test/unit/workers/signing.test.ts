import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import type { DispatchRequest } from '../../../src/workers/protocol.js';
import { buildDispatchHeaders } from '../../../src/workers/dispatch-headers.js';
import { decodeSigningSecret, signPayload } from '../../../src/workers/signing.js';

const secretA = 'whsec_' + randomBytes(24).toString('base64');
const secretB = 'whsec_' + randomBytes(32).toString('base64');
const body = '{"hello":"wörld"}';
const now = Math.floor(Date.now() / 1000);

function headersFor(secrets: string[], id = 'task_123', ts = now) {
  return { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signPayload(id, ts, body, secrets) };
}

describe('signPayload', () => {
  it('is verified by the standardwebhooks reference library', () => {
    expect(new Webhook(secretA).verify(body, headersFor([secretA]))).toEqual({ hello: 'wörld' });
  });

  it('signs bytes and strings identically', () => {
    expect(signPayload('id', now, new TextEncoder().encode(body), [secretA])).toBe(
      signPayload('id', now, body, [secretA]),
    );
  });

  it('signs with every secret during rotation, and each one verifies', () => {
    const headers = headersFor([secretA, secretB]);
    const parts = headers['webhook-signature'].split(' ');
    expect(parts).toHaveLength(2);
    expect(parts.every((part) => part.startsWith('v1,'))).toBe(true);
    expect(() => new Webhook(secretA).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(secretB).verify(body, headers)).not.toThrow();
  });

  it('is rejected for another secret, another id or a changed body', () => {
    const other = 'whsec_' + randomBytes(24).toString('base64');
    expect(() => new Webhook(other).verify(body, headersFor([secretA]))).toThrow();
    expect(() => new Webhook(secretA).verify(body, { ...headersFor([secretA]), 'webhook-id': 'task_999' })).toThrow();
    expect(() => new Webhook(secretA).verify(body + ' ', headersFor([secretA]))).toThrow();
  });

  it('keys with the base64-decoded bytes after whsec_, as the library reads the same secret with or without the prefix', () => {
    const bytes = randomBytes(64);
    const secret = `whsec_${bytes.toString('base64')}`;
    expect(decodeSigningSecret(secret).equals(bytes)).toBe(true);
    expect(() => new Webhook(secret.slice('whsec_'.length)).verify(body, headersFor([secret]))).not.toThrow();
    expect(() => new Webhook(bytes, { format: 'raw' }).verify(body, headersFor([secret]))).not.toThrow();
  });

  it('refuses, rather than reads one way, every secret the libraries could read another way', () => {
    const unprefixed = randomBytes(32).toString('base64'); // the library would base64-decode it; Dispatchr once read it as UTF-8
    const urlSafe = `whsec_${Buffer.alloc(32, 0xfb).toString('base64url')}`; // Node decodes it, the library throws
    for (const secret of [
      '',
      'whsec_',
      'plain-secret-without-prefix',
      unprefixed,
      urlSafe,
      `whsec_${randomBytes(16).toString('base64')}`,
    ]) {
      expect(() => signPayload('id', now, body, [secretA, secret]), secret).toThrow(TypeError);
      try {
        decodeSigningSecret(secret);
      } catch (error) {
        if (secret.length > 8) expect((error as Error).message).not.toContain(secret.slice(6, 30));
      }
    }
    expect(() => new Webhook(urlSafe)).toThrow();
  });

  it('signs a null body as the empty string, and nothing without secrets', () => {
    expect(signPayload('id', now, null, [secretA])).toBe(signPayload('id', now, '', [secretA]));
    expect(signPayload('id', now, body, [])).toBe('');
  });
});

describe('buildDispatchHeaders', () => {
  const request: DispatchRequest = {
    taskId: 'task_abc',
    queue: 'emails',
    attempt: 3,
    url: 'http://example.com/hook',
    method: 'POST',
    headers: {
      'X-Custom': 'yes',
      'Webhook-Signature': 'v1,forged',
      'Dispatchr-Attempt': '99',
      Host: 'evil',
      Connection: 'close',
    },
    body: new TextEncoder().encode(body),
    contentType: 'application/json',
    timeoutMs: 1000,
    allowPrivateNetwork: false,
    signingSecrets: [secretA],
    scheduledAt: '2025-01-15T12:00:00.000Z',
    previousStatus: 503,
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    cron: null,
    cronFireAt: null,
  };

  it('sets every Dispatchr and webhook header and drops forged or hop-by-hop ones', () => {
    const headers = buildDispatchHeaders(request, now);
    expect(headers).toEqual({
      'x-custom': 'yes',
      'dispatchr-task-id': 'task_abc',
      'dispatchr-queue': 'emails',
      'dispatchr-attempt': '3',
      'dispatchr-scheduled-at': '2025-01-15T12:00:00.000Z',
      'dispatchr-previous-status': '503',
      traceparent: request.traceparent,
      'content-type': 'application/json',
      'webhook-id': 'task_abc',
      'webhook-timestamp': String(now),
      'webhook-signature': signPayload('task_abc', now, body, [secretA]),
    });
    expect(() => new Webhook(secretA).verify(body, headers)).not.toThrow();
  });

  it('omits optional headers and the signature when not configured', () => {
    const headers = buildDispatchHeaders(
      { ...request, headers: {}, previousStatus: null, traceparent: null, contentType: null, signingSecrets: [] },
      now,
    );
    expect(Object.keys(headers).sort()).toEqual([
      'dispatchr-attempt',
      'dispatchr-queue',
      'dispatchr-scheduled-at',
      'dispatchr-task-id',
      'webhook-id',
      'webhook-timestamp',
    ]);
  });
});
