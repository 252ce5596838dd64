import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Orm } from '../../../src/db/orm.js';
import { createTaskRepository } from '../../../src/db/task.repository.js';
import { createTestDatabase, type TestDatabase } from '../../support/databases.js';
import { newTask } from '../../support/new-task.js';
import { postgresAvailable } from '../../support/postgres.js';

/**
 * A replace or debounce create that meets a holder it may not change (running, say) answers `kept`
 * without locking it: ON CONFLICT DO UPDATE would lock the row even when its WHERE refuses the
 * change, and the holder's settle or cancel would then wait for the create's transaction. Checked
 * from inside that transaction (onInserted) with a second connection's FOR UPDATE NOWAIT.
 */
describe.runIf(postgresAvailable())('a key holder that may not change stays unlocked (postgresql)', () => {
  let database: TestDatabase;
  let db: Orm;

  beforeAll(async () => {
    database = await createTestDatabase('postgresql');
    db = await database.openMigrated();
  });

  afterAll(async () => {
    await database?.cleanup();
  });

  it.each(['replace', 'debounce'] as const)(
    '%s meets a running holder: kept, and the row is not locked',
    async (keyMode) => {
      const tasks = createTaskRepository(db);
      const key = `running-${keyMode}`;
      const [{ task: holder }] = await tasks.insertTasks([newTask('locks', { key })]);
      await db.sql.execute(
        `update dispatchr_task set state = 'running', attempt = 1, first_attempt_at = now(), attempted_at = now(),
        lease_owner = 'someone', lease_expires_at = now() + interval '1 hour' where id = $1`,
        [holder.id],
      );
      let lockable: boolean | undefined;
      const [answer] = await tasks.insertTasks([newTask('locks', { key, keyMode })], {
        onInserted: async () => {
          lockable = await db.sql
            .transaction(async (other) => {
              await other.query(`select id from dispatchr_task where id = $1 for update nowait`, [holder.id]);
              return true;
            })
            .catch(() => false);
        },
      });
      expect(answer).toMatchObject({ deduplicated: 'kept', task: { id: holder.id, state: 'running' } });
      expect(lockable).toBe(true);
    },
  );
});
