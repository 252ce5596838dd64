import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KEY_HOLDER_PREDICATE, KEY_RELEASE_PREDICATE, keyEligible } from '../../../src/db/key-holder.sql.js';
import { needsKeyUpsert } from '../../../src/db/task-keys.repository.js';
import { toTaskInsertRow } from '../../../src/db/task-insert-row.js';
import { unfinishedStates } from '../../../src/machines/transition-table.js';
import { newTask } from '../../support/new-task.js';

/**
 * The key's holder in SQL (key-holder.sql.ts) against what it must equal: the machine's unfinished
 * states, and the unique index of migration 0018 word for word (SQLite matches a partial index to an
 * upsert's conflict target only by that text).
 */
describe('the key holder predicate', () => {
  it("names exactly the machine's unfinished states", () => {
    const listed = /state in \(([^)]*)\)/.exec(KEY_HOLDER_PREDICATE)![1];
    expect(
      listed
        .split(',')
        .map((s) => s.replace(/'/g, ''))
        .sort(),
    ).toEqual(unfinishedStates().sort());
  });

  it("is the unique index's WHERE term on both drivers", () => {
    for (const driver of ['postgresql', 'sqlite']) {
      const migration = readFileSync(`src/db/drivers/${driver}/migrations/0018-key-modes.migration.ts`, 'utf8');
      expect(migration, driver).toContain(
        `create unique index dispatchr_task_dedup_idx on dispatchr_task (queue, dedup_key) where ${KEY_HOLDER_PREDICATE}`,
      );
      expect(migration, driver).toContain(
        `create index dispatchr_task_key_release_idx on dispatchr_task (finalized_at) where ${KEY_RELEASE_PREDICATE}`,
      );
    }
  });

  it('lets replace and debounce change only a waiting holder at attempt 0 with no attempt recorded', () => {
    const term = keyEligible('t');
    expect(term).toContain("t.state in ('scheduled','available')");
    expect(term).toContain('t.attempt = 0');
    expect(term).toContain('t.first_attempt_at is null');
    expect(term).toMatch(/not exists \(select 1 from dispatchr_attempt a where a\.task_id = t\.id\)/);
  });
});

describe('needsKeyUpsert', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const row = (overrides: Parameters<typeof newTask>[1]) => toTaskInsertRow(newTask('q', overrides), now, 'id');

  it('leaves keep rows without retention (and keyless rows) to the bulk insert', () => {
    expect(needsKeyUpsert(row({}))).toBe(false);
    expect(needsKeyUpsert(row({ key: 'k' }))).toBe(false);
    expect(needsKeyUpsert(row({ key: 'k', keyMode: 'keep' }))).toBe(false);
    expect(needsKeyUpsert(row({ key: 'k', keyMode: 'replace' }))).toBe(true);
    expect(needsKeyUpsert(row({ key: 'k', keyMode: 'debounce' }))).toBe(true);
    expect(needsKeyUpsert(row({ key: 'k', keyRetentionMs: 1000 }))).toBe(true);
  });

  it('stores the debounce deadline as created_at + keyMaxWait', () => {
    expect(row({ key: 'k', keyMode: 'debounce', keyMaxWaitMs: 60_000 }).keyDeadline).toEqual(
      new Date('2026-01-01T00:01:00Z'),
    );
    expect(row({ key: 'k' }).keyDeadline).toBeNull();
  });
});
