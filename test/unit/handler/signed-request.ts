import { buildDispatchHeaders } from '../../../src/workers/dispatch-headers.js';
import type { DispatchRequest } from '../../../src/workers/protocol.js';

/**
 * A dispatch exactly as the scheduler sends it: the headers come from the scheduler's own
 * buildDispatchHeaders (and so from src/workers/signing.ts), never from the handler kit under test.
 */
export const SECRET = `whsec_${Buffer.from('handler-kit-test-secret-32-bytes!!').toString('base64')}`;
export const NOW_SECONDS = 1_750_000_000;

export interface SignedRequest {
  body: Buffer;
  headers: Record<string, string>;
}

export function signedRequest(overrides: Partial<DispatchRequest> = {}, timestampSeconds = NOW_SECONDS): SignedRequest {
  const request: DispatchRequest = {
    taskId: '0190f5f4-7a3e-7c1b-9b2a-3f4e5d6c7b8a',
    queue: 'emails',
    attempt: 1,
    url: 'http://127.0.0.1/tasks/welcome',
    method: 'POST',
    headers: { 'x-tenant': 'acme' },
    body: Buffer.from(JSON.stringify({ to: 'a@example.com' })),
    contentType: 'application/json',
    timeoutMs: 30_000,
    allowPrivateNetwork: true,
    signingSecrets: [SECRET],
    scheduledAt: '2025-06-15T15:06:40.000Z',
    previousStatus: null,
    traceparent: null,
    cron: null,
    cronFireAt: null,
    ...overrides,
  };
  return {
    body: Buffer.from(request.body ?? new Uint8Array()),
    headers: buildDispatchHeaders(request, timestampSeconds),
  };
}
