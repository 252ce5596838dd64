import type { MigrationObject } from '@mikro-orm/core';
import { PostgresInitial } from './postgresql/0001-initial.migration.js';
import { SqliteInitial } from './sqlite/0001-initial.migration.js';

/**
 * Static lists, not a folder glob: deterministic from source (tsx, vitest) and from dist alike.
 * Append new migrations; never edit one that has shipped.
 */
export const postgresMigrations: MigrationObject[] = [{ name: '0001-initial', class: PostgresInitial }];
export const sqliteMigrations: MigrationObject[] = [{ name: '0001-initial', class: SqliteInitial }];
