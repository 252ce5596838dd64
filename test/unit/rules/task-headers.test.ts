import { describe, expect, it } from 'vitest';
import { headerProblem, isSensitiveHeader, redactHeaders } from '../../../src/rules/task-headers.js';

/** headerProblem(name, value) and redaction: what a task may carry and what a response may show. */
describe('headerProblem(name, value)', () => {
  it('allows ordinary headers', () => {
    for (const name of ['X-Tenant', 'accept', 'Authorization', 'Cookie', 'x-api-key', 'User-Agent']) expect(headerProblem(name, 'v'), name).toBeNull();
  });

  it('refuses CR and LF in names and values', () => {
    expect(headerProblem('x-a', 'v\r\nx: 1')).toContain('CR or LF');
    expect(headerProblem('x-a\n', 'v')).toContain('CR or LF');
  });

  it('refuses hop-by-hop, transport and Dispatchr-owned headers in any case', () => {
    for (const name of ['Connection', 'keep-alive', 'Transfer-Encoding', 'TE', 'Trailer', 'Upgrade', 'Proxy-Connection', 'Host', 'content-length', 'Expect', 'Content-Type', 'Dispatchr-Attempt', 'DISPATCHR-TASK-ID', 'webhook-id', 'Webhook-Signature']) {
      expect(headerProblem(name, 'v'), name).not.toBeNull();
    }
  });

  it('refuses names that are not tokens and values with control characters', () => {
    expect(headerProblem('x a', 'v')).not.toBeNull();
    expect(headerProblem('x:a', 'v')).not.toBeNull();
    expect(headerProblem('x-a', 'bell\u0007')).not.toBeNull();
    expect(headerProblem('x-a', 'é')).toBeNull(); // obs-text is allowed by HTTP
    expect(headerProblem('x-a', 'x'.repeat(8193))).toContain('8192');
  });
});

describe('redactHeaders(headers)', () => {
  it('shows sensitive values as [redacted] and leaves the rest', () => {
    expect(redactHeaders({ authorization: 'Bearer x', cookie: 'a=b', 'proxy-authorization': 'p', 'x-auth-token': 't', 'x-client-secret': 's', 'x-api-key': 'k', 'x-tenant': 'acme' })).toEqual({
      authorization: '[redacted]',
      cookie: '[redacted]',
      'proxy-authorization': '[redacted]',
      'x-auth-token': '[redacted]',
      'x-client-secret': '[redacted]',
      'x-api-key': '[redacted]',
      'x-tenant': 'acme',
    });
    expect(isSensitiveHeader('X-Session-KEY')).toBe(true);
  });
});
