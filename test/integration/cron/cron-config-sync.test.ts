import { describe, expect, it } from 'vitest';
import { createTaskRepository } from '../../../src/db/task.repository.js';
import { countsOf, day0, definitions, START, useCronDatabase } from '../../support/cron-fixtures.js';
import { drivers } from '../../support/databases.js';
import { waitFor } from '../../support/target-server.js';

/**
 * The config's cron entries written at scheduler start, by an injected clock on each database:
 * what a restart keeps, what a change recomputes, orphans, name clashes with API entries,
 * simultaneous starts, and a rolling deploy of two configs that never fires a time twice.
 */
describe.each(drivers())('cron config sync on %s', (driver) => {
  const fixture = useCronDatabase(driver);
  const { open, world, tasksOf, fireTimes, nextFireAt } = fixture;

  describe('syncConfig at scheduler start', () => {
    it('an unchanged entry keeps its next fire time across a restart, so the downtime is caught up', async () => {
      const defs = definitions({ kept: { schedule: '@hourly' } });
      await world().entries.syncConfig(defs);
      const restarted = world(day0('03:30:00'));
      expect(await restarted.entries.syncConfig(defs)).toEqual({ changed: [], orphaned: [] });
      expect(await nextFireAt('kept')).toBe(day0('01:00:00'));
      expect(countsOf(await restarted.firer.runOnce(), 'kept')).toMatchObject({ fired: 1, caughtUp: 1, missed: 2 });
      expect(await fireTimes('kept')).toEqual([day0('03:00:00')]);
    });

    it('a changed body keeps the next fire time; a changed schedule recomputes it', async () => {
      const { db } = fixture;
      await world().entries.syncConfig(
        definitions({ body: { schedule: '@hourly', body: { v: 1 } }, times: { schedule: '@hourly' } }),
      );
      const later = world(day0('00:30:00'));
      const sync = await later.entries.syncConfig(
        definitions({ body: { schedule: '@hourly', body: { v: 2 } }, times: { schedule: '*/10 * * * *' } }),
      );
      expect(sync.changed.sort()).toEqual(['body', 'times']);
      expect(await nextFireAt('body')).toBe(day0('01:00:00'));
      expect(await nextFireAt('times')).toBe(day0('00:40:00'));
      later.clock.set(new Date(day0('01:00:00')));
      await later.firer.runOnce();
      const [task] = await tasksOf('body');
      expect((await createTaskRepository(db).findBodies([task.id])).get(task.id)?.toString()).toBe('{"v":2}');
    });

    it('an entry gone from the config is orphaned and never fires', async () => {
      const w = world();
      await w.entries.syncConfig(definitions({ stays: { schedule: '* * * * *' }, goes: { schedule: '* * * * *' } }));
      expect(await w.entries.syncConfig(definitions({ stays: { schedule: '* * * * *' } }))).toEqual({
        changed: [],
        orphaned: ['goes'],
      });
      expect((await w.entries.get('goes')).status).toBe('orphaned');
      for (const time of ['00:01:00', '00:05:00']) {
        w.clock.set(new Date(day0(time)));
        await w.firer.runOnce();
      }
      expect(await fireTimes('goes')).toEqual([]);
      // 00:02 and 00:03 were missed at 00:05 (catchUp last fires 00:03); 00:04 is 60 s late, within the grace.
      expect(await fireTimes('stays')).toEqual(['00:01:00', '00:03:00', '00:04:00', '00:05:00'].map(day0));
    });

    it('refuses a config entry whose name an API entry holds, and writes nothing of that config', async () => {
      const w = world();
      await w.entries.put('shared', definitions({ x: { schedule: '@daily' } }).x);
      const sync = w.entries.syncConfig(
        definitions({ shared: { schedule: '@hourly' }, alongside: { schedule: '@hourly' } }),
      );
      await expect(sync).rejects.toMatchObject({
        code: 'cron_name_taken',
        message: expect.stringContaining('"shared"'),
      });
      expect(await w.cron.get('alongside')).toBeNull();
      expect((await w.cron.get('shared'))?.source).toBe('api');
    });

    // SQLite has one scheduler per database (a second is refused), and BEGIN IMMEDIATE serializes syncs.
    it.runIf(driver === 'postgresql')(
      'two schedulers starting at once with the same new entry both start',
      async () => {
        const { db } = fixture;
        const w = world();
        await w.entries.syncConfig(definitions({ old: { schedule: '@hourly' } }));
        const defs = definitions({ fresh: { schedule: '@hourly' } });
        // A third connection holds old's row: each sync (which orphans old) stays open after its read
        // and its insert, so both read the entries before either commits, as at a simultaneous start.
        let locked!: () => void;
        let release!: () => void;
        const isLocked = new Promise<void>((resolve) => (locked = resolve));
        const gate = new Promise<void>((resolve) => (release = resolve));
        const holder = (await open()).sql.transaction(async (tx) => {
          await tx.query(`select name from dispatchr_cron_entry where name = 'old' for update`);
          locked();
          await gate;
        });
        await isLocked;
        const [one, two] = [world(START, await open()), world(START, await open())];
        const syncs = Promise.allSettled([one.entries.syncConfig(defs), two.entries.syncConfig(defs)]);
        const waiting = `select count(*) as n from pg_stat_activity where datname = current_database()
        and wait_event_type = 'Lock' and query ilike '%dispatchr_cron_entry%'`;
        await waitFor(
          async () => Number((await db.sql.query<{ n: string }>(waiting))[0].n) >= 2,
          5_000,
          'both syncs to wait',
        ).catch(() => undefined);
        release();
        await holder;
        const outcomes = (await syncs).map((r) => (r.status === 'fulfilled' ? 'started' : (r.reason as Error).message));
        expect(outcomes).toEqual(['started', 'started']);
        expect(await w.cron.get('fresh')).toMatchObject({ source: 'config', orphaned: false });
        expect(await w.cron.get('old')).toMatchObject({ orphaned: true });
      },
    );
  });

  it('a rolling deploy of two configs with skewed clocks never creates two tasks for one fire time', async () => {
    const a = { ...world(), defs: definitions({ roll: { schedule: '* * * * *', body: { v: 'a' } } }) };
    // B runs 90 s behind, with a schedule of its own: its sync sets next_fire_at back to times A fired.
    const b = {
      ...world('2026-03-01T23:59:00.000Z', await open()),
      defs: definitions({ roll: { schedule: '*/2 * * * *', body: { v: 'b' } } }),
    };
    let rewinds = 0;
    for (let round = 0; round < 16; round++) {
      const [syncing, other] = round % 2 === 0 ? [a, b] : [b, a];
      await syncing.entries.syncConfig(syncing.defs);
      const fired = await fireTimes('roll');
      if (fired.length > 0 && (await nextFireAt('roll'))! <= fired.at(-1)!) rewinds++;
      await syncing.firer.runOnce();
      await other.firer.runOnce();
      for (const w of [a, b]) w.clock.advance(37_000);
    }
    const times = await fireTimes('roll');
    expect(times.length).toBeGreaterThanOrEqual(4);
    expect(new Set(times).size).toBe(times.length);
    expect(rewinds).toBeGreaterThan(0); // the fire records, not luck, kept the fire times single
  });
});
