import { describe, expect, it } from 'vitest';
import { countsOf, day0, definitions, HOUR, iso, useCronDatabase } from '../../support/cron-fixtures.js';
import { drivers } from '../../support/databases.js';

/**
 * Catch-up after downtime, by an injected clock on each database: the skip, last and all
 * policies, the bound on catch-up all (100 times, 24 h), and the 60 s grace for a late fire time.
 */
describe.each(drivers())('cron catch-up on %s', (driver) => {
  const fixture = useCronDatabase(driver);
  const { world, fireTimes, nextFireAt } = fixture;

  it('after downtime, skip fires no missed time, last the most recent, all each one', async () => {
    const { clock, firer, entries } = world();
    const every = { schedule: '* * * * *' };
    await entries.syncConfig(
      definitions({
        skip: { ...every, catchUp: 'skip' },
        last: { ...every, catchUp: 'last' },
        all: { ...every, catchUp: 'all' },
      }),
    );
    // Down from 00:01 to 00:10:30: 00:01..00:09 are missed (over 60 s late); 00:10 is 30 s late, within the grace.
    clock.set(new Date(day0('00:10:30')));
    const fired = await firer.runOnce();
    const minutes = (from: number, to: number) =>
      Array.from({ length: to - from + 1 }, (_, i) => day0(`00:${String(from + i).padStart(2, '0')}:00`));
    expect(countsOf(fired, 'skip')).toMatchObject({ fired: 1, caughtUp: 0, missed: 9 });
    expect(await fireTimes('skip')).toEqual(minutes(10, 10));
    expect(countsOf(fired, 'last')).toMatchObject({ fired: 2, caughtUp: 1, missed: 8 });
    expect(await fireTimes('last')).toEqual(minutes(9, 10));
    expect(countsOf(fired, 'all')).toMatchObject({ fired: 10, caughtUp: 9, missed: 0 });
    expect(await fireTimes('all')).toEqual(minutes(1, 10));
    for (const name of ['skip', 'last', 'all']) expect(await nextFireAt(name)).toBe(day0('00:11:00'));
  });

  it('catch-up all is bounded: the most recent 100 missed times, none older than 24 h', async () => {
    const { clock, firer, entries } = world();
    await entries.syncConfig(
      definitions({
        minutely: { schedule: '* * * * *', catchUp: 'all' },
        hourly: { schedule: '@hourly', catchUp: 'all' },
      }),
    );
    // Three hours down: 00:01..02:59 missed (179), 03:00 on time.
    clock.set(new Date(day0('03:00:30')));
    expect(countsOf(await firer.runOnce(), 'minutely')).toMatchObject({ fired: 101, caughtUp: 100, missed: 79 });
    const minutely = await fireTimes('minutely');
    expect([minutely[0], minutely.at(-2), minutely.at(-1)]).toEqual([
      day0('01:20:00'),
      day0('02:59:00'),
      day0('03:00:00'),
    ]);
    expect(new Set(minutely).size).toBe(101);
    // Three days down for the hourly entry: only the last 24 h fire; the 45 older ones (day 0 04:00
    // to day 2 00:00) are missed, and counted.
    const now = new Date(day0('00:00:30')).getTime() + 72 * HOUR;
    clock.set(new Date(now));
    expect(countsOf(await firer.runOnce(), 'hourly')).toMatchObject({ fired: 24, caughtUp: 23, missed: 45 });
    const all = await fireTimes('hourly');
    expect(all.slice(0, 3)).toEqual([day0('01:00:00'), day0('02:00:00'), day0('03:00:00')]); // the first round's
    const hourly = all.slice(3);
    expect(hourly).toHaveLength(24);
    expect(hourly[0]).toBe(iso(now - 30_000 - 23 * HOUR)); // the first within the window
    expect(Date.parse(hourly[0])).toBeGreaterThan(now - 24 * HOUR);
  });

  it('fires times reached within the 60 s grace under every policy, and misses one 60.001 s late', async () => {
    const { clock, firer, entries } = world();
    const second = { schedule: '* * * * * *' };
    await entries.syncConfig(
      definitions({
        s: { ...second, catchUp: 'skip' },
        l: { ...second, catchUp: 'last' },
        a: { ...second, catchUp: 'all' },
        edge: { schedule: '* * * * *', catchUp: 'skip' },
      }),
    );
    clock.advance(45_000); // 45 fire times, the oldest 44 s late
    const fired = await firer.runOnce();
    for (const name of ['s', 'l', 'a']) {
      expect(countsOf(fired, name)).toMatchObject({ fired: 45, caughtUp: 0, missed: 0 });
      expect(new Set(await fireTimes(name)).size).toBe(45);
    }
    expect(await fireTimes('edge')).toEqual([day0('00:01:00')]);
    clock.set(new Date(day0('00:03:00'))); // 00:02 exactly 60 s late: still on time
    expect(countsOf(await firer.runOnce(), 'edge')).toMatchObject({ fired: 2, missed: 0 });
    clock.set(new Date('2026-03-02T00:05:00.001Z')); // 00:04 is 60.001 s late
    expect(countsOf(await firer.runOnce(), 'edge')).toMatchObject({ fired: 1, missed: 1 });
    expect(await fireTimes('edge')).toEqual(['00:01:00', '00:02:00', '00:03:00', '00:05:00'].map(day0));
  });
});
