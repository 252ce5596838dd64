import type { MigrationObject } from '@mikro-orm/core';
import { PostgresInitial } from './postgresql/0001-initial.migration.js';
import { SqliteInitial } from './sqlite/0001-initial.migration.js';
import { PostgresClaimOrderIndex } from './postgresql/0002-claim-order-index.migration.js';
import { PostgresDueUpdateTriggerPerRow } from './postgresql/0003-due-update-trigger-per-row.migration.js';
import { PostgresExp } from './postgresql/0004-exp.migration.js';
import { SqliteClaimOrderIndex } from './sqlite/0002-claim-order-index.migration.js';

/**
 * Static lists, not a folder glob: deterministic from source (tsx, vitest) and from dist alike.
 * Append new migrations; never edit one that has shipped.
 */
export const postgresMigrations: MigrationObject[] = [
  { name: '0001-initial', class: PostgresInitial },
  { name: '0002-claim-order-index', class: PostgresClaimOrderIndex },
  { name: '0003-due-update-trigger-per-row', class: PostgresDueUpdateTriggerPerRow },
  { name: '0004-exp', class: PostgresExp },
];
export const sqliteMigrations: MigrationObject[] = [
  { name: '0001-initial', class: SqliteInitial },
  { name: '0002-claim-order-index', class: SqliteClaimOrderIndex },
];
