import { stringify } from 'yaml';
import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { formatDuration } from '../../duration.js';
import { redactConfig } from '../../config/redact.js';
import { terminalSafeJson, terminalSafeLines } from '../../terminal-safe.js';
import { resolveRetryPolicies } from '../../strategies/load-plugins.js';

export default class ConfigValidate extends BaseCommand<typeof ConfigValidate> {
  static override description =
    'Check a config file and print it resolved (defaults filled in, ${VAR} substituted) with secrets redacted.';
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
    // Values come from the file and the environment: printed, they must not drive the terminal.
    this.log(this.flags.json ? terminalSafeJson(rest) : terminalSafeLines(stringify(rest).trimEnd()));
  }
}

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
}
