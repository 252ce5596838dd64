import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { verify } from '../../../src/handler/index.js';
import { buildDispatchHeaders } from '../../../src/workers/dispatch-headers.js';
import type { DispatchRequest } from '../../../src/workers/protocol.js';

/**
 * 1,000 genuine dispatches all verify; 1,000 mutated ones (a body byte flipped, the timestamp moved
 * out of tolerance and re-signed, the timestamp moved by 1 s keeping the old signature, the id
 * changed, the wrong secret) are all refused. Requests are signed by the scheduler's own code.
 */
const NOW_SECONDS = 1_760_000_000;
const TOLERANCE = 300;

// Every secret the format allows (src/signing-secret.ts): whsec_ + base64 of 24 to 64 bytes.
const secretArb = fc
  .uint8Array({ minLength: 24, maxLength: 64 })
  .map((bytes) => `whsec_${Buffer.from(bytes).toString('base64')}`);

const dispatchArb = fc.record({
  taskId: fc.uuid({ version: 7 }),
  queue: fc.stringMatching(/^[a-z][a-z0-9_.-]{0,20}$/),
  attempt: fc.integer({ min: 1, max: 1000 }),
  body: fc.oneof(
    fc.uint8Array({ minLength: 1, maxLength: 512 }),
    fc.json().map((text) => new TextEncoder().encode(text)),
  ),
  secret: secretArb,
  skew: fc.integer({ min: -TOLERANCE, max: TOLERANCE }),
});

type Dispatch = typeof dispatchArb extends fc.Arbitrary<infer T> ? T : never;

function send(
  d: Dispatch,
  timestamp = NOW_SECONDS + d.skew,
  secret = d.secret,
): { body: Buffer; headers: Record<string, string> } {
  const request: DispatchRequest = {
    taskId: d.taskId,
    queue: d.queue,
    attempt: d.attempt,
    url: 'http://127.0.0.1/t',
    method: 'POST',
    headers: {},
    body: d.body,
    contentType: 'application/octet-stream',
    timeoutMs: 1000,
    allowPrivateNetwork: true,
    signingSecrets: [secret],
    scheduledAt: new Date(NOW_SECONDS * 1000).toISOString(),
    previousStatus: null,
    traceparent: null,
    cron: null,
    cronFireAt: null,
  };
  return { body: Buffer.from(d.body), headers: buildDispatchHeaders(request, timestamp) };
}

const accepted = (body: Buffer, headers: Record<string, string>, secret: string): boolean => {
  try {
    verify(body, headers, secret, { now: NOW_SECONDS * 1000 });
    return true;
  } catch {
    return false;
  }
};

const mutationArb = fc.oneof(
  fc.record({ kind: fc.constant('body-byte' as const), index: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({
    kind: fc.constant('timestamp-beyond' as const),
    by: fc.integer({ min: TOLERANCE + 1, max: 10 * 365 * 86_400 }),
    sign: fc.constantFrom(1, -1),
  }),
  fc.record({ kind: fc.constant('timestamp-stale-signature' as const), by: fc.constantFrom(1, -1) }),
  fc.record({ kind: fc.constant('id' as const), id: fc.uuid({ version: 7 }) }),
  fc.record({ kind: fc.constant('secret' as const), secret: secretArb }),
);

describe('verify() fuzzed', () => {
  it('accepts 1,000 genuine dispatches', () => {
    fc.assert(
      fc.property(dispatchArb, (d) => {
        const { body, headers } = send(d);
        expect(accepted(body, headers, d.secret)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses 1,000 mutated dispatches', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(dispatchArb, mutationArb, (d, mutation) => {
        seen.add(mutation.kind);
        let { body, headers } = send(d);
        let secret = d.secret;
        switch (mutation.kind) {
          case 'body-byte': {
            body = Buffer.from(body);
            body[mutation.index % body.length] ^= 1 << mutation.bit;
            break;
          }
          case 'timestamp-beyond':
            // Freshly signed for the moved timestamp: only the tolerance can refuse it.
            ({ body, headers } = send(d, NOW_SECONDS + mutation.sign * mutation.by));
            break;
          case 'timestamp-stale-signature':
            headers = { ...headers, 'webhook-timestamp': String(Number(headers['webhook-timestamp']) + mutation.by) };
            break;
          case 'id':
            fc.pre(mutation.id !== d.taskId);
            headers = { ...headers, 'webhook-id': mutation.id, 'dispatchr-task-id': mutation.id };
            break;
          case 'secret':
            fc.pre(Buffer.compare(keyOf(mutation.secret), keyOf(d.secret)) !== 0);
            secret = mutation.secret;
            break;
        }
        expect(accepted(body, headers, secret)).toBe(false);
      }),
      { numRuns: 1000 },
    );
    expect([...seen].sort()).toEqual(['body-byte', 'id', 'secret', 'timestamp-beyond', 'timestamp-stale-signature']);
  });
});

function keyOf(secret: string): Buffer {
  return Buffer.from(secret.slice('whsec_'.length), 'base64');
}
