/**
 * Guarantee cases (docs/spec.md 8.1, 8.2): the scheduler is killed or stopped while a request is in
 * flight, through the `--kill`, `--stop` and `--start` shell commands, and every task must still be
 * delivered, with the same webhook-id and a higher attempt number. The runner runs these alone and
 * only when the commands are given; each case leaves a scheduler running for the next one.
 */
import { expectEqual, expectTrue } from '../assert.js';
import { runCommand } from '../commands.js';
import type { ConformanceCase, KitContext } from '../kit.js';
import type { KitRequest } from '../target-server.js';
import { createTask } from '../wait.js';
import { header, scripted, segment, sleep, waitFinished } from './dispatch-support.js';

/** Rescue takes up to the lease (6 s) or 5 heartbeats (5 s), plus a scheduler's start-up. */
const DELIVERY_MS = 30_000;

/**
 * Waits until `GET /v1/schedulers` shows no live scheduler (4.3: `alive` turns false after 5
 * silent heartbeat intervals, or at once when a stopped one deregisters). A database that takes
 * one scheduler (SQLite, 8.4) refuses a second start while the old heartbeat still looks alive,
 * so the kit restarts only after that, as a supervisor with a restart delay would.
 */
async function waitNoLiveScheduler(kit: KitContext, timeoutMs = 12_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const res = await kit.api.request('GET', '/v1/schedulers');
    const live = (res.json?.schedulers ?? []).filter((s: any) => s?.alive === true);
    if (res.status === 200 && live.length === 0) return;
    await sleep(250);
  }
  kit.log(`a scheduler still looked alive ${timeoutMs} ms after it was stopped; starting anyway`);
}

function attemptOf(request: KitRequest): number {
  return Number(header(request, 'dispatchr-attempt'));
}

/** The first request, then the redelivery: same webhook-id, a higher attempt number, and the task completes. */
async function expectRedelivered(kit: KitContext, id: string, marker: string, what: string): Promise<any> {
  const [first, again] = await kit.target.waitFor(marker, 2, DELIVERY_MS);
  expectEqual(header(again, 'webhook-id'), header(first, 'webhook-id'), `${what}: webhook-id of the redelivery`);
  expectEqual(header(again, 'webhook-id'), id, `${what}: webhook-id`);
  expectTrue(
    attemptOf(again) > attemptOf(first),
    `${what}: Dispatchr-Attempt of the redelivery is ${header(again, 'dispatchr-attempt')}, not above the first's ${header(first, 'dispatchr-attempt')}`,
  );
  const task = await waitFinished(kit, id, `${what}: the task completes`, DELIVERY_MS);
  expectEqual(task.state, 'completed', `${what}: the final state`);
  return task;
}

const killMidRequest: ConformanceCase = {
  name: '8.1 kill -9 mid-request: the task is rescued, delivered again and no acknowledged task is lost',
  section: '8.1',
  level: 'MUST',
  group: 'guarantees',
  timeoutMs: 60_000,
  async run(kit) {
    const { path, marker } = scripted(kit, 'kill9', 'hang,200');
    const inFlight = await createTask(kit, kit.names.queue, { path, timeout: '4s' });
    await kit.target.waitFor(marker, 1, 5_000);
    // Acknowledged just before the kill: some may be in flight, some not yet claimed.
    const many = segment(kit, 'kill9-many');
    const others = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        createTask(kit, kit.names.queue, { path: `/${many}/r/sleep${i % 2 === 0 ? 200 : 0}?i=${i}` }),
      ),
    );
    await runCommand('kill', kit.commands.kill);
    await waitNoLiveScheduler(kit);
    await runCommand('start', kit.commands.start);
    const task = await expectRedelivered(kit, inFlight.id, marker, 'after kill -9');
    expectTrue(
      task.attempts.some((a: any) => a.outcome === 'lease-expired'),
      `after kill -9: the killed attempt is recorded as lease-expired; got ${JSON.stringify(task.attempts.map((a: any) => a.outcome))}`,
    );
    for (const other of others) {
      const done = await waitFinished(kit, other.id, 'a task acknowledged before the kill', DELIVERY_MS);
      expectEqual(done.state, 'completed', `task ${other.id} acknowledged with 201 before the kill`);
    }
  },
};

const stopMidRequest: ConformanceCase = {
  name: '8.1 SIGTERM mid-request gives the attempt back and the task is delivered again',
  section: '8.1',
  level: 'MUST',
  group: 'guarantees',
  timeoutMs: 60_000,
  async run(kit) {
    if (!kit.commands.stop) {
      kit.log('no --stop command given: graceful stop not checked');
      return;
    }
    // Its timeout outlasts the 3 s shutdownTimeout, so the stop has to interrupt it.
    const { path, marker } = scripted(kit, 'sigterm', 'hang,200');
    const created = await createTask(kit, kit.names.queue, { path, timeout: '4s' });
    await kit.target.waitFor(marker, 1, 5_000);
    await runCommand('stop', kit.commands.stop);
    await waitNoLiveScheduler(kit);
    await runCommand('start', kit.commands.start);
    const task = await expectRedelivered(kit, created.id, marker, 'after SIGTERM');
    expectEqual(
      task.attempts.map((a: any) => a.outcome),
      ['interrupted', 'completed'],
      'after SIGTERM: the attempts',
    );
    expectEqual(task.attemptsGivenBack, 1, 'after SIGTERM: attemptsGivenBack');
  },
};

export const guaranteeRestartCases: ConformanceCase[] = [killMidRequest, stopMidRequest];
