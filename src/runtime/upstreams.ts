/**
 * The upstream blocks a mapping may hold, each validated by its own protocol's schema. The one place (with the rest
 * of src/runtime) that knows every protocol.
 */
import type { z } from 'zod';
import { mqttUpstreamSchema } from '../protocols/mqtt/mapping.js';
import { openadrMappingSchema } from '../protocols/openadr/mapping.js';
import { sapcMappingSchema } from '../protocols/sapc/mapping.js';
import { Sep2MappingSchema } from '../protocols/sep2/mapping.js';
import { iec104MappingSchema } from '../protocols/iec104/mapping.js';

export type UpstreamName = 'mqtt' | 'sep2' | 'iec104' | 'openadr' | 'sapc';

export const upstreamSchemas: Partial<Record<UpstreamName, z.ZodType>> = {
  mqtt: mqttUpstreamSchema,
  openadr: openadrMappingSchema,
  sapc: sapcMappingSchema,
  sep2: Sep2MappingSchema,
  iec104: iec104MappingSchema,
};
