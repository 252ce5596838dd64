import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/clock.js';
import { parseConfig } from '../../../src/config/load.js';
import { createCronEntries } from '../../../src/cron/cron-entries.js';
import { createCronFirer } from '../../../src/cron/cron-firer.js';
import { configCronDefinitions } from '../../../src/cron/cron-queue-check.js';
import { createCronService } from '../../../src/cron/cron-service.js';
import { createCronRepository } from '../../../src/db/cron.repository.js';
import { silentLogger } from '../../../src/logger.js';
import { createTestDatabase } from '../../support/databases.js';
import { postgresAvailable } from '../../support/postgres.js';

/**
 * The cron loop's next look: at the next fire time when it is ahead, and a little later (not at
 * once) when a due entry is held by another scheduler's fire, so the loop does not spin on it.
 */
describe.runIf(postgresAvailable())('the cron loop on PostgreSQL', () => {
  it('looks again at the next fire time, or shortly when another scheduler holds the due entry', async () => {
    const testDb = await createTestDatabase('postgresql');
    try {
      const db = await testDb.openMigrated();
      const config = parseConfig({
        queues: { q: { target: 'http://127.0.0.1:9/', allowPrivateNetwork: true } },
        cron: { tick: { queue: 'q', schedule: '0 * * * *' } },
        scheduler: { pollInterval: '10s' },
      });
      const clock = fixedClock('2026-12-07T10:59:00.000Z');
      const cron = createCronRepository(db);
      const definitions = configCronDefinitions(config.cron, config.queues, config.scheduler.leaseDuration);
      await createCronEntries({ cron, clock }).syncConfig(definitions);
      const firer = createCronFirer({ cron, clock, logger: silentLogger, queues: ['q'] });
      const service = createCronService({
        firer,
        cron,
        clock,
        logger: silentLogger,
        queues: ['q'],
        pollIntervalMs: 10_000,
      });

      // Ahead: the poll interval bounds the sleep (an entry created meanwhile is seen by then).
      expect((await service.runOnce()).toISOString()).toBe('2026-12-07T10:59:10.000Z');
      clock.set(new Date('2026-12-07T10:59:55.000Z'));
      expect((await service.runOnce()).toISOString()).toBe('2026-12-07T11:00:00.000Z');

      // Due, but another scheduler's fire holds the entry: look again in tens of milliseconds.
      clock.set(new Date('2026-12-07T11:00:00.200Z'));
      const other = await testDb.open();
      let release!: () => void;
      let held!: () => void;
      const holding = new Promise<void>((resolve) => (held = resolve));
      const holder = other.sql.transaction(async (tx) => {
        await tx.query('select name from dispatchr_cron_entry for update');
        held();
        await new Promise<void>((resolve) => (release = resolve));
      });
      await holding;
      const nextLook = (await service.runOnce()).getTime() - clock.now().getTime();
      expect(nextLook).toBeGreaterThan(0);
      expect(nextLook).toBeLessThanOrEqual(100);
      release();
      await holder;

      // Released: this loop fires it, and sleeps until the next hour's poll bound.
      expect((await service.runOnce()).toISOString()).toBe('2026-12-07T11:00:10.200Z');
      expect((await cron.get('tick'))?.nextFireAt?.toISOString()).toBe('2026-12-07T12:00:00.000Z');
    } finally {
      await testDb.cleanup();
    }
  });
});
