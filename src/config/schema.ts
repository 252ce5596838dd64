import { z } from 'zod';
import { normalizeHostname } from '../host-name.js';
import { parseSigningSecret } from '../signing-secret.js';
import { QUEUE_NAME } from '../rules/task-fields.js';
import { DEFAULT_PRIORITY, MAX_PRIORITY, MIN_PRIORITY } from '../rules/task-priority.js';
import { byteSize, durationMs, integer } from './units.schema.js';
import { queueCallbacksSchema, responseSchema } from './results.schema.js';
import { CRON_NAME, CRON_NAME_RULE, cronDefinitionSchema } from '../cron/cron-definition.js';

export { durationMs } from './units.schema.js';

/**
 * The whole configuration, with every default. `config/dispatchr.schema.json` is generated from this
 * file (npm run schema:generate) and a test fails when it is stale.
 */

/** What a token may do (docs/spec.md 4.2): read < enqueue (create and read) < admin (everything). */
export const TOKEN_ROLES = ['admin', 'enqueue', 'read'] as const;

const tokenSchema = z.union([
  z.string().min(16, 'expected a token of at least 16 characters'),
  z
    .strictObject({
      token: z
        .string()
        .min(16, 'expected a token of at least 16 characters')
        .describe('The bearer token, or "sha256:<hex>" of it.'),
      name: z.string().optional().describe('A label for logs; never the token itself.'),
      queues: z.array(z.string()).optional().describe('Queues this token may touch; all when absent.'),
      role: z
        .enum(TOKEN_ROLES)
        .optional()
        .describe('admin (default): every route; enqueue: create and read tasks; read: GET routes only.'),
      readOnly: z.boolean().optional().describe('true: the same as role: read (kept for older configs).'),
    })
    .superRefine((token, ctx) => {
      // Two spellings of one setting must not disagree: which one wins would be a guess.
      if (token.readOnly === true && token.role !== undefined && token.role !== 'read') {
        // input: only this field, so the message can never echo the token beside it.
        const message = `expected no role, or role: read, with readOnly: true (its older spelling), got role: ${JSON.stringify(token.role)}`;
        ctx.addIssue({ code: 'custom', path: ['readOnly'], input: token.readOnly, message });
      }
    }),
]);

/** A name the recorder answers to when its API is open: a hostname or IP address, no scheme, port or path. */
const allowedHostSchema = z
  .string()
  .min(1)
  .max(253)
  .transform((value, ctx) => {
    const hostname = normalizeHostname(value);
    if (hostname === null) {
      ctx.addIssue({
        code: 'custom',
        message:
          'expected a hostname or IP address without scheme, port or path (example.internal, 10.0.0.5, [fd00::5])',
      });
      return z.NEVER;
    }
    return hostname;
  });

/** spec §5.3; the message names the rule, never the secret (it says what it got, so no value is echoed). */
const signingSecretSchema = z.string().superRefine((secret, ctx) => {
  const parsed = parseSigningSecret(secret);
  if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.message });
});

const retrySchema = z.strictObject({
  strategy: z
    .string()
    .min(1)
    .default('exponential')
    .describe(
      'exponential | linear | fixed | cloud-tasks, a path to a plugin module (relative to the config file) or an npm package name.',
    ),
  options: z
    .record(z.string(), z.unknown())
    .default({})
    .describe("The strategy's options, validated by the strategy's own schema."),
  maxAttempts: integer(1, 1000).default(25).describe('Attempts in all, the first included.'),
  maxRetryDuration: durationMs('Stop retrying this long after the first attempt started; 0 means no limit.').prefault(
    '7d',
  ),
});

const rateLimitSchema = z.strictObject({
  perSecond: z.number().positive().max(1_000_000).describe('Dispatches per second, across all schedulers.'),
  burst: integer(1, 1_000_000).optional().describe('Dispatches allowed at once above the rate; default perSecond.'),
});

const statusMapSchema = z
  .record(
    z.string().regex(/^([1-5]\d\d|[1-5]xx)$/, 'expected a status code like "409" or a class like "4xx"'),
    z.enum(['completed', 'retry', 'failed']),
  )
  .optional()
  .describe('Overrides of the default outcome per status code or class, e.g. { "409": completed, "404": retry }.');

/** The most a task's own maxAttempts and timeout may ask for (rules/task-limits.ts applies them). */
const taskLimitsSchema = z
  .strictObject({
    maxAttempts: integer(1, 1000)
      .optional()
      .describe('The highest maxAttempts a task may set; default 100, or retry.maxAttempts when that is higher.'),
    timeout: durationMs(
      'The longest per-attempt timeout a task may set; default: any timeout at least 2 s shorter than scheduler.leaseDuration.',
    ).optional(),
  })
  .prefault({})
  .describe(
    "Caps on a task's own maxAttempts and timeout: the recorder refuses more (400), the scheduler clamps what other writers stored.",
  );

export const queueSchema = z
  .strictObject({
    target: z
      .url({ protocol: /^https?$/, error: 'expected an http(s) URL' })
      .describe('Base URL; a task path is appended to it.'),
    allowPrivateNetwork: z
      .boolean()
      .default(false)
      .describe('Allow loopback and private targets (local setups). Metadata addresses stay refused.'),
    maxConcurrent: integer(1, 10_000)
      .default(100)
      .describe('Requests in flight for this queue, across all schedulers.'),
    defaultPriority: integer(MIN_PRIORITY, MAX_PRIORITY)
      .default(DEFAULT_PRIORITY)
      .describe(
        "A task's priority when it sends none: 0 (claimed first) to 9. Stored in the database for writers that cannot see the config.",
      ),
    rateLimit: rateLimitSchema.optional().describe('No rate limit when absent.'),
    timeout: durationMs('Per-attempt request timeout; at least 2 s shorter than scheduler.leaseDuration.').prefault(
      '30s',
    ),
    retry: retrySchema.prefault({}),
    taskLimits: taskLimitsSchema,
    signingSecret: signingSecretSchema
      .optional()
      .describe('Standard Webhooks secret: "whsec_" + base64 of 24-64 random bytes; requests are signed when set.'),
    signingSecrets: z
      .array(signingSecretSchema)
      .min(1, { error: 'expected 1 to 8 secrets, newest first (leave the key out to send unsigned requests)' })
      .max(8, { error: 'expected at most 8 secrets, newest first' })
      .optional()
      .describe('[new, old] during rotation: every request carries both signatures.'),
    statusMap: statusMapSchema,
    response: responseSchema,
    callbacks: queueCallbacksSchema,
  })
  .superRefine((queue, ctx) => {
    // One list of secrets (spec 5.3): with both keys, which one signs would be a guess.
    if (queue.signingSecret !== undefined && queue.signingSecrets !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['signingSecrets'],
        message:
          'expected signingSecret or signingSecrets, not both (list every secret in signingSecrets, newest first)',
      });
    }
    // A cap below the queue's own default would clamp every task that asks for nothing.
    const limits = queue.taskLimits;
    if (limits.maxAttempts !== undefined && limits.maxAttempts < queue.retry.maxAttempts) {
      ctx.addIssue({
        code: 'custom',
        path: ['taskLimits', 'maxAttempts'],
        message: `expected at least retry.maxAttempts (${queue.retry.maxAttempts})`,
      });
    }
    if (limits.timeout !== undefined && limits.timeout < queue.timeout) {
      ctx.addIssue({
        code: 'custom',
        path: ['taskLimits', 'timeout'],
        message: `expected at least the queue's timeout (${queue.timeout} ms)`,
      });
    }
  });

export const configSchema = z.strictObject({
  database: z
    .strictObject({
      url: z
        .string()
        .min(1)
        .default('sqlite:./dispatchr.db')
        .describe('sqlite:<file>, sqlite::memory: or postgres://user:pw@host/db.'),
      poolSize: integer(1, 100).default(10).describe('PostgreSQL connections per process.'),
    })
    .prefault({}),
  recorder: z
    .strictObject({
      host: z.string().default('127.0.0.1'),
      port: integer(0, 65535).default(8787),
      basePath: z.string().regex(/^\//, 'expected a path starting with "/"').default('/'),
      tokens: z
        .array(tokenSchema)
        .default([])
        .describe('Bearer tokens; when empty the API is open (bind to 127.0.0.1 only).'),
      allowedHosts: z
        .array(allowedHostSchema)
        .default([])
        .describe(
          'Host names served besides loopback ones while the API is open (no tokens); with tokens, when set, the only other names served.',
        ),
      maxBodySize: byteSize('Largest request body accepted.').prefault('1mb'),
      // The reads' bounds (docs/spec.md 4.8): a list or search costs the recorder and the database
      // a bounded amount, whoever asks and however large the table has grown.
      maxPageBytes: byteSize(
        'Largest list or search answer; a page ends early, with a cursor, rather than pass it.',
      ).prefault('8mb'),
      maxScanRows: integer(100, 10_000_000)
        .default(50_000)
        .describe(
          'Most tasks one list or search examines when it filters by time, path or text; the page ends early, with a cursor, when they are used up.',
        ),
      readTimeout: durationMs(
        'PostgreSQL statement_timeout of each list or search statement (at most 14s: under the 15 s query deadline).',
      )
        .prefault('5s')
        .refine((ms) => ms >= 1 && ms <= 14_000, { error: 'expected a duration from 1ms to 14s' }),
      maxConcurrentReads: integer(1, 100)
        .default(4)
        .describe(
          'Lists and searches running at once in this recorder; more answer 503 reads_busy. Keep it below database.poolSize so creates always find a connection.',
        ),
      trustProxy: z.boolean().default(false),
      ui: z
        .strictObject({
          enabled: z
            .boolean()
            .default(true)
            .describe('Serve the dashboard at <basePath>/ui/ (its files are public; its data needs a token).'),
        })
        .prefault({}),
    })
    .prefault({}),
  scheduler: z
    .strictObject({
      id: z.string().optional().describe('Scheduler id for leases; default host-pid-random.'),
      leaseDuration: durationMs('How long a claim is held; longer than every queue timeout.').prefault('2m'),
      pollInterval: durationMs('How often to look for due tasks when no wake-up arrives.').prefault('1s'),
      shutdownTimeout: durationMs('On SIGTERM, wait this long for requests in flight.').prefault('25s'),
      heartbeatInterval: durationMs('How often this scheduler records that it is alive.').prefault('5s'),
      batchSize: integer(1, 1000)
        .default(250)
        .describe(
          'Most tasks one claim takes. A queue gets max(2, ceil(maxConcurrent / batchSize)) claim slots of equal size: maxConcurrent 500 gives two of 250, 100 gives two of 50.',
        ),
      workerThreads: integer(1, 16).default(1).describe('piscina threads that send requests.'),
      metrics: z
        .strictObject({ host: z.string().default('127.0.0.1'), port: integer(0, 65535).optional() })
        .prefault({})
        .describe('Prometheus /metrics; off unless a port is set.'),
    })
    .prefault({}),
  log: z
    .strictObject({
      level: z
        .enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])
        .default('info')
        .describe('info: a summary per queue every summaryInterval; debug adds a line per task transition.'),
      summaryInterval: durationMs(
        "How often the scheduler logs each busy queue's counts (dispatched, completed, retried, failed, rate in force) at info; 0 turns the summary off.",
      ).prefault('10s'),
      pretty: z.boolean().optional().describe('Human-readable lines; default: when stdout is a TTY.'),
    })
    .prefault({}),
  retention: z
    .strictObject({
      completed: durationMs('Prune completed tasks this long after they finished; 0 keeps them.').prefault('7d'),
      failed: durationMs('Prune failed and cancelled tasks this long after they finished; 0 keeps them.').prefault(
        '30d',
      ),
    })
    .prefault({}),
  queues: z
    .record(
      z.string().regex(QUEUE_NAME, 'expected a queue name of letters, digits, "_", "." or "-" (at most 64)'),
      queueSchema,
    )
    .default({}),
  cron: z
    .record(z.string().regex(CRON_NAME, CRON_NAME_RULE), cronDefinitionSchema)
    .default({})
    .describe(
      'Recurring tasks: entry name → when it fires (schedule, timezone) and the task each fire creates. docs/spec.md, "Cron".',
    ),
});

export type ConfigInput = z.input<typeof configSchema>;
export type Config = z.output<typeof configSchema>;
export type QueueConfig = z.output<typeof queueSchema>;
export type TokenConfig = z.output<typeof tokenSchema>;
