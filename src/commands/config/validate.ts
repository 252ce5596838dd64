import { stringify } from 'yaml';
import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { formatDuration } from '../../duration.js';
import { redactConfig } from '../../config/redact.js';
import { terminalSafeJson, terminalSafeLines } from '../../terminal-safe.js';
import { resolveRetryPolicies } from '../../strategies/load-plugins.js';
import type { ResolvedConfig } from '../../config/load.js';
import { nextFireTimes, parseCronSchedule } from '../../cron/cron-schedule.js';
import { fireTimeLine, formatInZone } from '../../operator/format-cron.js';
import { formatRfc3339 } from '../../rules/rfc3339.js';

export default class ConfigValidate extends BaseCommand<typeof ConfigValidate> {
  static override description =
    "Check a config file and print it resolved (defaults filled in, ${VAR} substituted) with secrets redacted, then each cron entry's next three fire times.";
  static override examples = ['<%= config.bin %> config validate --config dispatchr.yml'];
  static override flags = {
    json: Flags.boolean({ description: 'Print JSON instead of YAML.' }),
  };

  public async run(): Promise<void> {
    const config = this.loadConfig();
    await resolveRetryPolicies(config); // strategy names, plugins and their options
    const { source, ...rest } = redactConfig(config) as Record<string, any> & { source: unknown };
    void source;
    humanizeDurations(rest);
    const fires = cronNextFires(config, new Date());
    // Values come from the file and the environment: printed, they must not drive the terminal.
    if (this.flags.json) {
      const doc = fires.length === 0 ? rest : { ...rest, cronNextFires: Object.fromEntries(fires.map(jsonFires)) };
      this.log(terminalSafeJson(doc));
      return;
    }
    // One YAML document still: the fire times are one more top-level key, last.
    const doc = fires.length === 0 ? rest : { ...rest, 'cron next fires': Object.fromEntries(fires.map(textFires)) };
    this.log(terminalSafeLines(stringify(doc).trimEnd()));
  }
}

/** How many fire times are shown per entry: enough to see the pattern, and DST, at a glance. */
const FIRES_SHOWN = 3;

interface EntryFires {
  name: string;
  timezone: string;
  /** [] for an entry that never fires (enabled: false). */
  times: Date[];
}

/** Each entry's next fire times after `now`. Config load has checked every schedule, so each parses. */
function cronNextFires(config: ResolvedConfig, now: Date): EntryFires[] {
  return Object.entries(config.cron).map(([name, entry]) => {
    const parsed = parseCronSchedule(entry.schedule, entry.timezone);
    const times = parsed.ok && entry.enabled ? nextFireTimes(parsed.schedule, now, FIRES_SHOWN) : [];
    return { name, timezone: entry.timezone, times };
  });
}

const jsonFires = ({ name, timezone, times }: EntryFires) =>
  [name, times.map((at) => ({ utc: formatRfc3339(at), local: formatInZone(at, timezone) }))] as const;

const textFires = ({ name, timezone, times }: EntryFires) =>
  [
    name,
    times.length === 0 ? 'never (enabled: false)' : times.map((at) => fireTimeLine(formatRfc3339(at), timezone)),
  ] as const;

/** Durations are held in milliseconds; print them the way they are written ("2m", "30s"). */
function humanizeDurations(config: Record<string, any>): void {
  for (const key of ['leaseDuration', 'pollInterval', 'shutdownTimeout', 'heartbeatInterval']) {
    config.scheduler[key] = formatDuration(config.scheduler[key]);
  }
  for (const key of ['completed', 'failed']) config.retention[key] = formatDuration(config.retention[key]);
  if (typeof config.recorder.readTimeout === 'number')
    config.recorder.readTimeout = formatDuration(config.recorder.readTimeout);
  for (const queue of Object.values(config.queues) as Record<string, any>[]) {
    queue.timeout = formatDuration(queue.timeout);
    queue.retry.maxRetryDuration = formatDuration(queue.retry.maxRetryDuration);
  }
  for (const entry of Object.values(config.cron ?? {}) as Record<string, any>[]) {
    if (typeof entry.timeout === 'number') entry.timeout = formatDuration(entry.timeout);
  }
}
