import { describe, expect, it } from 'vitest';
import { LEASE_MARGIN_MS, leaseMarginMs, sendWithinMs, type DispatchRequest } from '../../../src/workers/protocol.js';
import { packRequests, unpackRequests } from '../../../src/workers/protocol-pack.js';

/** What crosses the thread boundary must come back as it was sent (structured clone, as piscina does). */
describe('packRequests / unpackRequests', () => {
  it('round-trips every field, with and without a lease bound', () => {
    const base: DispatchRequest = {
      taskId: 't1',
      queue: 'q',
      attempt: 2,
      url: 'http://127.0.0.1:1/x?y=1',
      method: 'PUT',
      headers: { 'x-a': '1' },
      body: new Uint8Array([1, 2, 3]),
      contentType: 'application/octet-stream',
      timeoutMs: 1_500,
      allowPrivateNetwork: true,
      signingSecrets: ['whsec_a', 'b'],
      scheduledAt: '2026-11-27T03:00:00.000Z',
      previousStatus: 503,
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      cron: null,
      cronFireAt: null,
      sendWithinMs: 27_500,
    };
    const bare: DispatchRequest = {
      ...base,
      taskId: 't2',
      attempt: 1,
      body: null,
      contentType: null,
      allowPrivateNetwork: false,
      signingSecrets: [],
      previousStatus: null,
      traceparent: null,
      cron: null,
      cronFireAt: null,
      sendWithinMs: undefined,
    };
    const [one, two] = unpackRequests(structuredClone(packRequests([base, bare])));
    expect(one).toEqual(base);
    expect(two).toEqual(bare);
    expect(two.sendWithinMs).toBeUndefined();
  });
});

/** Spec 5.4 / 8.1: a request is sent only while its lease covers its whole timeout and a margin. */
describe('sendWithinMs', () => {
  it('keeps a 1 s margin beyond the timeout when the lease has room for it', () => {
    expect(leaseMarginMs(120_000, 30_000)).toBe(LEASE_MARGIN_MS);
    // Fresh from its claim: a 2 min lease and a 30 s timeout may wait 89 s for a connection.
    expect(sendWithinMs(120_000, 30_000, 120_000)).toBe(89_000);
  });

  it('is negative once the lease left is less than the timeout plus the margin: never sent with a shortened timeout', () => {
    expect(sendWithinMs(31_000, 30_000, 120_000)).toBe(0);
    expect(sendWithinMs(30_999, 30_000, 120_000)).toBe(-1);
    // What the old rule sent (1 s or more of lease left, the timeout cut to it) is not sent now.
    expect(sendWithinMs(1_000, 30_000, 120_000)).toBeLessThan(0);
  });

  it('shrinks the margin to half the room when the lease barely exceeds the timeout, so such a queue still sends', () => {
    expect(leaseMarginMs(1_200, 1_000)).toBe(100);
    expect(sendWithinMs(1_200, 1_000, 1_200)).toBe(100);
    expect(leaseMarginMs(1_000, 1_000)).toBe(0);
  });
});
