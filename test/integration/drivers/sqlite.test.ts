import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRetryBatch } from '../../../src/db/drivers/sqlite/task-retry.sql.js';
import { buildCountQuery, buildListQuery } from '../../../src/db/drivers/sqlite/task-search.sql.js';
import type { Orm } from '../../../src/db/orm.js';
import type { TaskFilter } from '../../../src/db/task-filter.sql.js';
import { QUEUE_STATE_COUNTS } from '../../../src/db/task.repository.js';
import { createTestDatabase, drivers, type TestDatabase } from '../../support/databases.js';
import { seedPlannerTable } from '../../support/storage-fixtures.js';

/** A plan step that reads every task: the table, the primary key or the index by queue alone. */
const WALKS_EVERY_TASK =
  /^SCAN dispatchr_task( USING (COVERING )?INDEX (sqlite_autoindex_dispatchr_task_1|dispatchr_task_queue_idx))?$|autoindex_dispatchr_task_1 \(id<\?\)/m;

describe.runIf(drivers().includes('sqlite'))('the sqlite driver', () => {
  let testDb: TestDatabase;
  let db: Orm;

  beforeAll(async () => {
    testDb = await createTestDatabase('sqlite');
    db = await testDb.openMigrated();
  });
  afterAll(async () => testDb.cleanup());

  it('answers every task search and the queue counts through an index, running tasks through their own', async () => {
    await seedPlannerTable(db);
    const plan = async (query: { text: string; values: unknown[] }) =>
      (await db.sql.query<{ detail: string }>(`explain query plan ${query.text}`, query.values))
        .map((row) => row.detail)
        .join('\n');
    // The indexes by state leave running rows out (migration 0007): SQLite uses a partial index
    // only when the query repeats its WHERE term, and a search naming running reads it by name.
    const shapes: [TaskFilter, RegExp][] = [
      [{ queue: 'explain', state: 'available' }, /USING (COVERING )?INDEX dispatchr_task_queue_state_idx/],
      [{ state: 'failed' }, /USING (COVERING )?INDEX dispatchr_task_state_idx/],
      [{ state: 'running' }, /USING (COVERING )?INDEX dispatchr_task_running_idx/],
      [{ states: ['running', 'failed'] }, /dispatchr_task_state_idx[\s\S]*dispatchr_task_running_idx/],
      [
        { queue: 'explain', states: ['running', 'completed'] },
        /dispatchr_task_queue_state_idx[\s\S]*dispatchr_task_running_idx/,
      ],
      [{ queue: 'explain' }, /USING (COVERING )?INDEX dispatchr_task_queue_idx/],
    ];
    for (const [filter, index] of shapes) {
      for (const query of [
        buildListQuery({ ...filter, limit: 51, beforeId: 'ffffffff-ffff-7fff-bfff-ffffffffffff' }),
        buildCountQuery(filter),
      ]) {
        const text = await plan(query);
        expect(text, JSON.stringify(filter)).toMatch(index);
        expect(text, JSON.stringify(filter)).not.toMatch(WALKS_EVERY_TASK);
      }
      const retry = buildRetryBatch({ filter, limit: 100, now: new Date() });
      if (retry) {
        const text = await plan(retry);
        expect(text, JSON.stringify(filter)).not.toMatch(/^SCAN /m); // every step a search
        expect(text, JSON.stringify(filter)).toMatch(
          /SEARCH n USING (COVERING )?INDEX dispatchr_task_retry_dedup_idx \(queue=\? AND dedup_key=\? AND id>\?\)/,
        );
      }
    }
    // The queue counts: each half a scan of an index that holds only its rows, never of the table.
    const counts = await plan({ text: QUEUE_STATE_COUNTS, values: [] });
    expect(counts).toMatch(
      /SCAN dispatchr_task USING COVERING INDEX dispatchr_task_queue_state_idx[\s\S]*SCAN dispatchr_task USING COVERING INDEX dispatchr_task_running_idx/,
    );
    expect(counts).not.toMatch(WALKS_EVERY_TASK);
  });
});
