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
import { CREATE_HEADERS, pathParameters, roleOf } from './openapi-parameters.js';
import { refineBody, refineResponse } from './openapi-refinements.js';

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
    const parameters: Json[] = pathParameters(route.path);
    if (route.query) {
      for (const [name, field] of Object.entries(route.query.shape)) {
        const schema = jsonSchema(field as z.ZodType, 'input');
        parameters.push({
          name,
          in: 'query',
          required: false,
          schema,
          // An optional field's description may sit on the field it wraps.
          description: (field as z.ZodType).description ?? schema.description,
        });
      }
    }
    if (route.idempotent) parameters.push(...CREATE_HEADERS);
    const responses: Record<string, Json> = {};
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
                [problemType ? 'application/problem+json' : 'application/json']: {
                  schema: refineResponse(route.operationId, ref(spec.schema, 'output')),
                },
              },
            }
          : {}),
      };
    }
    // What the router itself answers, before any handler runs (routes/index.ts).
    const problem = (description: string): Json => ({
      description,
      content: { 'application/problem+json': { schema: ref(problemResource, 'output') } },
    });
    responses['400'] ??= problem(
      route.query
        ? 'A bad or unknown query parameter; `errors` names it.'
        : 'This route takes no query parameters; `errors` names the one sent.',
    );
    if (route.method === 'POST' || route.method === 'PUT')
      responses['415'] ??= problem(
        'Content-Type is not application/json: every POST and PUT sends it, bodiless ones too (a browser cannot, cross-site, without a preflight).',
      );
    if (route.permission !== 'public') {
      responses['401'] ??= problem('Missing or bad bearer token.');
      responses['403'] ??= problem("The token's role does not allow this route, or the token may not use this queue.");
      responses['503'] ??= problem('The database is unavailable; carries Retry-After.');
    }
    const { role, text } = roleOf(route.permission);
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = {
      operationId: route.operationId,
      summary: route.summary,
      description: text,
      ...(parameters.length ? { parameters } : {}),
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: {
                'application/json': { schema: refineBody(route.operationId, jsonSchema(route.body, 'input')) },
              },
            },
          }
        : {}),
      responses,
      security: route.permission === 'public' ? [] : [{ bearer: [] }],
      // The weakest token role allowed (spec 4.2): admin, enqueue, read, or public. Both names:
      // x-dispatchr-role is the one spec/openapi.json documents, the other is kept for readers of v0.
      'x-dispatchr-role': role,
      'x-dispatchr-permission': route.permission,
    };
  }

  const shared = sharedComponents(components);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Dispatchr recorder API',
      version,
      description: [
        'Creates and manages HTTP tasks. Errors are application/problem+json: { code, title, status, detail, errors }.',
        'Generated from the route table and the schemas that validate requests (npm run openapi:generate). docs/spec.md is normative: this document describes it, and the test suite keeps the two in agreement.',
        'x-dispatchr-role on each operation is the weakest token role that may call it (read < enqueue < admin; public: no token).',
      ].join('\n\n'),
    },
    paths: shared(paths),
    components: {
      schemas: Object.fromEntries(Object.entries(components).map(([name, schema]) => [name, shared(schema, name)])),
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

/**
 * z.toJSONSchema writes a schema used inside another (a Task in a TaskPage) in full each time.
 * This replaces every exact copy of a named component with a $ref to it, so each resource is
 * written once (`own`: the component being walked, which must not point at itself).
 */
function sharedComponents(components: Record<string, Json>) {
  const byText = new Map(Object.entries(components).map(([name, schema]) => [JSON.stringify(schema), name]));
  const walk = (node: unknown, own?: string): unknown => {
    if (Array.isArray(node)) return node.map((item) => walk(item, own));
    if (node === null || typeof node !== 'object') return node;
    const name = byText.get(JSON.stringify(node));
    if (name !== undefined && name !== own) return { $ref: `#/components/schemas/${name}` };
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, walk(value, own)]));
  };
  return <T>(node: T, own?: string): T => {
    if (own === undefined) return walk(node) as T;
    // The component's root is itself; only what it holds may become a $ref.
    return Object.fromEntries(Object.entries(node as Json).map(([key, value]) => [key, walk(value, own)])) as T;
  };
}
