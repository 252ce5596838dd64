import { TASK_METHODS, hasNoBody } from '../rules/task-fields.js';
import { dateTime, DURATION_PATTERN, headersSchema } from './openapi-rules.js';

/**
 * Rules for schemas that live outside src/recorder/schemas (the cron definition, which also reads
 * dispatchr.yml; the scheduler view, which the operator CLI renders too), added to the generated
 * JSON Schema here by operation rather than with `.meta()` in those modules. Each patch names the
 * field it changes, so a renamed field fails loudly instead of leaving the document silent.
 */
type Json = Record<string, unknown>;

function property(schema: Json, path: readonly string[]): Json {
  let node: Json = schema;
  for (const key of path) {
    const next =
      (node.properties as Record<string, Json> | undefined)?.[key] ?? (key === '[]' ? node.items : undefined);
    if (!next || typeof next !== 'object') throw new Error(`openapi: no field ${path.join('.')} to describe`);
    node = next as Json;
  }
  return node;
}

const NO_BODY_METHODS = TASK_METHODS.filter(hasNoBody);

/** PUT /v1/cron/{name}: cron-definition.ts's header rules, its timeout's grammar, and no body on GET/HEAD. */
function refineCronDefinition(schema: Json): Json {
  Object.assign(property(schema, ['headers']), headersSchema);
  Object.assign(property(schema, ['timeout']), { pattern: DURATION_PATTERN });
  schema.if = { required: ['method'], properties: { method: { enum: NO_BODY_METHODS } } };
  schema.then = { not: { required: ['body'] } };
  return schema;
}

/** GET /v1/schedulers: the times of scheduler-view.ts. */
function refineSchedulerList(schema: Json): Json {
  for (const field of ['startedAt', 'heartbeatAt'])
    Object.assign(property(schema, ['schedulers', '[]', field]), dateTime);
  return schema;
}

const BODIES: Record<string, (schema: Json) => Json> = { putCronEntry: refineCronDefinition };
const RESPONSES: Record<string, (schema: Json) => Json> = { listSchedulers: refineSchedulerList };

export function refineBody(operationId: string, schema: Json): Json {
  return BODIES[operationId]?.(schema) ?? schema;
}

/** A response schema of the operation; `$ref`s to shared components pass through unchanged. */
export function refineResponse(operationId: string, schema: Json): Json {
  return '$ref' in schema ? schema : (RESPONSES[operationId]?.(schema) ?? schema);
}
