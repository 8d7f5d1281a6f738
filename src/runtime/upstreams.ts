/**
 * The upstream blocks a mapping may hold, each validated by its own protocol's schema. The one place (with the rest
 * of src/runtime) that knows every protocol.
 */
import type { z } from 'zod';
import { mqttUpstreamSchema } from '../protocols/mqtt/mapping.js';
import { openadrMappingSchema } from '../protocols/openadr/mapping.js';
import { sapcMappingSchema } from '../protocols/sapc/mapping.js';

export type UpstreamName = 'mqtt' | 'sep2' | 'iec104' | 'openadr' | 'sapc';

export const upstreamSchemas: Partial<Record<UpstreamName, z.ZodType>> = {
  mqtt: mqttUpstreamSchema,
  openadr: openadrMappingSchema,
  sapc: sapcMappingSchema,
};
