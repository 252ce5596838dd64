import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatchPool, type DispatchPool } from '../../../src/workers/pool.js';
import type { DispatchRequest } from '../../../src/workers/protocol.js';
import { startTargetServer, waitFor, type TargetServer } from '../../support/target-server.js';

/**
 * The pool's cut of one attempt (spec 11.6), in both of its modes: the attempt of a cancelled task
 * resolves as 'aborted' and its target sees the socket close unanswered, while the other requests
 * of its batch run to their answers; a cut naming another attempt number of the task is ignored.
 */
let target: TargetServer;
const closed = new Map<string, boolean>();

beforeAll(async () => {
  target = await startTargetServer({
    '/hold': (req, res) => {
      const id = String(req.headers['webhook-id']);
      res.on('close', () => closed.set(id, res.writableFinished));
      const timer = setTimeout(() => res.writeHead(200).end('answered'), 1_500);
      res.on('close', () => clearTimeout(timer));
    },
  });
});
afterAll(async () => target?.close());

let seq = 0;
function request(attempt = 1): DispatchRequest {
  seq += 1;
  return {
    taskId: `01900000-0000-7000-8000-${String(seq).padStart(12, '0')}`,
    queue: 'q',
    attempt,
    url: `${target.url}/hold`,
    method: 'POST',
    headers: {},
    body: null,
    contentType: null,
    timeoutMs: 10_000,
    allowPrivateNetwork: true,
    signingSecrets: [],
    scheduledAt: new Date().toISOString(),
    previousStatus: null,
    traceparent: null,
    cron: null,
    cronFireAt: null,
  };
}

describe.each([
  { name: 'piscina, 1 thread', threads: 1 },
  { name: 'main thread', threads: 0 },
])('cancel one attempt in the dispatch pool ($name)', ({ threads }) => {
  let pool: DispatchPool;
  beforeAll(() => {
    pool = createDispatchPool({ threads });
  });
  afterAll(async () => pool.destroy());

  it('cuts only the named attempt; the rest of its batch is answered', async () => {
    const [keep, cut, other] = [request(), request(2), request()];
    const pending = pool.dispatch([keep, cut, other]);
    const arrived = (r: DispatchRequest) => target.received.some((x) => x.headers['webhook-id'] === r.taskId);
    await waitFor(async () => [keep, cut, other].every(arrived), 10_000, 'the three requests to arrive');
    pool.cancel(cut.taskId, 1); // another attempt of the task: nothing
    pool.cancel(cut.taskId, 2);
    await waitFor(async () => closed.has(cut.taskId), 10_000, 'the cut request to close');
    const results = await pending;
    expect(results.map((r) => [r.taskId, r.status, r.errorKind])).toEqual([
      [keep.taskId, 200, null],
      [cut.taskId, null, 'aborted'],
      [other.taskId, 200, null],
    ]);
    expect(closed.get(cut.taskId)).toBe(false);
    expect(closed.get(keep.taskId)).toBe(true);
  });
});
