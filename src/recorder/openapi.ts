import { z } from 'zod';
import type { RouteSpec } from './routes/route.js';
import {
  attemptResource,
  batchResponse,
  healthResponse,
  problemResource,
  purgeResponse,
  queueListResponse,
  queueResource,
  taskListResponse,
  taskResource,
  waitingReason,
} from './schemas/resource.schema.js';
import {
  cronEntryListResponse,
  cronEntryResource,
  cronRunListResponse,
  cronTriggerResponse,
} from './schemas/cron.schema.js';
import { activityResponse, failureGroupsResponse, sessionResponse } from './schemas/dashboard.schema.js';
import { bulkCancelResponse, bulkRetryResponse } from './schemas/search.schema.js';

/**
 * The OpenAPI 3.1 document, generated from the route table and the same zod schemas that validate
 * requests (OpenAPI 3.1 schemas are JSON Schema 2020-12, which z.toJSONSchema writes). Shared
 * response shapes become named components.
 */
type Json = Record<string, unknown>;

const NAMED = new Map<z.ZodType, string>([
  [taskResource, 'Task'],
  [attemptResource, 'Attempt'],
  [batchResponse, 'TaskBatch'],
  [taskListResponse, 'TaskPage'],
  [queueResource, 'Queue'],
  [queueListResponse, 'QueueList'],
  [purgeResponse, 'Purge'],
  [problemResource, 'Problem'],
  [healthResponse, 'Health'],
  [waitingReason, 'WaitingReason'],
  [bulkRetryResponse, 'BulkRetry'],
  [bulkCancelResponse, 'BulkCancel'],
  [sessionResponse, 'Session'],
  [activityResponse, 'Activity'],
  [failureGroupsResponse, 'FailureGroups'],
  [cronEntryResource, 'CronEntry'],
  [cronEntryListResponse, 'CronEntryList'],
  [cronRunListResponse, 'CronRunList'],
  [cronTriggerResponse, 'CronTrigger'],
]);

const PATH_PARAMETERS: Record<string, string> = {
  queue: 'A queue name from the configuration.',
  id: 'The task id (UUIDv7).',
  name: 'A cron entry name.',
};

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Json;
  void $schema;
  return rest;
}

export function buildOpenApiDocument(routes: readonly RouteSpec[], version: string): Json {
  const components: Record<string, Json> = {};
  const ref = (schema: z.ZodType, io: 'input' | 'output'): Json => {
    const name = NAMED.get(schema);
    if (!name) return jsonSchema(schema, io);
    components[name] ??= jsonSchema(schema, io);
    return { $ref: `#/components/schemas/${name}` };
  };

  const paths: Record<string, Record<string, Json>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    const parameters: Json[] = [...route.path.matchAll(/:(\w+)/g)].map(([, name]) => ({
      name,
      in: 'path',
      required: true,
      schema: { type: 'string' },
      description: PATH_PARAMETERS[name] ?? name,
    }));
    if (route.query) {
      for (const [name, field] of Object.entries(route.query.shape)) {
        parameters.push({
          name,
          in: 'query',
          required: false,
          schema: jsonSchema(field as z.ZodType, 'input'),
          description: (field as z.ZodType).description,
        });
      }
    }
    if (route.idempotent) {
      parameters.push({
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        schema: { type: 'string', minLength: 1, maxLength: 255 },
        description:
          'Makes the create safe to retry: within 24 h the same key (per token and queue) answers the first response.',
      });
      parameters.push({
        name: 'traceparent',
        in: 'header',
        required: false,
        schema: { type: 'string' },
        description: 'W3C trace context, stored with the tasks when valid.',
      });
    }
    const responses: Json = {};
    for (const [status, spec] of Object.entries(route.responses)) {
      const problemType = Number(status) >= 400;
      responses[status] = {
        description: spec.description,
        ...(spec.headers
          ? {
              headers: Object.fromEntries(
                Object.entries(spec.headers).map(([name, description]) => [
                  name,
                  { description, schema: { type: 'string' } },
                ]),
              ),
            }
          : {}),
        ...(spec.schema
          ? {
              content: {
                [problemType ? 'application/problem+json' : 'application/json']: { schema: ref(spec.schema, 'output') },
              },
            }
          : {}),
      };
    }
    if (route.permission !== 'public') {
      responses['401'] ??= {
        description: 'Missing or bad bearer token.',
        content: { 'application/problem+json': { schema: ref(problemResource, 'output') } },
      };
      responses['403'] ??= {
        description: "The token's role does not allow this route, or the token may not use this queue.",
        content: { 'application/problem+json': { schema: ref(problemResource, 'output') } },
      };
      responses['503'] ??= {
        description: 'The database is unavailable; carries Retry-After.',
        content: { 'application/problem+json': { schema: ref(problemResource, 'output') } },
      };
    }
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = {
      operationId: route.operationId,
      summary: route.summary,
      ...(parameters.length ? { parameters } : {}),
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: jsonSchema(route.body, 'input') } },
            },
          }
        : {}),
      responses,
      security: route.permission === 'public' ? [] : [{ bearer: [] }],
      // The weakest token role allowed (spec 4.2): admin, enqueue, read, or public.
      'x-dispatchr-permission': route.permission,
    };
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'Dispatchr recorder API',
      version,
      description:
        'Creates and manages HTTP tasks. Errors are application/problem+json: { code, title, status, detail, errors }.',
    },
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'A token from recorder.tokens (only when tokens are configured).',
        },
      },
    },
  };
}
