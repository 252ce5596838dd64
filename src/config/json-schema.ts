import { z } from 'zod';
import { configSchema } from './schema.js';

/**
 * The JSON Schema editors use for dispatchr.yml, generated from the same zod schema that validates
 * it (what a user may write: the input side, before defaults and duration parsing).
 */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, {
    io: 'input',
    unrepresentable: 'any',
    target: 'draft-2020-12',
  }) as Record<string, unknown>;
  return {
    $schema: schema.$schema,
    title: 'Dispatchr configuration (dispatchr.yml)',
    ...Object.fromEntries(Object.entries(schema).filter(([key]) => key !== '$schema')),
  };
}

export function renderConfigJsonSchema(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
