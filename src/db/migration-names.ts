import type { MigrationObject } from '@mikro-orm/core';
import { DispatchrError } from '../errors.js';

/**
 * A driver lists its migrations twice: as names (what a schema check compares with the migrations
 * table, without loading MikroORM) and as classes (what the Migrator runs). They must agree, or a
 * schema check would call an unmigrated database current; this refuses a build where they differ.
 */
export function assertSameMigrationNames(list: readonly MigrationObject[], names: readonly string[]): void {
  const fromList = list.map((entry) => ('name' in entry ? entry.name : ''));
  if (fromList.length !== names.length || fromList.some((name, i) => name !== names[i])) {
    throw new DispatchrError(
      'internal',
      `the migration names (${names.join(', ')}) differ from the migrations (${fromList.join(', ')})`,
    );
  }
}
