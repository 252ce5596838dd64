import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { createLogger } from '../logger.js';
import { createScheduler } from '../scheduler/scheduler.js';
import { openDatabaseForCommand } from '../cli/open-database.js';
import { explainListenError } from '../cli/listen-error.js';
import { createDispatchPool } from '../workers/pool.js';

export default class Schedule extends BaseCommand<typeof Schedule> {
  static override description =
    'Claim due tasks, send each to its queue target, and record the outcome. Stops cleanly on SIGTERM or SIGINT.';
  static override examples = [
    '<%= config.bin %> schedule --config dispatchr.yml',
    '<%= config.bin %> schedule --queue emails --queue webhooks',
    '<%= config.bin %> schedule --with-recorder',
  ];
  static override flags = {
    queue: Flags.string({
      char: 'q',
      multiple: true,
      description: 'Serve only these queues (default: all configured).',
    }),
    'with-recorder': Flags.boolean({ description: 'Also serve the recorder API in this process.' }),
  };

  public async run(): Promise<void> {
    const config = this.loadConfig();
    const logger = createLogger({ level: config.log.level, pretty: config.log.pretty, name: 'dispatchr' });
    // Started first: the worker thread loads its modules (undici: a few hundred ms) while this thread
    // opens the database, instead of after, between "scheduler started" and the first request.
    const pool = createDispatchPool({ threads: config.scheduler.workerThreads });
    let db;
    try {
      db = await openDatabaseForCommand(config, logger);
    } catch (error) {
      await pool.destroy();
      throw error;
    }
    // Signals are watched from the start: a SIGTERM during start-up still stops cleanly.
    const signalled = new Promise<string>((resolve) => {
      const shutdown = (signal: string) => {
        process.off('SIGTERM', onTerm);
        process.off('SIGINT', onInt);
        // A second signal means "now": exit without waiting (leases make the tasks safe).
        process.once('SIGTERM', () => process.exit(1));
        process.once('SIGINT', () => process.exit(1));
        resolve(signal);
      };
      const onTerm = () => shutdown('SIGTERM');
      const onInt = () => shutdown('SIGINT');
      process.on('SIGTERM', onTerm);
      process.on('SIGINT', onInt);
    });
    let scheduler;
    try {
      scheduler = await createScheduler({ config, db, queues: this.flags.queue, logger, pool });
      await scheduler.start();
    } catch (error) {
      // Open pools (threads, connections) would keep the process alive after the error is printed.
      await pool.destroy();
      await db.close();
      // The only server the scheduler starts is its metrics endpoint.
      throw explainListenError(error, 'the scheduler metrics endpoint', {
        port: 'scheduler.metrics.port in the config',
        host: 'scheduler.metrics.host in the config',
      });
    }
    let recorder = null;
    if (this.flags['with-recorder']) {
      try {
        // Imported here: the recorder's Koa stack is not a scheduler's start-up cost unless asked for.
        const { startRecorderServer } = await import('../recorder/server.js');
        recorder = await startRecorderServer(config, { db, logger });
      } catch (error) {
        // Nothing of this process may keep running once the command has failed.
        await scheduler.stop();
        await db.close();
        throw explainListenError(error, 'the recorder', {
          port: 'recorder.port in the config',
          host: 'recorder.host in the config',
        });
      }
    }

    const signal = await signalled;
    logger.info({ signal }, 'shutting down: no new claims; waiting for requests in flight');
    await recorder?.close();
    await scheduler.stop();
    await db.close();
    logger.flush?.();
  }
}
