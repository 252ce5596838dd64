import { DEAD_AFTER_INTERVALS } from '../db/scheduler-registry.repository.js';
import { formatDuration } from '../duration.js';
import type { OperatorBackend } from '../operator/backend.js';
import { OperatorCommand } from '../operator/operator-command.js';
import { renderTable } from '../operator/table.js';
import type { SchedulerResource } from '../recorder/scheduler-view.js';

/**
 * The schedulers registered in the database, alive ones first, read from the database of --config
 * or through a recorder (--url, GET /v1/schedulers) like every operator command. Alive or dead is
 * judged the way the schedulers judge each other: no heartbeat for 5 intervals
 * (scheduler.heartbeatInterval of the config that answers) is dead, and its leases are being
 * rescued. Dead ones are listed for a day, then forgotten.
 */
export default class Schedulers extends OperatorCommand<typeof Schedulers> {
  static override description = [
    'List the schedulers registered in the database: id, host, pid, queues, start time, last heartbeat, alive or dead.',
    'A scheduler is dead after 5 heartbeat intervals without a heartbeat; the others then rescue its leases.',
  ].join('\n');
  static override examples = [
    '<%= config.bin %> schedulers --config dispatchr.yml',
    '<%= config.bin %> schedulers --json',
    '<%= config.bin %> schedulers --url http://127.0.0.1:8787 --token $TOKEN',
  ];

  protected async operate(backend: OperatorBackend): Promise<void> {
    const schedulers = await backend.listSchedulers();
    // The interval that judged them is this config's in database mode; a recorder's is not sent.
    const interval = backend.mode === 'database' ? this.loadConfig().scheduler.heartbeatInterval : null;
    this.print({ schedulers }, () => formatSchedulers(schedulers, interval));
  }
}

function ago(ms: number): string {
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)}s ago`;
  if (ms < 7_200_000) return `${Math.floor(ms / 60_000)}m ago`;
  return `${Math.floor(ms / 3_600_000)}h ago`;
}

export function formatSchedulers(schedulers: readonly SchedulerResource[], heartbeatIntervalMs: number | null): string {
  if (schedulers.length === 0) return 'no scheduler is registered';
  const table = renderTable(
    [
      { header: 'ID', value: (s) => s.id },
      { header: 'HOST', value: (s) => s.host },
      { header: 'PID', value: (s) => s.pid, align: 'right' },
      { header: 'QUEUES', value: (s) => s.queues.join(','), maxWidth: 40 },
      { header: 'STARTED', value: (s) => s.startedAt },
      { header: 'LAST HEARTBEAT', value: (s) => `${s.heartbeatAt} (${ago(s.silentMs)})` },
      { header: 'STATUS', value: (s) => (s.alive ? 'alive' : 'dead') },
    ],
    schedulers,
  );
  const dead = schedulers.filter((s) => !s.alive).length;
  const silence =
    heartbeatIntervalMs === null
      ? `${DEAD_AFTER_INTERVALS} heartbeat intervals`
      : `${DEAD_AFTER_INTERVALS} × ${formatDuration(heartbeatIntervalMs)}`;
  const note = dead ? `\n${dead} dead: no heartbeat for ${silence}; their leases are rescued by the live ones.` : '';
  return `${table}${note}`;
}
