/**
 * Dispatch cases on the request itself (docs/spec.md 5.1, 5.2, 5.3): what reaches the target for a
 * task, on every attempt, and the Standard Webhooks signatures checked with the kit's own verifier.
 */
import { expectEqual, expectTrue } from '../assert.js';
import type { ConformanceCase } from '../kit.js';
import { parseSignatureHeader, verifiesWith } from '../verify-signature.js';
import { createTask } from '../wait.js';
import {
  expectRun,
  header,
  rfc3339Ms,
  runScripted,
  scripted,
  segment,
  targetPathOf,
  waitFinished,
} from './dispatch-support.js';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

const requestShape: ConformanceCase = {
  name: '5.2 the request has the task method, URL, query, body, Content-Type, headers and traceparent',
  section: '5.2',
  level: 'MUST',
  group: 'dispatch',
  async run(kit) {
    const unique = segment(kit, 'shape');
    const path = `/${unique}/shape?x=1&y=two`;
    const created = await createTask(
      kit,
      kit.names.queue,
      {
        path,
        method: 'PUT',
        headers: { 'x-kit-custom': 'kit value' },
        // One key: the spec fixes spacing and numbers of the written-back JSON, not key order.
        body: { text: ['h\u00e9llo \u2713', 1, 100, 2.5, true, null] },
        contentType: 'application/vnd.kit+json',
      },
      { headers: { traceparent: TRACEPARENT } },
    );
    const [request] = await kit.target.waitFor(`/${unique}/`, 1);
    const base = await targetPathOf(kit, kit.names.queue);
    expectEqual(request.method, 'PUT', 'the method');
    expectEqual(request.path, `${base}${path}`, 'the path: the target joined with the task path, query kept (5.1)');
    expectEqual(request.body.toString('utf8'), '{"text":["h\u00e9llo \u2713",1,100,2.5,true,null]}', 'the body bytes');
    expectEqual(header(request, 'content-type'), 'application/vnd.kit+json', 'Content-Type: the task contentType');
    expectEqual(header(request, 'x-kit-custom'), 'kit value', 'a header of the task');
    expectEqual(header(request, 'traceparent'), TRACEPARENT, 'the traceparent the task was created with');
    await waitFinished(kit, created.id, 'the task completes');

    // bodyBase64: exactly these bytes, with the octet-stream default.
    const bytes = Buffer.from([0, 1, 2, 0xfe, 0xff, 0x0d, 0x0a, 0x7b]);
    const raw = await createTask(kit, kit.names.queue, {
      path: `/${unique}/raw`,
      bodyBase64: bytes.toString('base64'),
    });
    const [sent] = await kit.target.waitFor(`/${unique}/raw`, 1);
    expectEqual(sent.method, 'POST', 'the default method');
    expectEqual(sent.body.toString('hex'), bytes.toString('hex'), 'the bodyBase64 bytes (hex)');
    expectEqual(header(sent, 'content-type'), 'application/octet-stream', 'Content-Type of a bodyBase64 task');
    await waitFinished(kit, raw.id, 'the bodyBase64 task completes');
  },
};

const deliveryHeaders: ConformanceCase = {
  name: '5.2 Dispatchr and webhook headers on every attempt: task id, queue, attempt 1-2-3, previous status',
  section: '5.2',
  level: 'MUST',
  group: 'dispatch',
  async run(kit) {
    // 500 and 502: no 429, 503 or timeout, which would slow the queue for the other cases (spec 6).
    const run = await runScripted(kit, kit.names.queue, 'headers', '500,502,200');
    expectRun(run, '500, 502, then 200', { state: 'completed', requests: 3, statuses: [500, 502, 200] });
    const { task, requests } = run;
    expectEqual(
      requests.map((r) => header(r, 'dispatchr-attempt')),
      ['1', '2', '3'],
      'Dispatchr-Attempt on the three attempts',
    );
    expectEqual(
      task.attempts.map((a: any) => a.number),
      [1, 2, 3],
      'the recorded attempt numbers',
    );
    expectEqual(
      requests.map((r) => header(r, 'dispatchr-previous-status')),
      [undefined, '500', '502'],
      'Dispatchr-Previous-Status: absent on attempt 1, then the status just before',
    );
    let lastScheduled = -Infinity;
    for (const [i, request] of requests.entries()) {
      const n = i + 1;
      expectEqual(header(request, 'dispatchr-task-id'), task.id, `attempt ${n}: Dispatchr-Task-Id`);
      expectEqual(header(request, 'webhook-id'), task.id, `attempt ${n}: webhook-id (the same on every attempt)`);
      expectEqual(header(request, 'dispatchr-queue'), kit.names.queue, `attempt ${n}: Dispatchr-Queue`);
      const scheduled = rfc3339Ms(header(request, 'dispatchr-scheduled-at'), `attempt ${n}: Dispatchr-Scheduled-At`);
      expectTrue(
        scheduled >= lastScheduled,
        `attempt ${n}: Dispatchr-Scheduled-At went back in time (${header(request, 'dispatchr-scheduled-at')})`,
      );
      lastScheduled = scheduled;
      const timestamp = header(request, 'webhook-timestamp') ?? '';
      expectTrue(/^\d+$/.test(timestamp), `attempt ${n}: webhook-timestamp: expected Unix seconds, got ${timestamp}`);
      const skew = Math.abs(Number(timestamp) * 1000 - request.at);
      expectTrue(skew <= 60_000, `attempt ${n}: webhook-timestamp is ${Math.round(skew / 1000)} s from now`);
    }
    const first = rfc3339Ms(header(requests[0], 'dispatchr-scheduled-at'), 'attempt 1: Dispatchr-Scheduled-At');
    const created = rfc3339Ms(task.createdAt, 'the task createdAt');
    expectTrue(
      Math.abs(first - created) <= 1_000,
      `attempt 1: Dispatchr-Scheduled-At should be the runAt of a task due at once (${task.createdAt})`,
    );
  },
};

const previousStatusAfterTimeout: ConformanceCase = {
  name: '5.2 Dispatchr-Previous-Status is absent after an attempt that got no status',
  section: '5.2',
  level: 'MUST',
  group: 'dispatch',
  timeoutMs: 25_000,
  // A timeout slows the whole queue down (spec 6): alone, it slows no other case.
  serial: true,
  async run(kit) {
    const run = await runScripted(kit, kit.names.queue, 'prevstatus', '500,hang,200');
    expectRun(run, '500, a timeout, then 200', { state: 'completed', requests: 3, statuses: [500, null, 200] });
    expectEqual(
      run.requests.map((r) => header(r, 'dispatchr-previous-status')),
      [undefined, '500', undefined],
      'Dispatchr-Previous-Status on attempts 1, 2 and 3 (an older status is never repeated)',
    );
  },
};

const rotatedSignatures: ConformanceCase = {
  name: '5.3 webhook-signature holds one v1 signature per secret, newest first, over id.timestamp.body',
  section: '5.3',
  level: 'MUST',
  group: 'dispatch',
  async run(kit) {
    const { path, marker } = scripted(kit, 'signed', '200');
    const created = await createTask(kit, kit.names.queue, { path, body: { text: 'sign \u00e9 me', n: 1 } });
    const [request] = await kit.target.waitFor(marker, 1);
    const id = header(request, 'webhook-id') ?? '';
    const timestamp = header(request, 'webhook-timestamp') ?? '';
    expectEqual(id, created.id, 'webhook-id');
    const value = header(request, 'webhook-signature');
    expectTrue(value !== undefined, 'webhook-signature: missing on a queue with signing secrets');
    const entries = parseSignatureHeader(value);
    expectEqual(
      entries.map((e) => e.version),
      ['v1', 'v1'],
      'webhook-signature: one v1 entry per secret (two secrets)',
    );
    const [newest, oldest] = kit.secrets;
    expectTrue(
      verifiesWith(newest, id, timestamp, request.body, entries[0].signature),
      'webhook-signature: the first entry does not verify with the newest secret',
    );
    expectTrue(
      verifiesWith(oldest, id, timestamp, request.body, entries[1].signature),
      'webhook-signature: the second entry does not verify with the older secret',
    );
    await waitFinished(kit, created.id, 'the task completes');
  },
};

const unsigned: ConformanceCase = {
  name: '5.3 a queue without a signing secret sends no webhook-signature',
  section: '5.3',
  level: 'MUST',
  group: 'dispatch',
  async run(kit) {
    const run = await runScripted(kit, kit.names.mapped, 'unsigned', '200', { body: { n: 1 } });
    expectRun(run, 'an unsigned queue', { state: 'completed', requests: 1 });
    const [request] = run.requests;
    expectEqual(header(request, 'webhook-signature'), undefined, 'webhook-signature');
    expectEqual(header(request, 'webhook-id'), run.task.id, 'webhook-id (sent unsigned too)');
  },
};

export const dispatchRequestCases: ConformanceCase[] = [
  requestShape,
  deliveryHeaders,
  previousStatusAfterTimeout,
  rotatedSignatures,
  unsigned,
];
