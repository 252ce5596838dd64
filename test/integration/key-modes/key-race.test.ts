import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Orm } from '../../../src/db/orm.js';
import { createTaskRepository, type CreateResult, type TaskRepository } from '../../../src/db/task.repository.js';
import { createTestDatabase, drivers, type TestDatabase } from '../../support/databases.js';
import { newTask } from '../../support/new-task.js';
import { startTestRecorder, type TestRecorder } from '../recorder/support.js';

/**
 * Replace under concurrency (docs/spec.md 11.2): many creates with one key leave exactly one task,
 * holding the body of the create that committed last.
 *
 * "Committed last" is observed through what cannot be reordered: a create started after another's
 * answer arrived began after that one committed, so it must commit later and its body must win.
 * Each round starts a first wave of creates, and a second wave as soon as any answer arrives; the
 * winner's answer must have arrived after every create started (a logical clock: one counter
 * stepped at every start and every answer). An implementation that let an earlier commit win (a
 * lost update), made a second task, or answered `kept` for a holder never delivered fails it.
 */
interface Outcome {
  seq: number;
  startedAt: number;
  answeredAt: number;
  id: string;
  /** What the create answered; a header value outside the API's is kept as it came, and fails the round. */
  deduplicated: CreateResult['deduplicated'] | string;
}

/** Runs `create(seq)` for `first` creates, then `second` more once any has answered. */
async function twoWaves(
  first: number,
  second: number,
  create: (seq: number) => Promise<{ id: string; deduplicated: Outcome['deduplicated'] }>,
): Promise<Outcome[]> {
  let tick = 0;
  const run = async (seq: number): Promise<Outcome> => {
    const startedAt = ++tick;
    const { id, deduplicated } = await create(seq);
    return { seq, startedAt, answeredAt: ++tick, id, deduplicated };
  };
  const wave1 = Array.from({ length: first }, (_, i) => run(i));
  await Promise.race(wave1);
  const wave2 = Array.from({ length: second }, (_, i) => run(first + i));
  return Promise.all([...wave1, ...wave2]);
}

/** The round's invariants, given the body the single task ended with. */
function checkRound(outcomes: Outcome[], finalSeq: number, label: string): void {
  expect(new Set(outcomes.map((o) => o.id)).size, label).toBe(1);
  expect(
    outcomes.filter((o) => o.deduplicated === false),
    label,
  ).toHaveLength(1);
  expect(
    outcomes.every((o) => o.deduplicated === false || o.deduplicated === 'replaced'),
    label,
  ).toBe(true);
  const winner = outcomes.find((o) => o.seq === finalSeq)!;
  const startedLater = outcomes.filter((o) => o.startedAt > winner.answeredAt).map((o) => o.seq);
  expect(startedLater, `${label}: creates started after the winner ${finalSeq} had its answer`).toEqual([]);
}

const seqOf = (body: Buffer | null) => (JSON.parse(body!.toString()) as { seq: number }).seq;

describe.each(drivers())('replace under concurrency on %s', (driver) => {
  describe('through the API', () => {
    let recorder: TestRecorder;
    beforeAll(async () => {
      recorder = await startTestRecorder(driver);
    });
    afterAll(async () => recorder.close());

    it('100 simultaneous creates with one key leave one task, with the body of the last to commit', async () => {
      const outcomes = await twoWaves(60, 40, async (seq) => {
        const reply = await recorder.call('POST', '/v1/queues/emails/tasks', {
          body: { key: 'stampede', keyMode: 'replace', body: { seq } },
        });
        expect([200, 201]).toContain(reply.status);
        return {
          id: reply.body.id,
          deduplicated: reply.status === 201 ? false : reply.headers['dispatchr-deduplicated'],
        };
      });
      const rows = await recorder.db.sql.query(`select id from dispatchr_task where dedup_key = 'stampede'`);
      expect(rows).toHaveLength(1);
      const task = await recorder.tasks.findTask(String(rows[0].id));
      checkRound(outcomes, seqOf(task!.body), 'api');
    });
  });

  describe('through the repository', () => {
    let database: TestDatabase;
    let db: Orm;
    let tasks: TaskRepository;
    beforeAll(async () => {
      database = await createTestDatabase(driver);
      db = await database.openMigrated();
      tasks = createTaskRepository(db);
    });
    afterAll(async () => database.cleanup());

    it('500 rounds of 12 concurrent creates each end with the last committed body', async () => {
      for (let round = 0; round < 500; round++) {
        const key = `round-${round}`;
        const written = new Map<number, CreateResult>();
        const outcomes = await twoWaves(8, 4, async (seq) => {
          const body = Buffer.from(JSON.stringify({ seq }));
          const [result] = await tasks.insertTasks([
            newTask('race', { key, keyMode: 'replace', body, contentType: 'application/json' }),
          ]);
          written.set(seq, result);
          return { id: result.task.id, deduplicated: result.deduplicated };
        });
        const final = await tasks.findByKey('race', key);
        const finalSeq = seqOf(final!.body);
        checkRound(outcomes, finalSeq, key);
        // Each create answered the task as its own statement wrote it.
        for (const [seq, result] of written) expect(seqOf(result.task.body), key).toBe(seq);
      }
      const [{ n }] = await db.sql.query<{ n: number | string }>(
        `select count(*) as n from dispatchr_task where queue = 'race'`,
      );
      expect(Number(n)).toBe(500);
    }, 120_000);
  });
});
