import { expect } from 'vitest';
import { parseConfig } from '../../../../src/config/load.js';
import {
  createDispatchRepository,
  type DispatchRepository,
  type Settlement,
} from '../../../../src/db/dispatch.repository.js';
import { createTaskRepository } from '../../../../src/db/task.repository.js';
import { silentLogger } from '../../../../src/logger.js';
import { decideOutcome } from '../../../../src/scheduler/outcome.js';
import { createRescuer } from '../../../../src/scheduler/rescuer.js';
import { resolveRetryPolicies } from '../../../../src/strategies/load-plugins.js';
import type { TaskRecord } from '../../../../src/task.js';
import type { DispatchResult } from '../../../../src/workers/protocol.js';
import { createTestDatabase, type DriverName } from '../../databases.js';
import { newTask } from '../../new-task.js';
import { printFigures } from '../fault-env.js';

/**
 * Completion racing the rescuer, deterministically. Each repetition leases 1-3 tasks to a scheduler
 * that is gone (lease expired, no heartbeat), then runs one rescue pass whose write is held at the
 * point between its SELECT and its UPDATE (the `before-rescue-settle` failpoint's place), and lets
 * the owner's completion land in one of four ways:
 *
 * - between: the completion commits while the rescuer holds its stale candidates;
 * - partial: half of the batch completes between, the rest does not;
 * - rescue-first: the rescue commits, then the late completion arrives;
 * - concurrent: both statements are released together.
 *
 * The compare-and-set must make exactly one writer win per task, and a completed task is never
 * overwritten: `overwritten` counts completions that won but did not stick.
 */
export interface RescuerRaceResult {
  driver: DriverName;
  repetitions: number;
  tasks: number;
  byMode: Record<string, number>;
  completionsWon: number;
  rescuesWon: number;
  bothWon: number;
  neitherWon: number;
  overwritten: number;
  completedAfterRescuePass: number;
}

type Mode = 'between' | 'partial' | 'rescue-first' | 'concurrent';
const MODES: Mode[] = ['between', 'partial', 'rescue-first', 'concurrent'];
const OWNER = 'gone-scheduler';

export async function runRescuerRace(driver: DriverName, repetitions: number): Promise<RescuerRaceResult> {
  const testDb = await createTestDatabase(driver);
  try {
    const db = await testDb.openMigrated();
    const config = parseConfig({
      database: { url: testDb.url },
      scheduler: { leaseDuration: '10s' },
      queues: {
        race: {
          target: 'http://127.0.0.1:9/x',
          allowPrivateNetwork: true,
          timeout: '2s',
          retry: { strategy: 'fixed', options: { delay: '1h' }, maxAttempts: 5 },
        },
      },
    });
    const policies = await resolveRetryPolicies(config);
    const repository = createDispatchRepository(db);
    // Tasks are written as if 30 s ago, so their lease (1 s from a claim then) is long expired.
    let past = new Date();
    const tasks = createTaskRepository(db, { now: () => past });
    let between: () => Promise<void> = async () => undefined;
    const gated: DispatchRepository = {
      ...repository,
      async settle(settlements, now) {
        await between();
        return repository.settle(settlements, now);
      },
    };
    const rescuer = createRescuer({
      config,
      policies,
      repository: gated,
      clock: { now: () => new Date() },
      random: Math.random,
      logger: silentLogger,
      deadAfterMs: 60_000,
    });
    const completion = (task: TaskRecord): Settlement =>
      decideOutcome(task, okResult(task), {
        queue: config.queues.race,
        policy: policies.get('race')!,
        owner: OWNER,
        now: new Date(),
        random: Math.random,
      }).settlement;

    const result: RescuerRaceResult = {
      driver,
      repetitions,
      tasks: 0,
      byMode: {},
      completionsWon: 0,
      rescuesWon: 0,
      bothWon: 0,
      neitherWon: 0,
      overwritten: 0,
      completedAfterRescuePass: 0,
    };

    for (let rep = 0; rep < repetitions; rep++) {
      const mode = MODES[rep % MODES.length];
      result.byMode[mode] = (result.byMode[mode] ?? 0) + 1;
      const size = 1 + (rep % 3);
      past = new Date(Date.now() - 30_000);
      const inserted = await tasks.insertTasks(
        Array.from({ length: size }, (_, i) => newTask('race', { path: `/r/${rep}/${i}`, runAt: past })),
      );
      // Leased 30 s ago with a 1 s lease by a scheduler that never heartbeats: rescuable on both counts.
      const claimed = await repository.claim({
        queue: 'race',
        limit: size,
        owner: OWNER,
        now: past,
        leaseMs: 1_000,
        maxConcurrent: 1_000,
      });
      expect(claimed.map((t) => t.id).sort()).toEqual(inserted.map((r) => r.task.id).sort());
      result.tasks += claimed.length;
      const completing = mode === 'partial' ? claimed.slice(0, Math.ceil(claimed.length / 2)) : claimed;
      let completed = new Set<string>();

      if (mode === 'between' || mode === 'partial') {
        between = async () => {
          completed = await repository.settle(completing.map(completion), new Date());
        };
        const rescue = await rescuer.runOnce();
        between = async () => undefined;
        tally(result, claimed, completed, rescue.rescued, mode === 'partial' ? claimed.length - completing.length : 0);
      } else if (mode === 'rescue-first') {
        const rescue = await rescuer.runOnce();
        completed = await repository.settle(completing.map(completion), new Date());
        tally(result, claimed, completed, rescue.rescued, null);
      } else {
        let release!: () => void;
        const gate = new Promise<void>((resolve) => (release = resolve));
        between = () => gate;
        const rescuing = rescuer.runOnce();
        const completing$ = (async () => {
          await gate;
          return repository.settle(completing.map(completion), new Date());
        })();
        await new Promise((resolve) => setImmediate(resolve));
        release();
        const [rescue, won] = await Promise.all([rescuing, completing$]);
        between = async () => undefined;
        completed = won;
        tally(result, claimed, completed, rescue.rescued, null);
      }

      // The truth afterwards: a completion that won must still be there, also after another pass.
      await rescuer.runOnce();
      for (const task of claimed) {
        const row = (await tasks.findTask(task.id))!;
        if (completed.has(task.id) && row.state !== 'completed') result.overwritten += 1;
        if (row.state === 'completed') result.completedAfterRescuePass += 1;
        const attempts = await tasks.findAttempts(task.id);
        if (attempts.length !== 1) result.bothWon += attempts.length > 1 ? 1 : 0;
        if (attempts.length === 0) result.neitherWon += 1;
      }
    }
    printFigures(`completion racing the rescuer (${driver})`, {
      repetitions,
      tasks: result.tasks,
      'by mode': result.byMode,
      'completions won': result.completionsWon,
      'rescues won': result.rescuesWon,
      'both won': result.bothWon,
      'neither won': result.neitherWon,
      'completed tasks overwritten': result.overwritten,
    });
    return result;
  } finally {
    await testDb.cleanup();
  }
}

function tally(
  result: RescuerRaceResult,
  claimed: TaskRecord[],
  completed: Set<string>,
  rescued: number,
  expectRescued: number | null,
): void {
  result.completionsWon += completed.size;
  result.rescuesWon += rescued;
  if (expectRescued !== null) expect(rescued).toBe(expectRescued);
  expect(completed.size + rescued).toBe(claimed.length);
}

function okResult(task: TaskRecord): DispatchResult {
  const now = Date.now();
  return {
    taskId: task.id,
    attempt: task.attempt,
    status: 200,
    retryAfterMs: null,
    durationMs: 5,
    startedAtMs: now,
    finishedAtMs: now,
    errorKind: null,
    error: null,
    responseExcerpt: 'ok',
  };
}

export function assertRescuerRace(result: RescuerRaceResult): void {
  expect(result.overwritten).toBe(0);
  expect(result.bothWon).toBe(0);
  expect(result.neitherWon).toBe(0);
  expect(result.completionsWon + result.rescuesWon).toBe(result.tasks);
  expect(result.completedAfterRescuePass).toBe(result.completionsWon);
  // Every interleaving was exercised, and both sides won some races.
  expect(Object.keys(result.byMode).sort()).toEqual([...MODES].sort());
  expect(result.completionsWon).toBeGreaterThan(0);
  expect(result.rescuesWon).toBeGreaterThan(0);
}
