import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import type { Orm } from './orm.js';
import { SqlParams, type SqlSession } from './sql-session.js';

/**
 * Stored first responses for `Idempotency-Key` creates, replayed for 24 hours, then deleted by the
 * scheduler's retention loop (pruneExpired).
 */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

export interface StoredResponse {
  requestHash: string;
  status: number;
  /** The answer a replay sends: the first answer in the basic view (recorder/idempotency.ts). */
  body: string;
}

export type IdempotencyRepository = ReturnType<typeof createIdempotencyRepository>;

export function createIdempotencyRepository(db: Orm, clock: Clock = systemClock) {
  const params = () => new SqlParams(db.driver.placeholder);
  return {
    async find(scope: string, key: string): Promise<StoredResponse | null> {
      const p = params();
      const rows = await db.sql.query<{ request_hash: string; status: number; response: string }>(
        `select request_hash, status, response from dispatchr_idempotency_key where scope = ${p.add(scope)} and key = ${p.add(key)} and expires_at > ${p.add(clock.now())}`,
        p.values,
      );
      const row = rows[0];
      return row ? { requestHash: row.request_hash, status: Number(row.status), body: row.response } : null;
    },

    /**
     * First writer wins; a concurrent duplicate keeps the stored response (answers false). Pass the
     * transaction of the create so the record commits with the tasks or not at all.
     */
    async save(scope: string, key: string, response: StoredResponse, session: SqlSession = db.sql): Promise<boolean> {
      const now = clock.now();
      const p = params();
      await session.execute(
        `delete from dispatchr_idempotency_key where scope = ${p.add(scope)} and key = ${p.add(key)} and expires_at <= ${p.add(now)}`,
        p.values,
      );
      const q = params();
      const changed = await session.execute(
        `insert into dispatchr_idempotency_key (scope, key, request_hash, status, response, created_at, expires_at) values (${q.add(scope)}, ${q.add(key)}, ${q.add(response.requestHash)}, ${q.add(response.status)}, ${q.add(response.body)}, ${q.add(now)}, ${q.add(new Date(now.getTime() + IDEMPOTENCY_TTL_MS))}) on conflict do nothing`,
        q.values,
      );
      return changed > 0;
    },

    /**
     * Deletes up to `limit` records whose window had passed at `now` (one statement, through the
     * expires_at index): retention calls it in batches, so no delete holds locks for long.
     */
    async pruneExpired(now: Date, limit = 1000): Promise<number> {
      const p = params();
      return db.sql.execute(
        `delete from dispatchr_idempotency_key where (scope, key) in (select scope, key from dispatchr_idempotency_key where expires_at <= ${p.add(now)} limit ${p.add(limit)})`,
        p.values,
      );
    },
  };
}
