import { z } from 'zod';
import type { QueueConfig } from '../config/schema.js';
import { REDACTED } from '../rules/task-headers.js';
import { isSensitiveName } from '../sensitive-names.js';

/**
 * A queue's configuration as `GET /v1/queues` shows it (spec 4.10): what a person needs to
 * understand its behaviour, and no secret. A read token sees it, so whatever may hold a credential
 * is hidden: the target URL's user-info and every query value (a signed URL's `sig=` or an
 * `apikey=` are not always named as secrets), its fragment, and strategy options whose name is
 * sensitive by the one rule of src/sensitive-names.ts. Signing secrets are never shown.
 */
export const queueConfigResource = z.object({
  target: z
    .string()
    .describe('The target URL; its user-info, query values and fragment shown as [redacted] when present.'),
  timeout: z.number().int().describe('Per-attempt timeout in milliseconds.'),
  maxAttempts: z.number().int().nullable().describe('retry.maxAttempts: attempts in all, the first included.'),
  defaultPriority: z.number().int().describe("A task's priority when it sends none: 0 (claimed first) to 9."),
  retry: z.object({
    strategy: z.string().describe('exponential, linear, fixed, cloud-tasks, or a plugin module.'),
    options: z.record(z.string(), z.unknown()).describe("The strategy's options; sensitive-named values [redacted]."),
    maxRetryDuration: z.number().int().describe('Milliseconds after the first attempt when retries stop; 0: no limit.'),
  }),
});

export type QueueConfigResource = z.infer<typeof queueConfigResource>;

export function renderQueueConfig(queue: QueueConfig): QueueConfigResource {
  return {
    target: redactTarget(queue.target),
    timeout: queue.timeout,
    maxAttempts: queue.retry.maxAttempts,
    defaultPriority: queue.defaultPriority,
    retry: {
      strategy: queue.retry.strategy,
      options: redactOptions(queue.retry.options) as Record<string, unknown>,
      maxRetryDuration: queue.retry.maxRetryDuration,
    },
  };
}

/**
 * The URL spelled as configured but for the parts that may carry a credential: the user-info
 * (`https://TOKEN@host/` puts it in the user name), each query value (names kept; a bare name
 * hidden whole), and the fragment. Text that is not a URL is hidden whole.
 */
export function redactTarget(target: string): string {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return REDACTED;
  }
  const userInfo = url.username !== '' || url.password !== '' ? `${REDACTED}@` : '';
  const query =
    url.search === ''
      ? ''
      : `?${url.search
          .slice(1)
          .split('&')
          .map((pair) => (pair.includes('=') ? `${pair.slice(0, pair.indexOf('='))}=${REDACTED}` : REDACTED))
          .join('&')}`;
  const fragment = url.hash === '' ? '' : `#${REDACTED}`;
  return `${url.protocol}//${userInfo}${url.host}${url.pathname}${query}${fragment}`;
}

function redactOptions(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactOptions);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([name, inner]) => [name, isSensitiveName(name) ? REDACTED : redactOptions(inner)]),
  );
}
