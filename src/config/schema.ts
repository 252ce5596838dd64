import { z } from 'zod';
import { parseDuration } from '../duration.js';

/**
 * The whole configuration, with every default. `config/dispatchr.schema.json` is generated from this
 * file (npm run schema:generate) and a test fails when it is stale.
 */

/** A duration in config: "500ms", "30s", "10m", "1h", "2d", or a bare number of milliseconds. */
export const durationMs = (description: string) =>
  z
    .union([z.number(), z.string()])
    .transform((value, ctx) => {
      const ms = parseDuration(value, 'ms');
      if (ms === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `expected a duration like "500ms", "30s", "10m", "1h", "2d" or a number of milliseconds, got ${JSON.stringify(value)}`,
        });
        return z.NEVER;
      }
      return ms;
    })
    .describe(description);

/** An integer within bounds, with the message naming both the kind and the limit. */
const integer = (min: number, max: number) =>
  z
    .number({ error: (issue) => (issue.input === undefined ? undefined : `expected an integer from ${min} to ${max}`) })
    .int({ error: `expected an integer >= ${min}` })
    .min(min, { error: `expected an integer >= ${min}` })
    .max(max, { error: `expected an integer <= ${max}` });

/** Byte sizes: "1mb", "512kb" or a number of bytes. */
const byteSize = (description: string) =>
  z
    .union([z.number().int().positive(), z.string()])
    .transform((value, ctx) => {
      if (typeof value === 'number') return value;
      const match = /^\s*(\d+)\s*(b|kb|mb)?\s*$/i.exec(value);
      if (!match) {
        ctx.addIssue({ code: 'custom', message: `expected a size like "1mb", "512kb" or a number of bytes, got ${JSON.stringify(value)}` });
        return z.NEVER;
      }
      const unit = (match[2] ?? 'b').toLowerCase();
      return Number(match[1]) * (unit === 'mb' ? 1024 * 1024 : unit === 'kb' ? 1024 : 1);
    })
    .describe(description);

export const QUEUE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

const tokenSchema = z.union([
  z.string().min(16, 'expected a token of at least 16 characters'),
  z.strictObject({
    token: z.string().min(16, 'expected a token of at least 16 characters').describe('The bearer token, or "sha256:<hex>" of it.'),
    name: z.string().optional().describe('A label for logs; never the token itself.'),
    queues: z.array(z.string()).optional().describe('Queues this token may touch; all when absent.'),
    readOnly: z.boolean().default(false).describe('Only GET routes.'),
  }),
]);

const retrySchema = z.strictObject({
  strategy: z
    .string()
    .min(1)
    .default('exponential')
    .describe('exponential | linear | fixed | cloud-tasks, a path to a plugin module (relative to the config file) or an npm package name.'),
  options: z.record(z.string(), z.unknown()).default({}).describe("The strategy's options, validated by the strategy's own schema."),
  maxAttempts: integer(1, 1000).default(25).describe('Attempts in all, the first included.'),
  maxRetryDuration: durationMs('Stop retrying this long after the first attempt started; 0 means no limit.').prefault('7d'),
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

export const queueSchema = z.strictObject({
  target: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).describe('Base URL; a task path is appended to it.'),
  allowPrivateNetwork: z.boolean().default(false).describe('Allow loopback and private targets (local setups). Metadata addresses stay refused.'),
  maxConcurrent: integer(1, 10_000).default(100).describe('Requests in flight for this queue, across all schedulers.'),
  rateLimit: rateLimitSchema.optional().describe('No rate limit when absent.'),
  timeout: durationMs('Per-attempt request timeout; must be shorter than scheduler.leaseDuration.').prefault('30s'),
  retry: retrySchema.prefault({}),
  signingSecret: z.string().optional().describe('Standard Webhooks secret ("whsec_..." or raw); requests are signed when set.'),
  signingSecrets: z.array(z.string().min(1)).optional().describe('[new, old] during rotation: every request carries both signatures.'),
  statusMap: statusMapSchema,
});

export const configSchema = z.strictObject({
  database: z
    .strictObject({
      url: z.string().min(1).default('sqlite:./dispatchr.db').describe('sqlite:<file>, sqlite::memory: or postgres://user:pw@host/db.'),
      poolSize: integer(1, 100).default(10).describe('PostgreSQL connections per process.'),
    })
    .prefault({}),
  recorder: z
    .strictObject({
      host: z.string().default('127.0.0.1'),
      port: integer(0, 65535).default(8787),
      basePath: z.string().regex(/^\//, 'expected a path starting with "/"').default('/'),
      tokens: z.array(tokenSchema).default([]).describe('Bearer tokens; when empty the API is open (bind to 127.0.0.1 only).'),
      maxBodySize: byteSize('Largest request body accepted.').prefault('1mb'),
      trustProxy: z.boolean().default(false),
    })
    .prefault({}),
  scheduler: z
    .strictObject({
      id: z.string().optional().describe('Scheduler id for leases; default host-pid-random.'),
      leaseDuration: durationMs('How long a claim is held; longer than every queue timeout.').prefault('2m'),
      pollInterval: durationMs('How often to look for due tasks when no wake-up arrives.').prefault('1s'),
      shutdownTimeout: durationMs('On SIGTERM, wait this long for requests in flight.').prefault('25s'),
      heartbeatInterval: durationMs('How often this scheduler records that it is alive.').prefault('5s'),
      batchSize: integer(1, 1000).default(200).describe('Most tasks claimed by one statement.'),
      workerThreads: integer(1, 16).default(1).describe('piscina threads that send requests.'),
      metrics: z
        .strictObject({ host: z.string().default('127.0.0.1'), port: integer(0, 65535).optional() })
        .prefault({})
        .describe('Prometheus /metrics; off unless a port is set.'),
    })
    .prefault({}),
  log: z
    .strictObject({
      level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
      pretty: z.boolean().optional().describe('Human-readable lines; default: when stdout is a TTY.'),
    })
    .prefault({}),
  retention: z
    .strictObject({
      completed: durationMs('Prune completed tasks this long after they finished; 0 keeps them.').prefault('7d'),
      failed: durationMs('Prune failed and cancelled tasks this long after they finished; 0 keeps them.').prefault('30d'),
    })
    .prefault({}),
  queues: z
    .record(z.string().regex(QUEUE_NAME, 'expected a queue name of letters, digits, "_", "." or "-" (at most 64)'), queueSchema)
    .default({}),
});

export type ConfigInput = z.input<typeof configSchema>;
export type Config = z.output<typeof configSchema>;
export type QueueConfig = z.output<typeof queueSchema>;
export type TokenConfig = z.output<typeof tokenSchema>;
