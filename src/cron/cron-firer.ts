import type { Clock } from '../clock.js';
import type { CronRepository } from '../db/cron.repository.js';
import type { CronEntryRecord } from '../db/cron-entry-row.js';
import { signalDue } from '../db/due-signal.js';
import type { SqlSession } from '../db/sql-session.js';
import { toTaskInsertRow } from '../db/task-insert-row.js';
import { canonicalJsonText } from '../rules/json-canonical.js';
import { uuidv7 } from '../ids.js';
import type { Logger } from '../logger.js';
import { UNFINISHED_STATES } from '../task.js';
import { parseStoredDefinition, type CronDefinition } from './cron-definition.js';
import { parseCronSchedule, type CronSchedule } from './cron-schedule.js';
import { planFires } from './fire-plan.js';

/** Entries fired per transaction: each is held (row lock) until it commits. */
const ENTRIES_PER_TRANSACTION = 20;

/** What one entry's fire did, for metrics and logs. */
export interface CronFireCounts {
  entry: string;
  source: 'config' | 'api';
  queue: string;
  fired: number;
  caughtUp: number;
  missed: number;
  skipped: number;
}

export interface CronFirerDeps {
  cron: CronRepository;
  clock: Clock;
  logger: Logger;
  /**
   * The queues this scheduler's config has: it fires only their entries. An entry of a queue no
   * config has stays due (and its fire times are caught up by its policy once one does), rather
   * than be fired into a queue nobody serves or be advanced by a scheduler that cannot fire it.
   */
  queues: readonly string[];
  /** Hears each entry's counts after its transaction commits. */
  onFired?(counts: CronFireCounts): void;
  /** Test hook: runs inside the fire's transaction after the tasks are written, before the commit. */
  beforeCommit?(entry: string): Promise<void>;
}

export type CronFirer = ReturnType<typeof createCronFirer>;

/**
 * Fires due entries (docs/spec.md, "Cron: exactly one task per fire time"). Each fire time's task
 * is created in the transaction that moves the entry's next_fire_at on by compare-and-set, and
 * beside a unique (entry, fire time) record: a scheduler killed mid-fire commits all of it or
 * none, and however many schedulers, restarts or skewed clocks there are, a fire time has at most
 * one task. Entries are shared with no leader: each transaction holds the entries it fires, and
 * other schedulers step over them (PostgreSQL's SKIP LOCKED).
 */
export function createCronFirer(deps: CronFirerDeps) {
  const { cron, clock, logger } = deps;

  async function fireEntry(tx: SqlSession, entry: CronEntryRecord, now: Date): Promise<CronFireCounts> {
    const counts: CronFireCounts = {
      entry: entry.name,
      source: entry.source,
      queue: entry.queue,
      fired: 0,
      caughtUp: 0,
      missed: 0,
      skipped: 0,
    };
    const expected = entry.nextFireAt!;
    const readable = readDefinition(entry);
    if (!readable.ok) {
      // Stored definitions were checked when written; a library upgrade (or a hand edit) could
      // still make one unreadable. The entry stops (next_fire_at null) rather than fail every
      // round, and says why; writing its definition again (config or PUT) restarts it.
      logger.error({ cron: entry.name, reason: readable.reason }, 'cron entry can no longer be read; it stops firing');
      await cron.advance(tx, entry.name, expected, { nextFireAt: null, lastFireAt: null, lastTaskId: null }, now);
      return counts;
    }
    const { definition, schedule } = readable;
    const plan = planFires(schedule, expected, now, definition.catchUp);
    counts.caughtUp = plan.caughtUp;
    counts.missed = plan.missed;
    let lastTaskId = entry.lastTaskId;
    let lastFireAt: Date | null = null;
    for (const fireAt of plan.fire) {
      lastFireAt = fireAt;
      if (definition.overlap === 'skip' && (await unfinished(tx, lastTaskId))) {
        if (
          await cron.recordFire(
            tx,
            { entry: entry.name, kind: 'scheduled', fireAt, outcome: 'skipped', taskId: null },
            now,
          )
        )
          counts.skipped++;
        continue;
      }
      const taskId = uuidv7(now.getTime());
      const fire = { entry: entry.name, kind: 'scheduled' as const, fireAt, outcome: 'fired' as const, taskId };
      // The record first: when it exists, that fire time has its task already.
      if (!(await cron.recordFire(tx, fire, now))) continue;
      await cron.insertTask(tx, cronTaskRow(definition, taskId, now), entry.name, fireAt);
      lastTaskId = taskId;
      counts.fired++;
    }
    const change = { nextFireAt: plan.next, lastFireAt, lastTaskId: counts.fired > 0 ? lastTaskId : null };
    if (!(await cron.advance(tx, entry.name, expected, change, now))) {
      // Held by this transaction, so only a writer outside the rules moved it: undo this fire.
      throw new Error(`cron entry ${entry.name}: next_fire_at moved during its fire`);
    }
    await deps.beforeCommit?.(entry.name);
    return counts;
  }

  async function unfinished(tx: SqlSession, taskId: string | null): Promise<boolean> {
    if (taskId === null) return false;
    const state = (await cron.taskStates([taskId], tx)).get(taskId);
    return state !== undefined && (UNFINISHED_STATES as readonly string[]).includes(state);
  }

  /**
   * One entry's fire under a savepoint: a failure (a bug, a constraint) undoes that entry's fire
   * alone, and the others in the transaction still commit.
   */
  async function fireUnderSavepoint(
    tx: SqlSession,
    entry: CronEntryRecord,
    now: Date,
  ): Promise<CronFireCounts | Error> {
    await tx.execute('savepoint dispatchr_cron_fire');
    try {
      const counts = await fireEntry(tx, entry, now);
      await tx.execute('release savepoint dispatchr_cron_fire');
      return counts;
    } catch (error) {
      await tx.execute('rollback to savepoint dispatchr_cron_fire');
      await tx.execute('release savepoint dispatchr_cron_fire');
      return error instanceof Error ? error : new Error(String(error));
    }
  }

  return {
    /**
     * Fires every entry due now; answers the counts of each entry fired. When an entry's fire
     * failed, the others are committed first and then this throws, so the loop retries after its
     * backoff instead of at once (the failed entry is still due).
     */
    async runOnce(): Promise<CronFireCounts[]> {
      const all: CronFireCounts[] = [];
      const failed = new Map<string, Error>();
      for (;;) {
        const now = clock.now();
        const batch = await cron.transaction(async (tx) => {
          const due = await cron.lockDue(tx, now, ENTRIES_PER_TRANSACTION, deps.queues);
          const counts: CronFireCounts[] = [];
          for (const entry of due) {
            if (failed.has(entry.name)) continue;
            const result = await fireUnderSavepoint(tx, entry, now);
            if (result instanceof Error) failed.set(entry.name, result);
            else counts.push(result);
          }
          return { size: due.length, counts };
        });
        for (const counts of batch.counts) {
          deps.onFired?.(counts);
          if (counts.fired + counts.missed + counts.skipped > 0) logger.debug(counts, 'cron entry fired');
          if (counts.missed > 0)
            logger.warn(
              { cron: counts.entry, missed: counts.missed },
              'cron fire times were missed (no scheduler ran)',
            );
        }
        // This process's producers hear of the new tasks at once (other processes: the database's wake-ups).
        signalDue(batch.counts.filter((c) => c.fired > 0).map((c) => c.queue));
        all.push(...batch.counts);
        if (batch.size < ENTRIES_PER_TRANSACTION || batch.counts.length === 0) break;
      }
      if (failed.size > 0) {
        for (const [entry, error] of failed)
          logger.error({ cron: entry, err: error.message }, 'cron entry failed to fire');
        throw new Error(`cron entries failed to fire: ${[...failed.keys()].join(', ')}`);
      }
      return all;
    },
  };
}

type ReadDefinition = { ok: true; definition: CronDefinition; schedule: CronSchedule } | { ok: false; reason: string };

/** A stored definition and its schedule, or why they cannot be read. */
function readDefinition(entry: CronEntryRecord): ReadDefinition {
  let definition: CronDefinition;
  try {
    definition = parseStoredDefinition(entry.definition);
  } catch (error) {
    return { ok: false, reason: `the stored definition is not JSON: ${(error as Error).message}` };
  }
  const parsed = parseCronSchedule(definition.schedule, definition.timezone);
  return parsed.ok ? { ok: true, definition, schedule: parsed.schedule } : { ok: false, reason: parsed.message };
}

/** A fire's task: the definition's request, due now (a late fire is not postponed further). */
export function cronTaskRow(definition: CronDefinition, id: string, now: Date) {
  // Sent as its RFC 8785 text (docs/spec.md 5.2), whatever spacing an older definition was stored with.
  const bodyText = definition.bodyJson === null ? null : canonicalJsonText(JSON.parse(definition.bodyJson));
  return toTaskInsertRow(
    {
      queue: definition.queue,
      path: definition.path,
      method: definition.method,
      headers: definition.headers,
      body: bodyText === null ? null : Buffer.from(bodyText, 'utf8'),
      ...(bodyText === null ? {} : { bodyText }),
      contentType: definition.bodyJson === null ? null : 'application/json',
      runAt: now,
      maxAttempts: definition.maxAttempts,
      timeoutMs: definition.timeoutMs,
      key: null,
      traceparent: null,
    },
    now,
    id,
  );
}
