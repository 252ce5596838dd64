import { readFileSync } from 'node:fs';
import { buildOpenApiDocument } from './openapi.js';
import type { RecorderDeps } from './context.js';
import { allRoutes } from './routes/index.js';

/**
 * spec/openapi.json's exact text: the document GET /v1/openapi.json serves (without `servers`,
 * which depends on where the recorder is mounted), built from the route table with no config and
 * no database. Keys keep the order the builder writes them in, which depends only on the code, so
 * the same code always writes the same bytes: 2-space indent and a trailing newline.
 * scripts/generate-openapi.ts writes it; test/unit/recorder/openapi-committed.test.ts compares it.
 */
export const OPENAPI_FILE = new URL('../../spec/openapi.json', import.meta.url);

/** Route factories only read deps when a request arrives; one that reads them earlier fails here, loudly. */
const NO_DEPS = new Proxy({} as RecorderDeps, {
  get(_target, name) {
    throw new Error(`the OpenAPI document is built without a recorder: a route read deps.${String(name)}`);
  },
});

export function openApiDocument(): Record<string, unknown> {
  return buildOpenApiDocument(allRoutes(NO_DEPS), packageVersion());
}

export function renderOpenApiFile(): string {
  return `${JSON.stringify(openApiDocument(), null, 2)}\n`;
}

function packageVersion(): string {
  const json = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return json.version;
}
