/**
 * Dispatch cases on what stops or starts a request (docs/spec.md 4.9, 4.10, 5.1, 11.6): the
 * private-network guard, pause and resume, `run`, and cancelling a task while its request is in
 * flight. Only these cases pause `kit-other`, and they run alone (serial), so a paused queue never
 * holds up another case.
 */
import { expectEqual, expectProblem, expectStatus, expectTrue, KitFailure } from '../assert.js';
import type { ConformanceCase, KitContext } from '../kit.js';
import { createTask, waitForTask } from '../wait.js';
import { getTask, scripted, segment, sleep, waitFinished } from './dispatch-support.js';

const privateRefused: ConformanceCase = {
  name: '5.1 a target that resolves to a private address is refused without a request',
  section: '5.1',
  level: 'MUST',
  group: 'dispatch',
  async run(kit) {
    const unique = segment(kit, 'private');
    const created = await createTask(kit, kit.names.privateNet, { path: `/${unique}/x` });
    const task = await waitFinished(kit, created.id, 'the task on the private-network queue finishes');
    expectEqual(task.state, 'failed', 'the task state (refused by the guard: failed at once)');
    expectEqual(task.lastStatus, null, 'the task lastStatus');
    await sleep(500);
    expectEqual(kit.target.received(`/${unique}/`).length, 0, 'requests that reached the target');
  },
};

async function queueAction(kit: KitContext, queue: string, action: 'pause' | 'resume'): Promise<void> {
  const res = await kit.api.request('POST', `/v1/queues/${encodeURIComponent(queue)}/${action}`);
  expectStatus(res, 200, `POST /v1/queues/${queue}/${action}`);
}

const pause: ConformanceCase = {
  name: '4.10 a paused queue sends nothing until it is resumed',
  section: '4.10',
  level: 'MUST',
  group: 'dispatch',
  serial: true,
  async run(kit) {
    const queue = kit.names.other;
    const { path, marker } = scripted(kit, 'paused', '200');
    await queueAction(kit, queue, 'pause');
    let resumed = false;
    try {
      const created = await createTask(kit, queue, { path });
      await sleep(1_500);
      expectEqual(kit.target.received(marker).length, 0, 'requests sent while the queue is paused');
      const waiting = await getTask(kit, created.id);
      expectEqual(waiting.state, 'available', 'the state of a due task in a paused queue');
      await queueAction(kit, queue, 'resume');
      resumed = true;
      await kit.target.waitFor(marker, 1, 5_000);
      const done = await waitFinished(kit, created.id, 'the task completes after resume');
      expectEqual(done.state, 'completed', 'the state after resume');
    } finally {
      if (!resumed) await queueAction(kit, queue, 'resume').catch(() => undefined);
    }
  },
};

const runNow: ConformanceCase = {
  name: '4.9 run sends a scheduled task now',
  section: '4.9',
  level: 'MUST',
  group: 'dispatch',
  async run(kit) {
    const { path, marker } = scripted(kit, 'run', '200');
    const created = await createTask(kit, kit.names.queue, { path, delay: '1h' });
    expectEqual(created.state, 'scheduled', 'the state of a task due in an hour');
    const res = await kit.api.request('POST', `/v1/tasks/${created.id}/run`);
    expectStatus(res, 200, 'POST /v1/tasks/{id}/run');
    await kit.target.waitFor(marker, 1, 5_000);
    const done = await waitFinished(kit, created.id, 'the task completes');
    expectEqual(done.state, 'completed', 'the state after run');
  },
};

/**
 * The request is cut when a retry stops being `409 lease_held` (spec 4.9, 11.6): the holder
 * releases the lease only once its request has ended. The target would answer only after
 * ANSWER_MS, so a retry accepted well before that proves the request was cut, from outside.
 */
const ANSWER_MS = 3_000;

const cancelRunning: ConformanceCase = {
  name: '11.6 cancelling a running task cuts its request, and the task is cancelled',
  section: '11.6',
  level: 'MUST',
  group: 'dispatch',
  timeoutMs: 25_000,
  async run(kit) {
    const { path, marker } = scripted(kit, 'cancel-cut', `sleep${ANSWER_MS},200`);
    const created = await createTask(kit, kit.names.queue, { path, timeout: '4s' });
    await kit.target.waitFor(marker, 1, 5_000);
    const cancelledAt = Date.now();
    const res = await kit.api.request('POST', `/v1/tasks/${created.id}/cancel`);
    expectStatus(res, 200, 'POST /v1/tasks/{id}/cancel of a running task');
    expectEqual(res.json?.state, 'cancelled', 'the state the cancel answers');
    const task = await getTask(kit, created.id);
    expectEqual(task.state, 'cancelled', 'the state after the cancel');
    const last = task.attempts?.[task.attempts.length - 1];
    expectEqual(last?.outcome, 'cancelled', 'the outcome of the attempt in flight');
    expectEqual(last?.status ?? null, null, 'the status of the attempt in flight');

    // A retry is refused (lease_held) until the holder has cut the request and let the lease go.
    let retried = false;
    while (!retried && Date.now() - cancelledAt < ANSWER_MS - 500) {
      const retry = await kit.api.request('POST', `/v1/tasks/${created.id}/retry`);
      if (retry.status === 200) retried = true;
      else {
        expectProblem(retry, 409, 'lease_held');
        await sleep(100);
      }
    }
    if (!retried)
      throw new KitFailure(
        `the request was not cut: a retry was still refused ${ANSWER_MS - 500} ms after the cancel, before the target had even answered`,
      );
    const done = await waitFinished(kit, created.id, 'the retried task completes');
    expectEqual(done.state, 'completed', 'the state after the retry');
    expectTrue(kit.target.received(marker).length === 2, 'the retry sends the task once more');
  },
};

const lateOutcome: ConformanceCase = {
  name: '11.6 an outcome arriving after a cancel changes nothing',
  section: '11.6',
  level: 'MUST',
  group: 'dispatch',
  async run(kit) {
    const { path, marker } = scripted(kit, 'cancel-late', 'sleep1000');
    const created = await createTask(kit, kit.names.queue, { path });
    await kit.target.waitFor(marker, 1, 5_000);
    const res = await kit.api.request('POST', `/v1/tasks/${created.id}/cancel`);
    expectStatus(res, 200, 'POST /v1/tasks/{id}/cancel of a running task');
    const cancelled = await getTask(kit, created.id);
    // Past the target's answer and the queue's retry delay: a late 200 would have completed it.
    await sleep(2_000);
    const later = await waitForTask(kit, created.id, () => true, 'read the task');
    expectEqual(later.state, 'cancelled', 'the state after the answer the target would have sent');
    expectEqual(later.lastStatus, null, 'lastStatus');
    expectEqual(later.finalizedAt, cancelled.finalizedAt, 'finalizedAt');
    expectEqual(
      later.attempts.map((a: any) => a.outcome),
      ['cancelled'],
      'the attempts',
    );
    expectEqual(kit.target.received(marker).length, 1, 'requests that reached the target');
  },
};

export const dispatchControlCases: ConformanceCase[] = [privateRefused, pause, runNow, cancelRunning, lateOutcome];
