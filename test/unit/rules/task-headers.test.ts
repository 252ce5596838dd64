import { describe, expect, it } from 'vitest';
import { headerProblem, isSensitiveHeader, redactHeaders } from '../../../src/rules/task-headers.js';
import { buildDispatchHeaders } from '../../../src/workers/dispatch-headers.js';

/** headerProblem(name, value) and redaction: what a task may carry and what a response may show. */
describe('headerProblem(name, value)', () => {
  it('allows ordinary headers', () => {
    for (const name of ['X-Tenant', 'accept', 'Authorization', 'Cookie', 'x-api-key', 'User-Agent'])
      expect(headerProblem(name, 'v'), name).toBeNull();
  });

  it('refuses CR and LF in names and values', () => {
    expect(headerProblem('x-a', 'v\r\nx: 1')).toContain('CR or LF');
    expect(headerProblem('x-a\n', 'v')).toContain('CR or LF');
  });

  it('refuses hop-by-hop, transport and Dispatchr-owned headers in any case', () => {
    for (const name of [
      'Connection',
      'keep-alive',
      'Transfer-Encoding',
      'TE',
      'Trailer',
      'Upgrade',
      'Proxy-Connection',
      'Host',
      'content-length',
      'Expect',
      'Content-Type',
      'Dispatchr-Attempt',
      'DISPATCHR-TASK-ID',
      'webhook-id',
      'Webhook-Signature',
    ]) {
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

describe('headerProblem(name, value): the underscore spelling and routing overrides', () => {
  it('refuses every reserved name in its underscore spelling too (WSGI, CGI and Rack read _ as -)', () => {
    for (const name of [
      'Dispatchr_Queue',
      'Webhook_Id',
      'webhook_signature',
      'Transfer_Encoding',
      'Content_Length',
      'Content_Type',
      'Keep_Alive',
      'Proxy_Connection',
      'X_Forwarded_For',
      'X_Real_IP',
      'X_HTTP_Method_Override',
    ]) {
      expect(headerProblem(name, 'v'), name).not.toBeNull();
    }
  });

  it('refuses headers that override the client, host, URL or method a target sees', () => {
    for (const name of [
      'Forwarded',
      'X-Forwarded-For',
      'X-Forwarded-Host',
      'X-Forwarded-Proto',
      'x-forwarded-prefix',
      'X-Forwarded-Anything',
      'X-Original-URL',
      'X-Original-URI',
      'X-Rewrite-URL',
      'X-HTTP-Method-Override',
      'X-HTTP-Method',
      'X-Method-Override',
      'X-Real-IP',
      'X-Client-IP',
      'Client-IP',
      'True-Client-IP',
      'CF-Connecting-IP',
      'Fastly-Client-IP',
      'X-Cluster-Client-IP',
      'X-Host',
      'X-Original-Host',
      'X-Remote-IP',
      'X-Remote-Addr',
      'X-Originating-IP',
      'X-Original-Forwarded-For',
    ]) {
      expect(headerProblem(name, 'v'), name).toMatch(/overrides|cannot be set/);
    }
    for (const name of ['X-Forwarder', 'X-Hostname-Hint', 'X-Request-Id', 'Via', 'X_Tenant'])
      expect(headerProblem(name, 'v'), name).toBeNull();
  });

  it('the dispatch worker drops what the rule refuses, for tasks stored before the rule', () => {
    const request = {
      taskId: 't',
      queue: 'q',
      attempt: 1,
      scheduledAt: '2025-01-01T00:00:00.000Z',
      previousStatus: null,
      traceparent: null,
      contentType: null,
      signingSecrets: [],
      body: null,
    };
    const headers = {
      'x-tenant': 'acme',
      dispatchr_queue: 'forged',
      webhook_id: 'forged',
      'x-forwarded-for': '10.0.0.1',
      x_real_ip: '10.0.0.1',
      'x-http-method-override': 'DELETE',
      content_type: 'text/plain',
    };
    const sent = buildDispatchHeaders(
      { ...request, headers } as unknown as Parameters<typeof buildDispatchHeaders>[0],
      1,
    );
    expect(sent['x-tenant']).toBe('acme');
    for (const name of Object.keys(headers).filter((n) => n !== 'x-tenant'))
      expect(sent, name).not.toHaveProperty(name);
    expect(sent['dispatchr-queue']).toBe('q');
  });
});

describe('redactHeaders(headers)', () => {
  it('shows sensitive values as [redacted] and leaves the rest', () => {
    expect(
      redactHeaders({
        authorization: 'Bearer x',
        cookie: 'a=b',
        'proxy-authorization': 'p',
        'x-auth-token': 't',
        'x-client-secret': 's',
        'x-api-key': 'k',
        'x-tenant': 'acme',
      }),
    ).toEqual({
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

  it('hides what the review found shown to read-only tokens', () => {
    for (const name of [
      'X-Authorization',
      'Password',
      'X-Jwt',
      'Set-Cookie',
      'X-Hub-Signature-256',
      'X-Session-Id',
      'X-Credentials',
      'db_passwd',
    ]) {
      expect(isSensitiveHeader(name), name).toBe(true);
    }
    for (const name of ['X-Tenant', 'Accept', 'User-Agent', 'X-Request-Id', 'Traceparent'])
      expect(isSensitiveHeader(name), name).toBe(false);
  });
});
