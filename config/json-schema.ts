// The JSON Schema editors use to check a provisioning file as it is typed, generated from the
// zod schema (the input side: what a technician writes, before defaults and parsing).
import { z } from 'zod';
import { configSchema } from './schema.ts';

export function jsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }),
    $id: 'https://hearth.invalid/schema/provisioning-v1.json',
    title: 'Hearth provisioning file, version 1',
  };
}
