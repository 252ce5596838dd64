import type { Clock } from '../clock.js';
import type { CronRepository, CronRun, NewCronEntry } from '../db/cron.repository.js';
import type { CronEntryRecord, CronEntrySource } from '../db/cron-entry-row.js';
import { signalDue } from '../db/due-signal.js';
import { DispatchrError } from '../errors.js';
import { uuidv7 } from '../ids.js';
import type { TaskState } from '../task.js';
import {
  canonicalDefinitionJson,
  definitionHash,
  parseStoredDefinition,
  type CronDefinition,
} from './cron-definition.js';
import { cronTaskRow } from './cron-firer.js';
import { nextFireTimes, parseCronSchedule } from './cron-schedule.js';

/** How an entry stands: it fires (active), or why it does not. */
export type CronEntryStatus = 'active' | 'paused' | 'disabled' | 'orphaned';

/** An entry as the API, the CLI and the dashboard show it. */
export interface CronEntryView {
  name: string;
  source: CronEntrySource;
  status: CronEntryStatus;
  definition: CronDefinition;
  /** The next five fire times while it is active (the first may be past: due, not yet fired). */
  nextFireTimes: Date[];
  lastFireAt: Date | null;
  lastTaskId: string | null;
  /** The state of its last task; null when it has none, or the task was pruned. */
  lastTaskState: TaskState | null;
  createdAt: Date;
  updatedAt: Date;
}

export const NEXT_FIRE_TIMES_SHOWN = 5;

export type CronEntries = ReturnType<typeof createCronEntries>;

/**
 * The cron entries' operations, shared by the scheduler (the config's entries at start), the
 * recorder's /v1/cron routes and the CLI. A name belongs to config or to the API, never both:
 * config entries change only in dispatchr.yml, and can be paused, resumed and triggered.
 */
export function createCronEntries(deps: { cron: CronRepository; clock: Clock }) {
  const { cron, clock } = deps;

  async function view(record: CronEntryRecord, states?: Map<string, TaskState>): Promise<CronEntryView> {
    const definition = parseStoredDefinition(record.definition);
    const status: CronEntryStatus = record.orphaned
      ? 'orphaned'
      : !record.enabled
        ? 'disabled'
        : record.paused
          ? 'paused'
          : 'active';
    let upcoming: Date[] = [];
    const parsed = parseCronSchedule(definition.schedule, definition.timezone);
    if (status === 'active' && record.nextFireAt !== null && parsed.ok)
      upcoming = [record.nextFireAt, ...nextFireTimes(parsed.schedule, record.nextFireAt, NEXT_FIRE_TIMES_SHOWN - 1)];
    const lastStates =
      states ??
      (record.lastTaskId === null ? new Map<string, TaskState>() : await cron.taskStates([record.lastTaskId]));
    return {
      name: record.name,
      source: record.source,
      status,
      definition,
      nextFireTimes: upcoming,
      lastFireAt: record.lastFireAt,
      lastTaskId: record.lastTaskId,
      lastTaskState: record.lastTaskId === null ? null : (lastStates.get(record.lastTaskId) ?? null),
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
    };
  }

  async function existing(name: string): Promise<CronEntryRecord> {
    const record = await cron.get(name);
    if (record === null)
      throw new DispatchrError('cron_entry_not_found', `no cron entry named "${name}"`, { status: 404 });
    return record;
  }

  /** The first fire time after now; null when it never fires. */
  function firstFireAfter(definition: CronDefinition, now: Date): Date | null {
    if (!definition.enabled) return null;
    const parsed = parseCronSchedule(definition.schedule, definition.timezone);
    return parsed.ok ? parsed.schedule.next(now) : null;
  }

  /**
   * A changed definition keeps its pending next fire time when its schedule and zone are the same
   * (a new body must not cost the next run), and so does an orphaned entry that comes back: the
   * fire times it missed meanwhile follow its catchUp. Otherwise it fires from now on.
   */
  function nextAfterChange(old: CronEntryRecord, definition: CronDefinition, now: Date): Date | null {
    let sameTimes = false;
    try {
      const before = parseStoredDefinition(old.definition);
      sameTimes = before.schedule === definition.schedule && before.timezone === definition.timezone;
    } catch {
      // an unreadable stored definition: nothing to keep
    }
    if (sameTimes && definition.enabled && old.enabled && old.nextFireAt !== null) return old.nextFireAt;
    return firstFireAfter(definition, now);
  }

  function stored(name: string, source: CronEntrySource, definition: CronDefinition, next: Date | null): NewCronEntry {
    return {
      name,
      source,
      definition: canonicalDefinitionJson(definition),
      definitionHash: definitionHash(definition),
      queue: definition.queue,
      enabled: definition.enabled,
      nextFireAt: next,
    };
  }

  return {
    view,

    /**
     * At scheduler start: each config entry inserted, or updated when its hash differs (else left
     * alone, its next fire time kept across the restart); config entries absent from this config
     * become orphaned. Schedulers with different configs (a rolling deploy) may update an entry in
     * turn; the fire records keep any fire time from firing twice meanwhile.
     */
    async syncConfig(
      definitions: Readonly<Record<string, CronDefinition>>,
    ): Promise<{ changed: string[]; orphaned: string[] }> {
      const now = clock.now();
      return cron.transaction(async (tx) => {
        const rows = new Map((await cron.list(tx)).map((row) => [row.name, row]));
        const changed: string[] = [];
        const taken: string[] = [];
        for (const [name, definition] of Object.entries(definitions)) {
          const row = rows.get(name);
          if (row === undefined) {
            if (await cron.insert(tx, stored(name, 'config', definition, firstFireAfter(definition, now)), now)) {
              changed.push(name);
              continue;
            }
            // Inserted meanwhile: by another scheduler starting with the same config, or through the API.
            const meanwhile = await cron.get(name, tx);
            if (meanwhile?.source !== 'config') taken.push(name);
            else if (meanwhile.definitionHash !== definitionHash(definition)) {
              await cron.replaceDefinition(
                tx,
                stored(name, 'config', definition, nextAfterChange(meanwhile, definition, now)),
                now,
              );
              changed.push(name);
            }
          } else if (row.source === 'api') taken.push(name);
          else if (
            row.definitionHash !== definitionHash(definition) ||
            row.orphaned ||
            // stopped because it could not be read (cron-firer.ts): writing it again restarts it
            (row.enabled && row.nextFireAt === null)
          ) {
            await cron.replaceDefinition(
              tx,
              stored(name, 'config', definition, nextAfterChange(row, definition, now)),
              now,
            );
            changed.push(name);
          }
        }
        if (taken.length > 0)
          throw new DispatchrError(
            'cron_name_taken',
            `cron entr${taken.length > 1 ? 'ies' : 'y'} ${taken.map((n) => `"${n}"`).join(', ')} in the config ${taken.length > 1 ? 'are' : 'is'} already defined through the API: delete ${taken.length > 1 ? 'them' : 'it'} (DELETE /v1/cron/{name}) or rename the config entry`,
            { status: 2 },
          );
        const orphaned = [...rows.values()]
          .filter((row) => row.source === 'config' && !row.orphaned && !Object.hasOwn(definitions, row.name))
          .map((row) => row.name);
        await cron.markOrphaned(tx, orphaned, now);
        return { changed, orphaned };
      });
    },

    async list(): Promise<CronEntryView[]> {
      const records = await cron.list();
      const states = await cron.taskStates(records.flatMap((r) => (r.lastTaskId === null ? [] : [r.lastTaskId])));
      return Promise.all(records.map((record) => view(record, states)));
    },

    get: async (name: string): Promise<CronEntryView> => view(await existing(name)),

    /** Creates or replaces an API entry; a config entry's name is refused (409). */
    async put(name: string, definition: CronDefinition): Promise<{ entry: CronEntryView; created: boolean }> {
      const now = clock.now();
      const created = await cron.transaction(async (tx) => {
        const row = await cron.get(name, tx);
        if (row?.source === 'config')
          throw new DispatchrError(
            'cron_entry_from_config',
            `cron entry "${name}" is defined in the config: change it there`,
            { status: 409 },
          );
        if (row === null) {
          if (!(await cron.insert(tx, stored(name, 'api', definition, firstFireAfter(definition, now)), now)))
            throw new DispatchrError(
              'cron_entry_conflict',
              `cron entry "${name}" was created at the same time; retry`,
              { status: 409 },
            );
          return true;
        }
        await cron.replaceDefinition(tx, stored(name, 'api', definition, nextAfterChange(row, definition, now)), now);
        return false;
      });
      return { entry: await view(await existing(name)), created };
    },

    /** An API entry, or a config entry the config no longer has (orphaned). Its tasks stay. */
    async delete(name: string): Promise<void> {
      const row = await existing(name);
      if (row.source === 'config' && !row.orphaned)
        throw new DispatchrError(
          'cron_entry_from_config',
          `cron entry "${name}" is defined in the config: remove it there`,
          { status: 409 },
        );
      await cron.delete(name);
    },

    async setPaused(name: string, paused: boolean): Promise<CronEntryView> {
      const row = await existing(name);
      const now = clock.now();
      await cron.setPaused(
        name,
        paused,
        paused ? null : firstFireAfter(parseStoredDefinition(row.definition), now),
        now,
      );
      return view(await existing(name));
    },

    /** Fires now, as an extra run beside the schedule (any status; overlap does not apply: it was asked for). */
    async trigger(name: string): Promise<{ taskId: string; fireAt: Date }> {
      const row = await existing(name);
      const definition = parseStoredDefinition(row.definition);
      return cron
        .transaction(async (tx) => {
          const now = clock.now();
          const taskId = uuidv7(now.getTime());
          // Two triggers in one millisecond: the second takes the next free one.
          let fireAt = now;
          while (!(await cron.recordFire(tx, { entry: name, kind: 'manual', fireAt, outcome: 'fired', taskId }, now)))
            fireAt = new Date(fireAt.getTime() + 1);
          await cron.insertTask(tx, cronTaskRow(definition, taskId, now), name, fireAt);
          // Deleted meanwhile: nothing fires (the transaction rolls back).
          if (!(await cron.noteManualFire(tx, name, fireAt, taskId)))
            throw new DispatchrError('cron_entry_not_found', `no cron entry named "${name}"`, { status: 404 });
          return { taskId, fireAt };
        })
        .then((fired) => {
          signalDue([definition.queue]);
          return fired;
        });
    },

    runs: async (name: string, limit: number): Promise<CronRun[]> => {
      await existing(name);
      return cron.runs(name, limit);
    },
  };
}
