import { describe, expect, it } from 'vitest';
import { createCronFirer } from '../../../src/cron/cron-firer.js';
import { createCronRepository } from '../../../src/db/cron.repository.js';
import { isDispatchrError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/logger.js';
import { countsOf, day0, definitions, useCronDatabase } from '../../support/cron-fixtures.js';
import { drivers } from '../../support/databases.js';

/**
 * What one bad entry, a missing queue or a vanished entry cannot do: stop the other entries, fire
 * into a queue this scheduler does not have, lose fire times across an orphaned spell, or fire
 * an entry that was deleted.
 */
describe.each(drivers())('cron resilience on %s', (driver) => {
  const fixture = useCronDatabase(driver);
  const { world, fireTimes, nextFireAt } = fixture;

  async function setDefinition(name: string, text: string): Promise<void> {
    const p = fixture.db.driver.placeholder;
    await fixture.db.sql.execute(`update dispatchr_cron_entry set definition = ${p(1)} where name = ${p(2)}`, [
      text,
      name,
    ]);
  }

  it('an unreadable entry stops alone and restarts when its definition is written again; the others fire', async () => {
    const defs = definitions({ bad: { schedule: '@hourly' }, good: { schedule: '@hourly' } });
    const { entries, clock, firer } = world();
    await entries.syncConfig(defs);
    await setDefinition('bad', '{not json');
    clock.set(new Date(day0('01:00:10')));
    const counts = await firer.runOnce();
    expect(countsOf(counts, 'good')).toMatchObject({ fired: 1 });
    expect(await fireTimes('good')).toEqual([day0('01:00:00')]);
    expect(await nextFireAt('bad')).toBeUndefined(); // stopped: next_fire_at null
    // The same config at the next start writes it again: it fires from then on.
    await entries.syncConfig(defs);
    expect(await nextFireAt('bad')).toBe(day0('02:00:00'));
  });

  it('an entry whose fire fails is rolled back alone: the others commit, then the round reports it', async () => {
    const defs = definitions({ broken: { schedule: '@hourly' }, good: { schedule: '@hourly' } });
    const { entries, clock, firer } = world();
    await entries.syncConfig(defs);
    // Valid JSON, but a task without a method cannot be inserted (NOT NULL): a failure mid-fire.
    const stored = JSON.parse((await createCronRepository(fixture.db).get('broken'))!.definition);
    await setDefinition('broken', JSON.stringify({ ...stored, method: null }));
    clock.set(new Date(day0('01:00:10')));
    const failure = await firer.runOnce().catch((error: Error) => error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(/broken/);
    expect(await fireTimes('good')).toEqual([day0('01:00:00')]);
    expect(await fireTimes('broken')).toEqual([]);
    expect(await nextFireAt('broken')).toBe(day0('01:00:00')); // still due: nothing of its fire was kept
    await setDefinition('broken', JSON.stringify(stored));
    expect(countsOf(await firer.runOnce(), 'broken')).toMatchObject({ fired: 1 });
  });

  it('a scheduler fires only the entries of queues its config has; one that has the queue catches up', async () => {
    await world().entries.syncConfig(definitions({ elsewhere: { schedule: '@hourly', queue: 'solo' } }));
    const { clock, cron } = world(day0('01:00:10'));
    const withoutSolo = createCronFirer({ cron, clock, logger: silentLogger, queues: ['q'] });
    expect(await withoutSolo.runOnce()).toEqual([]);
    expect(await cron.nextDueAt(['q'])).toBeNull(); // nothing wakes it either
    expect(await nextFireAt('elsewhere')).toBe(day0('01:00:00'));
    clock.set(new Date(day0('03:00:10')));
    const withSolo = createCronFirer({ cron, clock, logger: silentLogger, queues: ['q', 'solo'] });
    expect(countsOf(await withSolo.runOnce(), 'elsewhere')).toMatchObject({ fired: 2, caughtUp: 1, missed: 1 });
  });

  it('an orphaned entry that comes back keeps its next fire time: what it missed follows catchUp', async () => {
    const defs = definitions({ nightly: { schedule: '0 1 * * *', catchUp: 'last' } });
    await world().entries.syncConfig(defs);
    await world(day0('00:10:00')).entries.syncConfig(definitions({})); // an old config: orphaned
    const back = world(day0('05:00:00'));
    await back.entries.syncConfig(defs);
    expect(await nextFireAt('nightly')).toBe(day0('01:00:00'));
    expect(countsOf(await back.firer.runOnce(), 'nightly')).toMatchObject({ fired: 1, caughtUp: 1 });
    expect(await fireTimes('nightly')).toEqual([day0('01:00:00')]);
  });

  it('a trigger of an entry deleted meanwhile creates nothing', async () => {
    const { entries } = world();
    const [name, definition] = Object.entries(definitions({ gone: { schedule: '@daily' } }))[0];
    await entries.put(name, definition);
    const cron = createCronRepository(fixture.db);
    await cron.delete(name);
    const refused = await entries.trigger(name).catch((error: unknown) => error);
    expect(isDispatchrError(refused, 'cron_entry_not_found')).toBe(true);
    expect(await fireTimes(name)).toEqual([]);
  });
});
