import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderConfigJsonSchema } from '../../../src/config/json-schema.js';
import { parseConfig } from '../../../src/config/load.js';

describe('config/dispatchr.schema.json', () => {
  it('is what the zod schema generates today (run `npm run schema:generate` after changing it)', () => {
    const committed = readFileSync(new URL('../../../config/dispatchr.schema.json', import.meta.url), 'utf8');
    expect(committed).toBe(renderConfigJsonSchema());
  });

  it('documents every top-level section and queue option that the example file uses', () => {
    const schema = JSON.parse(renderConfigJsonSchema());
    const example = parse(readFileSync(new URL('../../../config/dispatchr.example.yml', import.meta.url), 'utf8'));
    expect(Object.keys(example).sort()).toEqual(Object.keys(schema.properties).sort());
    const queueProps = Object.keys(schema.properties.queues.additionalProperties.properties);
    for (const key of Object.keys(example.queues.emails)) expect(queueProps).toContain(key);
  });

  it('the example file is a valid config', () => {
    const example = parse(readFileSync(new URL('../../../config/dispatchr.example.yml', import.meta.url), 'utf8'));
    // The example's one required variable: a signing secret has no safe default.
    expect(() =>
      parseConfig(example, undefined, { EMAILS_SIGNING_SECRET: `whsec_${Buffer.alloc(32, 7).toString('base64')}` }),
    ).not.toThrow();
  });
});
