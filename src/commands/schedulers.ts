import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { initOrm } from '../db/orm.js';
import { requireCurrentSchema } from '../db/migrate.js';
import { createSchedulerRegistry, DEAD_AFTER_INTERVALS, type SchedulerStatus } from '../db/scheduler-registry.repository.js';
import { formatDuration } from '../duration.js';
import { renderTable } from '../operator/table.js';
import { renderScheduler } from '../recorder/routes/schedulers.js';

/**
 * The schedulers registered in the database, alive ones first. Alive or dead is judged the way
 * the schedulers judge each other: no heartbeat for 5 intervals (this config's
 * scheduler.heartbeatInterval) is dead, and its leases are being rescued. Dead ones are listed for a
 * day, then forgotten.
 */
export default class Schedulers extends BaseCommand<typeof Schedulers> {
  static override description = [
    'List the schedulers registered in the database: id, host, pid, queues, start time, last heartbeat, alive or dead.',
    'A scheduler is dead after 5 heartbeat intervals without a heartbeat; the others then rescue its leases.',
  ].join('\n');
  static override examples = ['<%= config.bin %> schedulers --config dispatchr.yml', '<%= config.bin %> schedulers --json'];
  static override flags = {
    json: Flags.boolean({ description: 'Print JSON ({ schedulers: [...] }, as GET /v1/schedulers answers) instead of a table.' }),
  };

  public async run(): Promise<void> {
    const config = this.loadConfig();
    const db = await initOrm({ url: config.database.url, baseDir: config.source.dir, poolSize: 1 });
    try {
      await requireCurrentSchema(db);
      const schedulers = await createSchedulerRegistry(db).listStatus(config.scheduler.heartbeatInterval);
      if (this.flags.json) {
        process.stdout.write(`${JSON.stringify({ schedulers: schedulers.map((s) => renderScheduler(s)) }, null, 2)}\n`);
        return;
      }
      this.log(formatSchedulers(schedulers, config.scheduler.heartbeatInterval));
    } finally {
      await db.close();
    }
  }
}

function ago(ms: number): string {
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)}s ago`;
  if (ms < 7_200_000) return `${Math.floor(ms / 60_000)}m ago`;
  return `${Math.floor(ms / 3_600_000)}h ago`;
}

export function formatSchedulers(schedulers: readonly SchedulerStatus[], heartbeatIntervalMs: number): string {
  if (schedulers.length === 0) return 'no scheduler is registered';
  const table = renderTable(
    [
      { header: 'ID', value: (s) => s.id },
      { header: 'HOST', value: (s) => s.host },
      { header: 'PID', value: (s) => s.pid, align: 'right' },
      { header: 'QUEUES', value: (s) => s.queues.join(','), maxWidth: 40 },
      { header: 'STARTED', value: (s) => s.startedAt.toISOString() },
      { header: 'LAST HEARTBEAT', value: (s) => `${s.heartbeatAt.toISOString()} (${ago(s.silentMs)})` },
      { header: 'STATUS', value: (s) => (s.alive ? 'alive' : 'dead') },
    ],
    schedulers,
  );
  const dead = schedulers.filter((s) => !s.alive).length;
  const note = dead ? `\n${dead} dead: no heartbeat for ${DEAD_AFTER_INTERVALS} × ${formatDuration(heartbeatIntervalMs)}; their leases are rescued by the live ones.` : '';
  return `${table}${note}`;
}
