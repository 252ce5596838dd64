/** Writes spec/openapi.json from the route table and its zod schemas (npm run openapi:generate). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OPENAPI_FILE, renderOpenApiFile } from '../src/recorder/openapi-file.js';

const target = fileURLToPath(OPENAPI_FILE);
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, renderOpenApiFile());
console.log(`wrote ${target}`);
