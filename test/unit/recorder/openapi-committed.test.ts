import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OPENAPI_FILE, renderOpenApiFile } from '../../../src/recorder/openapi-file.js';

/**
 * spec/openapi.json is generated (npm run openapi:generate) and committed. This is how CI fails
 * when a route or a request schema changes and the file was not regenerated: the unit tests run
 * in CI, and this one compares the generated text with the committed bytes.
 */
const STALE = 'spec/openapi.json is stale: run `npm run openapi:generate` and commit the result';

describe('spec/openapi.json', () => {
  it('is exactly what the route table and its schemas generate', () => {
    const generated = renderOpenApiFile();
    const committed = readFileSync(OPENAPI_FILE, 'utf8');
    // Not toEqual on the strings: a 7,000-line diff hides the message that says what to do.
    if (committed !== generated) {
      const at = [...committed].findIndex((c, i) => c !== generated[i]);
      const line = committed.slice(0, at).split('\n').length;
      expect.fail(`${STALE} (first difference at line ${line})`);
    }
  });

  it('is formatted for review: 2-space indent, a trailing newline, and the same bytes on every run', () => {
    const text = renderOpenApiFile();
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.split('\n')[1]).toBe('  "openapi": "3.1.0",');
    expect(renderOpenApiFile()).toBe(text);
  });

  it('names the role each operation needs, in the extension and in words', () => {
    const doc = JSON.parse(renderOpenApiFile()) as {
      paths: Record<string, Record<string, { 'x-dispatchr-role': string; description: string; security: unknown[] }>>;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    const roles: Record<string, string> = {};
    for (const [path, operations] of Object.entries(doc.paths))
      for (const [method, operation] of Object.entries(operations)) {
        roles[`${method.toUpperCase()} ${path}`] = operation['x-dispatchr-role'];
        if (operation['x-dispatchr-role'] === 'public') expect(operation.security).toEqual([]);
        else expect(operation.security).toEqual([{ bearer: [] }]);
        expect(operation.description).toMatch(/^(Needs a token whose role is|Public: no token is needed)/);
      }
    // A sample of spec 4.2's matrix.
    expect(roles).toMatchObject({
      'GET /healthz': 'public',
      'POST /v1/queues/{queue}/tasks': 'enqueue',
      'GET /v1/tasks/{id}': 'read',
      'POST /v1/tasks/retry': 'admin',
      'PUT /v1/cron/{name}': 'admin',
    });
    expect(doc.paths['/v1/queues/{queue}/purge'].post.description).toBe(
      'Needs a token whose role is admin (when recorder.tokens is empty the API is open and every caller is admin).',
    );
  });
});
