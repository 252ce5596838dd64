import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { initOrm } from '../db/orm.js';
import { migrate } from '../db/migrate.js';
import { createQueueStateRepository } from '../db/queue-state.repository.js';

export default class Migrate extends BaseCommand<typeof Migrate> {
  static override description =
    'Create or update the database schema. Safe to run again: a current schema is left as it is.';
  static override examples = [
    '<%= config.bin %> migrate --config dispatchr.yml',
    '<%= config.bin %> migrate --dry-run',
  ];
  static override flags = {
    'dry-run': Flags.boolean({ description: 'Print the SQL that would run and change nothing.' }),
  };

  public async run(): Promise<void> {
    const config = this.loadConfig({ allowMissing: true });
    const db = await initOrm({ url: config.database.url, baseDir: config.source.dir, poolSize: 2 });
    try {
      const result = await migrate(db, { dryRun: this.flags['dry-run'] });
      if (this.flags['dry-run']) {
        if (result.statements.length === 0) this.log('-- the schema is current; nothing would run');
        for (const { migration, sql } of result.statements) {
          this.log(`-- migration ${migration}`);
          for (const statement of sql) this.log(`${statement};\n`);
        }
        return;
      }
      this.log(result.applied.length ? `applied ${result.applied.join(', ')}` : 'the schema is current; nothing to do');
      // Each queue's defaultPriority, for enqueueWithin before any scheduler or recorder has started (spec 11.1).
      await createQueueStateRepository(db).recordDefaults(config.queues);
    } finally {
      await db.close();
    }
  }
}
