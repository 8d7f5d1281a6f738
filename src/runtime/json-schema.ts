import { z } from 'zod';
import { MappingSchema } from '../core/mapping/schema.js';

/** JSON Schema of the site mapping file, for editor autocompletion (written to schemas/mapping.schema.json). */
export function mappingJsonSchema(): Record<string, unknown> {
  return { $id: 'https://gridbridge.dev/schemas/mapping.schema.json', title: 'GridBridge site mapping', ...z.toJSONSchema(MappingSchema, { io: 'input', unrepresentable: 'any' }) };
}
