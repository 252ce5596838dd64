import { Migration } from '@mikro-orm/migrations';

/**
 * `dispatchr_claim()` refuses a paused queue (spec §4.10): after taking the queue's claim lock it
 * reads the queue's pause flag and returns nothing when it is set. A pause takes the same lock in
 * the transaction that writes the flag (queue-state.repository.ts), so the two are ordered: a claim
 * that held the lock first commits before the pause does (the pause waits for it), and a claim that
 * waited for the pause's lock reads the flag it committed (each statement of this VOLATILE
 * function runs with a fresh snapshot, as migration 0009 explains). So once a pause has answered,
 * no claim takes a task of that queue, whatever flags a scheduler holds in memory.
 *
 * The flag is one primary-key lookup of a row per queue, in the same call: still one round trip.
 * Otherwise the function is 0009's, word for word (its claimable states written out, and why).
 */
const claimFunction = (refusePaused: boolean) => `
create or replace function dispatchr_claim(p_queue text, p_owner text, p_lease_expires_at timestamptz, p_now timestamptz, p_limit int, p_max_concurrent int)
returns setof dispatchr_task language plpgsql volatile as $$
begin
  perform pg_advisory_xact_lock(hashtext('dispatchr.claim.' || p_queue));${
    refusePaused
      ? `
  -- read after the lock: a pause that held it has committed its flag
  if exists (select 1 from dispatchr_queue_state s where s.name = p_queue and s.paused) then
    return;
  end if;`
      : ''
  }
  return query
    update dispatchr_task t set state = 'running', attempt = t.attempt + 1, lease_owner = p_owner,
      lease_expires_at = p_lease_expires_at, attempted_at = p_now,
      first_attempt_at = coalesce(t.first_attempt_at, p_now), updated_at = p_now
    -- = any(array(...)) makes the update a primary-key lookup of exactly the claimed ids; with
    -- "id in (subquery)" the planner cannot size the limit and hash-joins a scan of the table.
    where t.id = any(array(
      select d.id from dispatchr_task d
      where d.queue = p_queue and d.state in ('scheduled','available','retryable') and d.run_at <= p_now
      order by d.run_at, d.id
      -- the free concurrency of the queue, counted across every scheduler, caps the batch
      limit greatest(0, least(p_limit, p_max_concurrent - (select count(*) from dispatchr_task r where r.queue = p_queue and r.state = 'running')))
      for update skip locked))
    returning t.*;
end $$`;

export class PostgresClaimRefusesPausedQueues extends Migration {
  override async up(): Promise<void> {
    this.addSql(claimFunction(true));
  }

  override async down(): Promise<void> {
    this.addSql(claimFunction(false));
  }
}
