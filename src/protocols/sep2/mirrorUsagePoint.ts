/** MirrorUsagePoint(List): one per telemetry data point (seed 002), MirrorMeterReadings inside. */
import { z } from 'zod';
import { resource } from './xml.js';
import { MirrorMeterReadingSchema } from './mirrorMeterReading.js';
import { HexBinary16, HexBinary160, UInt32, UInt8, identified, list, listAttrs, resourceAttrs } from './primitives.js';

export const MirrorUsagePointSchema = z.object({
  ...resourceAttrs,
  ...identified,
  roleFlags: HexBinary16,
  serviceCategoryKind: UInt8,
  status: UInt8,
  deviceLFDI: HexBinary160,
  MirrorMeterReading: list(MirrorMeterReadingSchema).optional(),
  postRate: UInt32.optional(),
});
export type MirrorUsagePoint = z.output<typeof MirrorUsagePointSchema>;
export const MirrorUsagePointResource = resource('MirrorUsagePoint', MirrorUsagePointSchema);
export const parseMirrorUsagePoint = MirrorUsagePointResource.parse;
export const serializeMirrorUsagePoint = MirrorUsagePointResource.serialize;

export const MirrorUsagePointListSchema = z.object({
  ...listAttrs,
  pollRate: UInt32.optional(),
  MirrorUsagePoint: list(MirrorUsagePointSchema),
});
export type MirrorUsagePointList = z.output<typeof MirrorUsagePointListSchema>;
export const MirrorUsagePointListResource = resource('MirrorUsagePointList', MirrorUsagePointListSchema);
export const parseMirrorUsagePointList = MirrorUsagePointListResource.parse;
export const serializeMirrorUsagePointList = MirrorUsagePointListResource.serialize;

/** RoleFlagsType bits: isMirror (0), isPremisesAggregationPoint (1), isPEV (2), isDER (3), isRevenueQuality (4), isDC (5), isSubmeter (6). */
export const ROLE_FLAGS = { isMirror: 0x01, isPremisesAggregationPoint: 0x02, isDER: 0x08, isSubmeter: 0x40 } as const;
