import type { Row } from './sql-session.js';
import { toDateOrNull, toDate } from './task-row.js';

/** A cron entry's row (migration 0016), whatever the driver hands back. */
export const CRON_ENTRY_COLUMNS =
  'name, source, definition, definition_hash, queue, enabled, paused, orphaned, next_fire_at, last_fire_at, last_task_id, created_at, updated_at';

export type CronEntrySource = 'config' | 'api';

export interface CronEntryRecord {
  name: string;
  /** Defined in dispatchr.yml (changed only there) or through the API. */
  source: CronEntrySource;
  /** The stored definition as JSON text (src/cron/cron-definition.ts reads it). */
  definition: string;
  definitionHash: string;
  queue: string;
  /** The definition's own `enabled`. */
  enabled: boolean;
  /** Paused by an operator: fire times pass without firing until it is resumed. */
  paused: boolean;
  /** A config entry no longer in the config: it never fires and waits to be deleted. */
  orphaned: boolean;
  /** The next fire time not yet fired; null when it never fires again. */
  nextFireAt: Date | null;
  lastFireAt: Date | null;
  lastTaskId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** SQLite answers booleans as 0/1. */
const truthy = (value: unknown): boolean => value === true || value === 1 || value === '1' || value === 't';

export function toCronEntryRecord(row: Row): CronEntryRecord {
  return {
    name: String(row.name),
    source: row.source === 'api' ? 'api' : 'config',
    definition: String(row.definition),
    definitionHash: String(row.definition_hash),
    queue: String(row.queue),
    enabled: truthy(row.enabled),
    paused: truthy(row.paused),
    orphaned: truthy(row.orphaned),
    nextFireAt: toDateOrNull(row.next_fire_at),
    lastFireAt: toDateOrNull(row.last_fire_at),
    lastTaskId: row.last_task_id === null || row.last_task_id === undefined ? null : String(row.last_task_id),
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}
