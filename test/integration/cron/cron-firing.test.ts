import { describe, expect, it } from 'vitest';
import { createCronService } from '../../../src/cron/cron-service.js';
import { createTaskRepository } from '../../../src/db/task.repository.js';
import { toDate } from '../../../src/db/task-row.js';
import { silentLogger } from '../../../src/logger.js';
import {
  countsOf,
  CRON_QUEUES,
  day0,
  definitions,
  HOUR,
  iso,
  START,
  useCronDatabase,
} from '../../support/cron-fixtures.js';
import { drivers } from '../../support/databases.js';

/**
 * Cron firing by an injected clock, on each database: one task per fire time, never twice,
 * overlap, pause, trigger and the pruning of fire records. The catch-up rules are in
 * cron-catch-up.test.ts, the config sync at start and a rolling deploy in cron-config-sync.test.ts.
 */
describe.each(drivers())('cron firing on %s', (driver) => {
  const fixture = useCronDatabase(driver);
  const { open, world, tasksOf, fireTimes, nextFireAt, complete } = fixture;

  it('creates one task per fire time, marked with its entry and fire time, carrying the definition', async () => {
    const { db } = fixture;
    const { clock, firer, entries } = world();
    await entries.syncConfig(
      definitions({ tick: { schedule: '* * * * *', path: '/tick', headers: { 'X-Kind': 'cron' }, body: { n: 1 } } }),
    );
    expect(await nextFireAt('tick')).toBe(day0('00:01:00'));
    expect(countsOf(await firer.runOnce(), 'tick')).toBeUndefined(); // not due yet
    clock.set(new Date(day0('00:01:00')));
    expect(countsOf(await firer.runOnce(), 'tick')).toMatchObject({ fired: 1, caughtUp: 0, missed: 0, skipped: 0 });
    clock.set(new Date(day0('00:02:05')));
    await firer.runOnce();
    expect(await fireTimes('tick')).toEqual([day0('00:01:00'), day0('00:02:00')]);
    const [first] = await tasksOf('tick');
    const task = (await createTaskRepository(db).findTask(first.id))!;
    expect(task).toMatchObject({
      queue: 'q',
      cron: 'tick',
      method: 'POST',
      headers: { 'x-kind': 'cron' },
      state: 'available',
    });
    expect(task.cronFireAt?.toISOString()).toBe(day0('00:01:00'));
    expect(task.path).toContain('/tick');
    expect((await createTaskRepository(db).findBodies([first.id])).get(first.id)?.toString()).toBe('{"n":1}');
    expect(await nextFireAt('tick')).toBe(day0('00:03:00'));
  });

  it('never fires a fire time twice: again at the same clock, from a second firer, or with next_fire_at set back', async () => {
    const { db } = fixture;
    const a = world();
    const b = world(START, await open());
    await a.entries.syncConfig(definitions({ once: { schedule: '* * * * *' }, race: { schedule: '* * * * *' } }));
    for (const w of [a, b]) w.clock.set(new Date(day0('00:01:00')));
    // Both firers at once on PostgreSQL, on their own connections: each entry is held by one. On
    // SQLite one after the other (one scheduler per database; two connections of one process
    // would wait on each other's write lock inside one event loop).
    const rounds =
      driver === 'postgresql'
        ? await Promise.all([a.firer.runOnce(), b.firer.runOnce()])
        : [await a.firer.runOnce(), await b.firer.runOnce()];
    const firedBy = rounds.map((round) => round.filter((c) => c.fired > 0).map((c) => c.entry));
    expect(firedBy.flat().sort()).toEqual(['once', 'race']);
    await a.firer.runOnce();
    await b.firer.runOnce();
    expect(await fireTimes('once')).toEqual([day0('00:01:00')]);
    expect(await fireTimes('race')).toEqual([day0('00:01:00')]);
    // A writer outside the rules moves next_fire_at back to a fired time: the fire record still holds.
    const p = db.driver.placeholder;
    await db.sql.execute(`update dispatchr_cron_entry set next_fire_at = ${p(1)} where name = ${p(2)}`, [
      new Date(day0('00:01:00')),
      'once',
    ]);
    await b.firer.runOnce();
    expect(await fireTimes('once')).toEqual([day0('00:01:00')]);
    expect(await nextFireAt('once')).toBe(day0('00:02:00'));
  });

  it('overlap skip records a fire time as skipped while the last task is unfinished, and fires once it completes', async () => {
    const { clock, cron, firer, entries } = world();
    await entries.syncConfig(
      definitions({ lone: { schedule: '* * * * *', queue: 'solo', overlap: 'skip' }, many: { schedule: '* * * * *' } }),
    );
    clock.set(new Date(day0('00:01:00')));
    await firer.runOnce();
    clock.set(new Date(day0('00:02:00')));
    const fired = await firer.runOnce();
    expect(countsOf(fired, 'lone')).toMatchObject({ fired: 0, skipped: 1 });
    expect(countsOf(fired, 'many')).toMatchObject({ fired: 1, skipped: 0 }); // overlap allow: fires anyway
    expect(await fireTimes('lone')).toEqual([day0('00:01:00')]);
    const runs = await cron.runs('lone', 10);
    expect(runs.map((r) => [r.fireAt.toISOString(), r.outcome, r.taskId === null])).toEqual([
      [day0('00:02:00'), 'skipped', true],
      [day0('00:01:00'), 'fired', false],
    ]);
    await complete('solo', clock.now());
    clock.set(new Date(day0('00:03:00')));
    expect(countsOf(await firer.runOnce(), 'lone')).toMatchObject({ fired: 1, skipped: 0 });
    expect(await fireTimes('lone')).toEqual([day0('00:01:00'), day0('00:03:00')]);
  });

  it('a paused entry fires nothing; a resume does not catch up the paused times and fires from the resume on', async () => {
    const { clock, firer, entries } = world();
    await entries.syncConfig(definitions({ held: { schedule: '* * * * *', catchUp: 'all' } }));
    expect((await entries.setPaused('held', true)).status).toBe('paused');
    for (const time of ['00:01:00', '00:03:00', '00:05:30']) {
      clock.set(new Date(day0(time)));
      expect(countsOf(await firer.runOnce(), 'held')).toBeUndefined();
    }
    const resumed = await entries.setPaused('held', false);
    expect(resumed.status).toBe('active');
    expect(resumed.nextFireTimes[0].toISOString()).toBe(day0('00:06:00'));
    await firer.runOnce();
    expect(await fireTimes('held')).toEqual([]);
    clock.set(new Date(day0('00:06:00')));
    expect(countsOf(await firer.runOnce(), 'held')).toMatchObject({ fired: 1, caughtUp: 0, missed: 0 });
    expect(await fireTimes('held')).toEqual([day0('00:06:00')]);
  });

  it('a trigger fires an extra task now and leaves next_fire_at alone', async () => {
    const { clock, firer, entries } = world();
    await entries.syncConfig(definitions({ hourly: { schedule: '@hourly' } }));
    clock.set(new Date(day0('00:10:00')));
    const first = await entries.trigger('hourly');
    const second = await entries.trigger('hourly'); // same millisecond: the next free one
    expect([first.fireAt.toISOString(), second.fireAt.toISOString()]).toEqual([
      day0('00:10:00'),
      '2026-03-02T00:10:00.001Z',
    ]);
    expect(await nextFireAt('hourly')).toBe(day0('01:00:00'));
    expect(countsOf(await firer.runOnce(), 'hourly')).toBeUndefined();
    clock.set(new Date(day0('01:00:00')));
    await firer.runOnce();
    const tasks = await tasksOf('hourly');
    expect(tasks.map((t) => t.fireAt)).toEqual([day0('00:10:00'), '2026-03-02T00:10:00.001Z', day0('01:00:00')]);
    expect(tasks.slice(0, 2).map((t) => t.id)).toEqual([first.taskId, second.taskId]);
  });

  it('prunes fire records older than 25 h, and keeps younger ones', async () => {
    const { db } = fixture;
    const { clock, cron, firer } = world();
    await world().entries.syncConfig(definitions({ pruned: { schedule: '@hourly' } }));
    const now = clock.now().getTime();
    const ages = [26 * HOUR, 25 * HOUR + 1_000, 25 * HOUR - 1_000, 2 * HOUR];
    await cron.transaction(async (tx) => {
      for (const age of ages)
        await cron.recordFire(
          tx,
          { entry: 'pruned', kind: 'scheduled', fireAt: new Date(now - age), outcome: 'skipped', taskId: null },
          clock.now(),
        );
    });
    const service = createCronService({
      firer,
      cron,
      clock,
      logger: silentLogger,
      queues: CRON_QUEUES,
      pollIntervalMs: 1_000,
    });
    // Nothing is due before 01:00: the next look is one poll interval away.
    expect((await service.runOnce()).toISOString()).toBe(iso(now + 1_000));
    const p = db.driver.placeholder;
    const left = await db.sql.query(`select fire_at from dispatchr_cron_fire where entry = ${p(1)} order by fire_at`, [
      'pruned',
    ]);
    expect(left.map((row) => toDate(row.fire_at).getTime())).toEqual([now - 25 * HOUR + 1_000, now - 2 * HOUR]);
  });
});
