import { describe, expect, it } from 'vitest';
import { headerProblem as clientRule, MAX_HEADERS as CLIENT_MAX } from '../../../src/client/header-rules.js';
import { headerProblem as recorderRule, MAX_HEADERS as RECORDER_MAX } from '../../../src/recorder/task-headers.js';

/**
 * The client keeps a copy of the recorder's header rules (the recorder's module imports config code
 * the client must not load). Both must answer every case alike, so enqueueWithin and the API refuse
 * the same headers.
 */
const NAMES = ['x-tenant', 'X-Api-Key', 'Authorization', 'accept', 'Connection', 'keep-alive', 'Proxy-Connection', 'Transfer-Encoding', 'TE', 'Trailer', 'Upgrade', 'Host', 'Content-Length', 'Expect', 'Content-Type', 'dispatchr-attempt', 'Dispatchr-Task-Id', 'webhook-id', 'Webhook-Signature', 'x a', 'x:a', 'x-a\r', 'x-a\n', '', 'é', 'x\u0000'];
const VALUES = ['v', '', 'a b\tc', 'é', 'bell\u0007', 'nul\u0000', 'line\r\nx: 1', 'x'.repeat(8192), 'x'.repeat(8193), '\u0100'];

describe('client header rules = recorder header rules', () => {
  it('agree on every name × value case', () => {
    for (const name of NAMES) {
      for (const value of VALUES) expect(clientRule(name, value), `${JSON.stringify(name)}: ${JSON.stringify(value.slice(0, 12))}`).toBe(recorderRule(name, value));
    }
    expect(CLIENT_MAX).toBe(RECORDER_MAX);
  });

  it('really refuses something (the cases are not all accepted)', () => {
    expect(NAMES.filter((name) => clientRule(name, 'v') !== null).length).toBeGreaterThan(15);
  });
});
