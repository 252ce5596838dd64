import { createHash } from 'node:crypto';
import { z } from 'zod';
import { parseDuration } from '../duration.js';
import { findJsonProblem } from '../rules/json-safety.js';
import { MAX_PATH_LENGTH } from '../rules/target-path.js';
import { hasNoBody, QUEUE_NAME, TASK_METHODS } from '../rules/task-fields.js';
import { taskHeadersSchema } from '../rules/task-headers.schema.js';
import { MAX_TASK_ATTEMPTS } from '../rules/task-limits.js';
import { parseCronSchedule } from './cron-schedule.js';

/**
 * A cron entry's definition (docs/spec.md, "Cron"): when it fires and the task each fire time
 * creates. The same schema reads `cron:` in dispatchr.yml and the body of `PUT /v1/cron/{name}`,
 * so an entry means the same whichever way it was defined. Checks that need the queue's config
 * (its target, its caps) are in cron-queue-check.ts.
 */
export const CATCH_UP_POLICIES = ['skip', 'last', 'all'] as const;
export type CatchUpPolicy = (typeof CATCH_UP_POLICIES)[number];
export const OVERLAP_POLICIES = ['allow', 'skip'] as const;
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];

/** Entry names go in URLs and metric labels: a queue name's alphabet, up to 128 characters. */
export const CRON_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
export const CRON_NAME_RULE = 'expected a cron entry name of letters, digits, "_", "." or "-" (at most 128)';

const timeout = z
  .string({ error: 'expected a duration like "30s" or "5m"' })
  .max(32, { error: 'expected a duration like "30s" or "5m"' })
  .transform((value, ctx) => {
    const ms = parseDuration(value, 's');
    if (ms === undefined || ms <= 0) {
      ctx.addIssue({
        code: 'custom',
        message: `expected a duration greater than 0 like "30s" or "5m", got ${JSON.stringify(value)}`,
      });
      return z.NEVER;
    }
    return ms;
  });

export const cronDefinitionSchema = z
  .strictObject({
    queue: z.string({ error: 'expected a queue name' }).regex(QUEUE_NAME, {
      error: 'expected a queue name of letters, digits, "_", "." or "-" (at most 64)',
    }),
    schedule: z
      .string({ error: 'expected a cron expression like "30 2 * * *", "@daily" or "@every 10m"' })
      .describe('5 fields (min hour day month weekday), 6 with seconds first, @hourly-style names, or "@every 10m".'),
    timezone: z.string({ error: 'expected an IANA time zone like "Europe/London"' }).default('UTC'),
    path: z
      .string({ error: 'expected a string' })
      .max(MAX_PATH_LENGTH, { error: `expected at most ${MAX_PATH_LENGTH} characters` })
      .default('')
      .describe("Appended to the queue's target, as a task's path is; default: the target itself."),
    method: z.enum(TASK_METHODS).default('POST'),
    headers: taskHeadersSchema().default({}),
    body: z.unknown().optional().describe('Any JSON value, sent as application/json with every fire.'),
    maxAttempts: z
      .number({ error: `expected an integer from 1 to ${MAX_TASK_ATTEMPTS}` })
      .int({ error: `expected an integer from 1 to ${MAX_TASK_ATTEMPTS}` })
      .min(1, { error: 'expected an integer >= 1' })
      .max(MAX_TASK_ATTEMPTS, { error: `expected an integer <= ${MAX_TASK_ATTEMPTS}` })
      .optional(),
    timeout: timeout.optional().describe('Per-attempt timeout of each fire\'s task ("30s"); default: the queue\'s.'),
    enabled: z.boolean().default(true).describe('false: the entry is kept but never fires.'),
    catchUp: z
      .enum(CATCH_UP_POLICIES)
      .default('last')
      .describe('Fire times missed while no scheduler ran: skip them, fire the last once, or fire all (bounded).'),
    overlap: z
      .enum(OVERLAP_POLICIES)
      .default('allow')
      .describe('skip: a fire time whose previous run is unfinished is recorded as skipped, not run.'),
  })
  .superRefine((definition, ctx) => {
    const parsed = parseCronSchedule(definition.schedule, definition.timezone);
    // input: the one field, so a message that echoes what it got never prints the whole definition.
    if (!parsed.ok)
      ctx.addIssue({ code: 'custom', path: [parsed.field], input: definition[parsed.field], message: parsed.message });
    if (definition.body !== undefined) {
      const problem = findJsonProblem(definition.body);
      if (problem) ctx.addIssue({ code: 'custom', path: ['body'], message: `${problem.path}: ${problem.message}` });
      else if (hasNoBody(definition.method))
        ctx.addIssue({
          code: 'custom',
          path: ['method'],
          input: definition.method,
          message: `a ${definition.method} request cannot carry a body`,
        });
    }
  });

export type CronDefinitionInput = z.input<typeof cronDefinitionSchema>;
export type ParsedCronDefinition = z.output<typeof cronDefinitionSchema>;

/**
 * What is stored for an entry: the definition with its defaults applied, the path normalized
 * against the queue's target and header names lowercased (cron-queue-check.ts), so the firer,
 * which may not know the queue's config, writes exactly the task the definer checked.
 */
export interface CronDefinition {
  queue: string;
  schedule: string;
  timezone: string;
  path: string;
  method: string;
  headers: Record<string, string>;
  /** The JSON body's text, or null for none. */
  bodyJson: string | null;
  maxAttempts: number | null;
  timeoutMs: number | null;
  enabled: boolean;
  catchUp: CatchUpPolicy;
  overlap: OverlapPolicy;
}

/** The definition's fields in a fixed order: the text its hash is taken of, and what is stored. */
export function canonicalDefinitionJson(definition: CronDefinition): string {
  const headers = Object.fromEntries(Object.entries(definition.headers).sort(([a], [b]) => (a < b ? -1 : 1)));
  return JSON.stringify({
    queue: definition.queue,
    schedule: definition.schedule,
    timezone: definition.timezone,
    path: definition.path,
    method: definition.method,
    headers,
    bodyJson: definition.bodyJson,
    maxAttempts: definition.maxAttempts,
    timeoutMs: definition.timeoutMs,
    enabled: definition.enabled,
    catchUp: definition.catchUp,
    overlap: definition.overlap,
  });
}

/** Keys config entries at start: an unchanged definition is left alone (its next fire time kept). */
export function definitionHash(definition: CronDefinition): string {
  return createHash('sha256').update(canonicalDefinitionJson(definition)).digest('hex').slice(0, 32);
}

/** A stored definition back from its JSON text. */
export function parseStoredDefinition(text: string): CronDefinition {
  return JSON.parse(text) as CronDefinition;
}
