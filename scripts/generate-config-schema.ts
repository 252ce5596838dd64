/** Writes config/dispatchr.schema.json from the zod schema (npm run schema:generate). */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderConfigJsonSchema } from '../src/config/json-schema.js';

const target = fileURLToPath(new URL('../config/dispatchr.schema.json', import.meta.url));
writeFileSync(target, renderConfigJsonSchema());
console.log(`wrote ${target}`);
