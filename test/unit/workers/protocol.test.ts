import { describe, expect, it } from 'vitest';
import { packRequests, unpackRequests, type DispatchRequest } from '../../../src/workers/protocol.js';

/** What crosses the thread boundary must come back as it was sent (structured clone, as piscina does). */
describe('packRequests / unpackRequests', () => {
  it('round-trips every field, with and without a lease bound', () => {
    const base: DispatchRequest = {
      taskId: 't1', queue: 'q', attempt: 2, url: 'http://127.0.0.1:1/x?y=1', method: 'PUT', headers: { 'x-a': '1' },
      body: new Uint8Array([1, 2, 3]), contentType: 'application/octet-stream', timeoutMs: 1_500, allowPrivateNetwork: true,
      signingSecrets: ['whsec_a', 'b'], scheduledAt: '2026-11-27T03:00:00.000Z', previousStatus: 503,
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', leaseLeftMs: 29_000,
    };
    const bare: DispatchRequest = { ...base, taskId: 't2', attempt: 1, body: null, contentType: null, allowPrivateNetwork: false, signingSecrets: [], previousStatus: null, traceparent: null, leaseLeftMs: undefined };
    const [one, two] = unpackRequests(structuredClone(packRequests([base, bare])));
    expect(one).toEqual(base);
    expect(two).toEqual(bare);
    expect(two.leaseLeftMs).toBeUndefined();
  });
});
