import { formatDuration } from '../duration.js';
import { normalizeTaskPath } from '../rules/target-path.js';
import { taskCapsOf, type QueueLimitsSource } from '../rules/task-limits.js';
import type { CronDefinition, ParsedCronDefinition } from './cron-definition.js';

/** A refusal of one field of a definition, by its path inside the definition. */
export interface CronDefinitionIssue {
  path: (string | number)[];
  message: string;
}

/** The parts of a queue's configuration a definition is checked against. */
export type CronQueueSource = { target: string } & QueueLimitsSource;

export type CronDefinitionResult =
  { ok: true; definition: CronDefinition } | { ok: false; issues: CronDefinitionIssue[] };

/**
 * A parsed definition checked against its queue, as a task create is (spec §4.5): the queue exists,
 * the path stays inside its target, maxAttempts and timeout within its caps. Answers the stored
 * form (cron-definition.ts). Config load and `PUT /v1/cron/{name}` both run it, so neither can
 * store an entry whose every fire would be refused.
 */
export function checkCronDefinition(
  parsed: ParsedCronDefinition,
  queues: Readonly<Record<string, CronQueueSource>>,
  leaseMs: number,
): CronDefinitionResult {
  const queue = Object.hasOwn(queues, parsed.queue) ? queues[parsed.queue] : undefined;
  if (queue === undefined) {
    const known = Object.keys(queues);
    const hint = known.length === 0 ? 'no queue is configured' : `configured: ${known.slice(0, 10).join(', ')}`;
    return { ok: false, issues: [{ path: ['queue'], message: `unknown queue "${parsed.queue}" (${hint})` }] };
  }
  const issues: CronDefinitionIssue[] = [];
  const path = normalizeTaskPath(queue.target, parsed.path);
  if (!path.ok) issues.push({ path: ['path'], message: path.message });
  const caps = taskCapsOf(queue, leaseMs);
  if (parsed.maxAttempts !== undefined && parsed.maxAttempts > caps.maxAttempts)
    issues.push({
      path: ['maxAttempts'],
      message: `expected an integer <= ${caps.maxAttempts}, the queue's cap (taskLimits.maxAttempts)`,
    });
  if (parsed.timeout !== undefined && parsed.timeout > caps.timeoutMs)
    issues.push({
      path: ['timeout'],
      message: `expected a timeout of at most ${formatDuration(caps.timeoutMs)}, the queue's cap (${caps.timeoutCapped ? 'taskLimits.timeout' : 'scheduler.leaseDuration less 2 s'})`,
    });
  if (issues.length > 0 || !path.ok) return { ok: false, issues };
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed.headers)) headers[name.toLowerCase()] = value;
  return {
    ok: true,
    definition: {
      queue: parsed.queue,
      schedule: parsed.schedule.trim(),
      timezone: parsed.timezone,
      path: path.path,
      method: parsed.method,
      headers,
      bodyJson: parsed.body === undefined || parsed.body === null ? null : JSON.stringify(parsed.body),
      maxAttempts: parsed.maxAttempts ?? null,
      timeoutMs: parsed.timeout ?? null,
      enabled: parsed.enabled,
      catchUp: parsed.catchUp,
      overlap: parsed.overlap,
    },
  };
}

/** The config's entries in their stored form. Config load has checked each one, so none fails here. */
export function configCronDefinitions(
  entries: Readonly<Record<string, ParsedCronDefinition>>,
  queues: Readonly<Record<string, CronQueueSource>>,
  leaseMs: number,
): Record<string, CronDefinition> {
  const definitions: Record<string, CronDefinition> = {};
  for (const [name, entry] of Object.entries(entries)) {
    const result = checkCronDefinition(entry, queues, leaseMs);
    if (!result.ok) throw new Error(`cron.${name}: ${result.issues.map((issue) => issue.message).join('; ')}`);
    definitions[name] = result.definition;
  }
  return definitions;
}
