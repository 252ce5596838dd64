import { MAX_KEY_LENGTH } from '../rules/task-fields.js';
import type { Permission } from './auth.js';
import { IDEMPOTENCY_KEY_PATTERN, QUEUE_NAME_PATTERN, uuid } from './openapi-rules.js';

/**
 * The parts of an operation the zod schemas do not describe: path parameters (checked by the
 * handlers, not by a schema), the create's headers, and the role a route needs (checked by the
 * router, routes/index.ts). Split from openapi.ts, which assembles the document.
 */
type Json = Record<string, unknown>;

const PATH_PARAMETERS: Record<string, { description: string; schema: Json }> = {
  queue: {
    description: 'A queue name from the configuration (404 when it is not configured).',
    schema: { type: 'string', pattern: QUEUE_NAME_PATTERN },
  },
  id: {
    description: 'The task id (UUIDv7, either case; anything else answers 404).',
    schema: { type: 'string', ...uuid },
  },
  key: {
    description: `A de-duplication key, 1 to ${MAX_KEY_LENGTH} characters, URL-encoded.`,
    schema: { type: 'string', minLength: 1, maxLength: MAX_KEY_LENGTH },
  },
  // A plain string: only PUT checks a name's form (400 naming it, cron-definition.ts CRON_NAME);
  // the other cron routes answer 404 for any name they do not hold.
  name: { description: 'A cron entry name.', schema: { type: 'string' } },
};

export function pathParameters(path: string): Json[] {
  return [...path.matchAll(/:(\w+)/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema: PATH_PARAMETERS[name]?.schema ?? { type: 'string' },
    description: PATH_PARAMETERS[name]?.description ?? name,
  }));
}

/** The headers a create reads besides Content-Type (spec 4.5, 4.6). */
export const CREATE_HEADERS: Json[] = [
  {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    schema: { type: 'string', minLength: 1, maxLength: 255, pattern: IDEMPOTENCY_KEY_PATTERN },
    description:
      'Makes the create safe to retry: within 24 h the same key (per token and queue) answers the first response. 1 to 255 visible ASCII characters; anything else answers 400.',
  },
  {
    name: 'traceparent',
    in: 'header',
    required: false,
    schema: { type: 'string' },
    description: 'W3C trace context, stored with the tasks when valid (an invalid one is ignored, not refused).',
  },
];

/** The roles that may call a route of this permission, strongest first (auth.ts: admin > enqueue > read). */
const ROLES: Record<Permission, readonly string[]> = {
  public: [],
  read: ['admin', 'enqueue', 'read'],
  enqueue: ['admin', 'enqueue'],
  admin: ['admin'],
};

/** `x-dispatchr-role` and the sentence that says it, for an operation's description. */
export function roleOf(permission: Permission): { role: Permission; text: string } {
  if (permission === 'public') return { role: 'public', text: 'Public: no token is needed.' };
  const roles = ROLES[permission];
  const list = roles.length === 1 ? roles[0] : `${roles.slice(0, -1).join(', ')} or ${roles.at(-1)}`;
  return {
    role: permission,
    text: `Needs a token whose role is ${list} (when recorder.tokens is empty the API is open and every caller is admin).`,
  };
}
