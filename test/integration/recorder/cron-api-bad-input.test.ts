import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cronEntryListResponse } from '../../../src/recorder/schemas/cron.schema.js';
import { drivers } from '../../support/databases.js';
import { startTestRecorder, TOKEN, type CallOptions, type TestRecorder } from './support.js';

/**
 * `PUT /v1/cron/{name}` with a bad name or definition, on each database: a 400 that names the
 * field (docs/spec.md 10.1), and no entry stored. The routes' roles, media types and unknown names
 * are in the security corpus (test/security/bad-input-cron.ts).
 */
describe.each(drivers())('bad cron definitions through the API on %s', (driver) => {
  let recorder: TestRecorder;
  beforeAll(async () => {
    recorder = await startTestRecorder(driver, { recorder: { tokens: [TOKEN] } }, { defaultToken: TOKEN });
  });
  afterAll(async () => recorder?.close());

  const names = async () =>
    cronEntryListResponse.parse((await recorder.call('GET', '/v1/cron')).body).entries.map((e) => e.name);
  const put = (name: string, body: unknown, options: CallOptions = {}) =>
    recorder.call('PUT', `/v1/cron/${name}`, { body, ...options });

  describe('bad input: a 400 naming the field, and nothing stored', () => {
    const valid = { queue: 'emails', schedule: '@hourly' };
    const cases: { label: string; name?: string; body?: unknown; raw?: string; field: string }[] = [
      { label: 'a name starting with a dash', name: '-bad', body: valid, field: 'name' },
      { label: 'a name of 129 characters', name: 'n'.repeat(129), body: valid, field: 'name' },
      { label: 'a name with a space', name: 'a%20b', body: valid, field: 'name' },
      { label: 'an unknown zone', body: { ...valid, timezone: 'Mars/Olympus' }, field: 'timezone' },
      { label: 'a UTC offset for a zone', body: { ...valid, timezone: '+02:00' }, field: 'timezone' },
      { label: 'a schedule that never fires', body: { ...valid, schedule: '0 0 30 2 *' }, field: 'schedule' },
      { label: 'a minute out of range', body: { ...valid, schedule: '61 * * * *' }, field: 'schedule' },
      { label: 'an @every below a second', body: { ...valid, schedule: '@every 10ms' }, field: 'schedule' },
      { label: 'no schedule', body: { queue: 'emails' }, field: 'schedule' },
      { label: 'an unknown queue', body: { ...valid, queue: 'nope' }, field: 'queue' },
      { label: 'a queue name that cannot be one', body: { ...valid, queue: '../x' }, field: 'queue' },
      { label: 'a path with ..', body: { ...valid, path: '/a/../../admin' }, field: 'path' },
      { label: 'a URL outside the target', body: { ...valid, path: 'https://evil.example/x' }, field: 'path' },
      { label: 'a reserved header', body: { ...valid, headers: { 'webhook-id': 'x' } }, field: 'headers.webhook-id' },
      { label: 'a header with CR LF', body: { ...valid, headers: { 'x-a': 'a\r\nb' } }, field: 'headers.x-a' },
      { label: 'a body with GET', body: { ...valid, method: 'GET', body: { a: 1 } }, field: 'method' },
      {
        label: 'a body number that would not survive',
        raw: '{"queue":"emails","schedule":"@hourly","body":{"n":9007199254740993}}',
        field: 'body.n',
      },
      { label: 'maxAttempts 0', body: { ...valid, maxAttempts: 0 }, field: 'maxAttempts' },
      { label: 'a timeout over the lease', body: { ...valid, timeout: '1h' }, field: 'timeout' },
      { label: 'a bad catchUp', body: { ...valid, catchUp: 'sometimes' }, field: 'catchUp' },
      { label: 'an unknown field', body: { ...valid, color: 'red' }, field: 'color' },
    ];
    for (const { label, name = 'bad-input', body, raw, field } of cases) {
      it(`refuses ${label}`, async () => {
        const before = await names();
        const reply = await put(name, body, raw === undefined ? {} : { raw });
        expect(reply.status, reply.text).toBe(400);
        expect(reply.body.code).toBe('validation_failed');
        expect(reply.body.errors.map((error: { path: string }) => error.path)).toContain(field);
        expect(await names()).toEqual(before);
      });
    }

    it('refuses a body that is not JSON (invalid_json) and one that is not JSON-typed (415)', async () => {
      const before = await names();
      const text = await put('bad-input', undefined, { raw: '{"queue": "emails",' });
      expect(text.status).toBe(400);
      expect(text.body.code).toBe('invalid_json');
      const typed = await put('bad-input', undefined, { raw: '{}', headers: { 'content-type': 'text/plain' } });
      expect(typed.status).toBe(415);
      expect(await names()).toEqual(before);
    });
  });
});
