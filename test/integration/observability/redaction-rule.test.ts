import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logger.js';
import { isSensitiveName } from '../../../src/sensitive-names.js';
import { drivers } from '../../support/databases.js';
import { startTestRecorder, type TestRecorder } from '../recorder/support.js';

/**
 * One redaction rule for the three places a header value could leak: the API shows it as
 * `[redacted]`, a search never matches it, and a log line censors it. One table of names, each
 * with the answer written out (not computed from the rule), checked against all three on a real
 * recorder over each database and a real logger.
 */
const NAMES: [name: string, sensitive: boolean][] = [
  ['Authorization', true],
  ['Proxy-Authorization', true],
  ['X-Authorization', true],
  ['Cookie', true],
  ['Set-Cookie', true],
  ['X-Auth-Token', true],
  ['X-Api-Key', true],
  ['Api_Key', true],
  ['Idempotency-Key', true],
  ['X-Client-Secret', true],
  ['Password', true],
  ['X-Db-Passwd', true],
  ['X-Pwd', true],
  ['X-Jwt', true],
  ['X-Hub-Signature-256', true],
  ['X-Session-Id', true],
  ['X-Credentials', true],
  ['X-Tenant', false],
  ['Accept', false],
  ['Accept-Language', false],
  ['User-Agent', false],
  ['X-Request-Id', false],
  ['X-Correlation', false],
];
/** Unique, and none a substring of another ("val1q" is not inside "val11q"). */
const valueOf = (index: number) => `val${index}q`;

describe.each(drivers())('one redaction rule for the API, search and logs on %s', (driver) => {
  let recorder: TestRecorder;
  let taskId: string;
  let logged: Record<string, string>;

  beforeAll(async () => {
    recorder = await startTestRecorder(driver);
    const headers = Object.fromEntries(NAMES.map(([name], index) => [name, valueOf(index)]));
    const created = await recorder.call('POST', '/v1/queues/emails/tasks', {
      body: { path: '/x', headers, delay: '1h' },
    });
    expect(created.status).toBe(201);
    taskId = created.body.id;

    const stream = new PassThrough();
    let text = '';
    stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
    createLogger({ level: 'info', destination: stream, pretty: false }).info({ task: { headers } }, 'dispatching');
    await new Promise((resolve) => setImmediate(resolve));
    logged = JSON.parse(text).task.headers;
  });
  afterAll(async () => recorder?.close());

  it.each(NAMES.map(([name, sensitive], index) => [name, sensitive, index] as const))(
    '%s: hidden everywhere is %s',
    async (name, sensitive, index) => {
      expect(isSensitiveName(name)).toBe(sensitive);

      const shown = (await recorder.call('GET', `/v1/tasks/${taskId}`)).body.headers[name.toLowerCase()];
      expect(shown).toBe(sensitive ? '[redacted]' : valueOf(index));

      const found = await recorder.call('GET', `/v1/tasks?search=${valueOf(index)}`);
      expect(found.status).toBe(200);
      expect(found.body.tasks.map((task: { id: string }) => task.id)).toEqual(sensitive ? [] : [taskId]);

      expect(logged[name]).toBe(sensitive ? '[redacted]' : valueOf(index));
    },
  );

  it('a search still matches header names, sensitive ones included', async () => {
    const found = await recorder.call('GET', '/v1/tasks?search=x-api-key');
    expect(found.body.tasks.map((task: { id: string }) => task.id)).toEqual([taskId]);
  });
});
