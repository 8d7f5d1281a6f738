import { z } from 'zod';
import { ProfileSchema } from './schema.js';

/** JSON Schema of the device profile file, for editor autocompletion (written to schemas/profile.schema.json). */
export function profileJsonSchema(): Record<string, unknown> {
  return {
    $id: 'https://gridbridge.dev/schemas/profile.schema.json',
    title: 'GridBridge device profile',
    ...z.toJSONSchema(ProfileSchema, { io: 'input', unrepresentable: 'any' }),
  };
}
