/**
 * Dispatch cases on timeouts and leases (docs/spec.md 5.4, 8.1). A request is cut at its timeout,
 * and is sent only while its lease still covers that whole timeout plus a 1 s margin. From outside,
 * the lease's start is visible as the running attempt's `startedAt` (4.8: the claim), and the
 * send as the request's arrival at the kit's target.
 */
import { expectEqual, expectStatus, expectTrue, KitFailure } from '../assert.js';
import type { ConformanceCase, KitContext } from '../kit.js';
import { getTask, KIT_LEASE_MS, runScripted, segment, SLACK_MS, sleep, waitUnthrottled } from './dispatch-support.js';

const timeoutCut: ConformanceCase = {
  name: "5.4 a request is cut at the task's timeout",
  section: '5.4',
  level: 'MUST',
  group: 'dispatch',
  // A timeout slows the whole queue down (spec 6): alone, it slows no other case.
  serial: true,
  async run(kit) {
    const run = await runScripted(kit, kit.names.queue, 'cut', 'hang', { timeout: '1s', maxAttempts: 1 });
    expectEqual(run.task.state, 'failed', 'a task whose only attempt got no answer');
    expectEqual(run.task.lastStatus, null, 'lastStatus after a timeout');
    const duration = run.task.attempts?.[0]?.durationMs;
    expectTrue(
      typeof duration === 'number' && duration >= 1_000 - SLACK_MS && duration <= 1_000 + 1_500,
      `the attempt's durationMs: expected about the task's 1 s timeout, got ${duration}`,
    );
  },
};

/** More requests at once than the implementation may have connections for (Dispatchr: 64 per thread). */
const BURST = 90;
/** The longest timeout a task may have with the printed 6 s lease (4.4: at least 2 s shorter). */
const LONGEST_TIMEOUT = '4s';
const LONGEST_TIMEOUT_MS = 4_000;
/** The margin of 5.4. */
const MARGIN_MS = 1_000;
/** The target answers each after this: no timeout, so the queue is not slowed (spec 6). */
const ANSWER_MS = 3_000;
/**
 * Clock and polling slack on the claim-to-arrival bound: the kit's own event loop is busy polling
 * the burst. A request that waited for a connection it should not have used arrives about ANSWER_MS
 * after its claim, far beyond the bound and this slack.
 */
const LEASE_SLACK_MS = 600;

/**
 * Sends a burst of slow requests with the longest timeout, whose lease covers that timeout and
 * the margin only during the first second after the claim. An implementation MAY bound its
 * connections per origin (Dispatchr keeps 64 per worker thread), so some of the burst may wait for
 * a connection: those must then not be sent (5.4: recorded `interrupted` and sent later). Every
 * request must arrive within that first second of its attempt's claim, which the case reads from
 * the running attempt's `startedAt` (4.8) while it polls.
 */
const leaseCoversTimeout: ConformanceCase = {
  name: '5.4 a request is sent only while its lease covers its whole timeout and the margin',
  section: '5.4',
  level: 'MUST',
  group: 'dispatch',
  serial: true,
  timeoutMs: 45_000,
  async run(kit) {
    // The burst must be claimed at once: not while an earlier case's 503s slow the queue.
    await waitUnthrottled(kit, kit.names.queue);
    const prefix = `/${segment(kit, 'lease')}/`;
    // One batch (4.7): all due in the same instant, so they are claimed together.
    const res = await kit.api.request('POST', `/v1/queues/${kit.names.queue}/tasks/batch`, {
      token: kit.tokens.enqueue,
      body: {
        tasks: Array.from({ length: BURST }, (_, i) => ({
          path: `${prefix}r/sleep${ANSWER_MS}?i=${i}`,
          timeout: LONGEST_TIMEOUT,
        })),
      },
    });
    expectStatus(res, 201, `creating a batch of ${BURST} tasks`);
    const claims = await watchClaims(kit, prefix, BURST);
    const allowedMs = KIT_LEASE_MS - LONGEST_TIMEOUT_MS - MARGIN_MS + LEASE_SLACK_MS;
    const requests = kit.target.received(prefix);
    expectTrue(requests.length >= BURST, `expected at least ${BURST} requests at the target, got ${requests.length}`);
    for (const request of requests) {
      const id = request.headers['webhook-id'];
      const attempt = request.headers['dispatchr-attempt'];
      const claimedAt = claims.get(`${id} ${attempt}`);
      if (claimedAt === undefined) continue; // claimed and sent between two looks: within the bound
      const late = request.at - claimedAt;
      expectTrue(
        late <= allowedMs,
        `task ${id} attempt ${attempt} was sent ${late} ms after its claim, when its ${KIT_LEASE_MS} ms lease no longer covered its ${LONGEST_TIMEOUT_MS} ms timeout and the ${MARGIN_MS} ms margin`,
      );
    }
  },
};

/**
 * Until `count` tasks under `prefix` have completed, lists the running ones and reads the claim
 * time (`startedAt` of the attempt in flight) of each attempt not seen yet. Keyed `<id> <number>`.
 */
async function watchClaims(kit: KitContext, prefix: string, count: number): Promise<Map<string, number>> {
  const claims = new Map<string, number>();
  const list = (state: string) =>
    kit.api.request(
      'GET',
      `/v1/tasks?queue=${kit.names.queue}&state=${state}&path=${encodeURIComponent(prefix)}&limit=1000`,
    );
  const deadline = Date.now() + 35_000;
  while (Date.now() < deadline) {
    const running = (await list('running')).json?.tasks ?? [];
    const fresh = running.filter((t: any) => !claims.has(`${t.id} ${t.attempt}`));
    await Promise.all(
      fresh.map(async (t: any) => {
        const task = await getTask(kit, t.id);
        const current = task.attempts?.find((a: any) => a.number === task.attempt && a.finishedAt === null);
        if (task.state === 'running' && current)
          claims.set(`${task.id} ${current.number}`, Date.parse(current.startedAt));
      }),
    );
    const finished = (await list('completed,failed,cancelled')).json?.tasks ?? [];
    if (finished.length >= count) {
      const failed = finished.filter((t: any) => t.state !== 'completed');
      expectEqual(failed.length, 0, 'tasks of the burst that did not complete');
      return claims;
    }
    await sleep(100);
  }
  throw new KitFailure(`the burst of ${count} tasks did not finish within 35 s`);
}

export const dispatchLeaseCases: ConformanceCase[] = [leaseCoversTimeout, timeoutCut];
