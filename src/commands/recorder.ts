import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { explainListenError } from '../cli/listen-error.js';
import { openDatabaseForCommand } from '../cli/open-database.js';
import { createLogger } from '../logger.js';
import { startRecorderServer } from '../recorder/server.js';

export default class Recorder extends BaseCommand<typeof Recorder> {
  static override description =
    'Run the recorder: the HTTP API that accepts tasks. Drains on SIGTERM (stops accepting, finishes requests in flight).';
  static override examples = [
    '<%= config.bin %> recorder --config dispatchr.yml',
    '<%= config.bin %> recorder --port 0',
  ];
  static override flags = {
    host: Flags.string({ description: 'Listen on this address instead of recorder.host.' }),
    port: Flags.integer({
      description: 'Listen on this port instead of recorder.port (0: any free port).',
      min: 0,
      max: 65535,
    }),
  };

  public async run(): Promise<void> {
    const config = this.loadConfig();
    if (this.flags.host !== undefined) config.recorder.host = this.flags.host;
    if (this.flags.port !== undefined) config.recorder.port = this.flags.port;
    const logger = createLogger({ level: config.log.level, pretty: config.log.pretty, name: 'recorder' });
    // The embedded database migrates on its own (the quickstart); a server database's schema
    // changes only through `dispatchr migrate`, run deliberately (one process, before a rollout).
    const db = await openDatabaseForCommand(config, logger);
    try {
      if (Object.keys(config.queues).length === 0)
        logger.warn('no queues are configured: every create will answer 404');
      // The recorder itself warns when its API is open (auth.ts warnWhenOpen), in every mode.
      const server = await startRecorderServer(config, { db, logger, handleSignals: true }).catch((error: unknown) => {
        throw explainListenError(error, 'the recorder', {
          port: '--port or recorder.port in the config',
          host: '--host or recorder.host in the config',
        });
      });
      this.log(`dispatchr recorder listening on ${server.url}`);
      await server.closed;
    } finally {
      await db.close();
    }
  }
}
