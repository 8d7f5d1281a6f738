/** MirrorMeterReading(List), Reading, ReadingType, MirrorReadingSet (sep.xsd 2018 order). */
import { z } from 'zod';
import { resource } from './xml.js';
import {
  Bool,
  DateTimeInterval,
  HexBinary16,
  Int48,
  PowerOfTenMultiplier,
  TimeType,
  UInt32,
  UInt48,
  UInt8,
  identified,
  list,
  listAttrs,
  obj,
  subscribableAttrs,
  resourceAttrs,
} from './primitives.js';

export const ReadingSchema = obj({
  ...subscribableAttrs,
  consumptionBlock: UInt8.optional(),
  qualityFlags: HexBinary16.optional(),
  timePeriod: DateTimeInterval.optional(),
  touTier: UInt8.optional(),
  value: Int48.optional(),
  localID: HexBinary16.optional(),
});
export type Reading = z.output<typeof ReadingSchema>;

const UnitValue = obj({ multiplier: PowerOfTenMultiplier, unit: UInt8, value: z.union([z.number(), z.string().regex(/^-?\d+$/).transform(Number)]) });

export const ReadingTypeSchema = obj({
  ...resourceAttrs,
  accumulationBehaviour: UInt8.optional(),
  calorificValue: UnitValue.optional(),
  commodity: UInt8.optional(),
  conversionFactor: UnitValue.optional(),
  dataQualifier: UInt8.optional(),
  flowDirection: UInt8.optional(),
  intervalLength: UInt32.optional(),
  kind: UInt8.optional(),
  maxNumberOfIntervals: UInt8.optional(),
  numberOfConsumptionBlocks: UInt8.optional(),
  numberOfTouTiers: UInt8.optional(),
  phase: UInt8.optional(),
  powerOfTenMultiplier: PowerOfTenMultiplier.optional(),
  subIntervalLength: UInt32.optional(),
  supplyLimit: UInt48.optional(),
  tieredConsumptionBlocks: Bool.optional(),
  uom: UInt8.optional(),
});
export type ReadingType = z.output<typeof ReadingTypeSchema>;

export const MirrorReadingSetSchema = obj({
  ...resourceAttrs,
  ...identified,
  timePeriod: DateTimeInterval,
  Reading: list(ReadingSchema),
});

export const MirrorMeterReadingSchema = z.object({
  ...resourceAttrs,
  ...identified,
  lastUpdateTime: TimeType.optional(),
  MirrorReadingSet: list(MirrorReadingSetSchema).optional(),
  nextUpdateTime: TimeType.optional(),
  Reading: ReadingSchema.optional(),
  ReadingType: ReadingTypeSchema.optional(),
});
export type MirrorMeterReading = z.output<typeof MirrorMeterReadingSchema>;
export const MirrorMeterReadingResource = resource('MirrorMeterReading', MirrorMeterReadingSchema);
export const parseMirrorMeterReading = MirrorMeterReadingResource.parse;
export const serializeMirrorMeterReading = MirrorMeterReadingResource.serialize;

export const MirrorMeterReadingListSchema = z.object({
  ...listAttrs,
  MirrorMeterReading: list(MirrorMeterReadingSchema),
});
export type MirrorMeterReadingList = z.output<typeof MirrorMeterReadingListSchema>;
export const MirrorMeterReadingListResource = resource('MirrorMeterReadingList', MirrorMeterReadingListSchema);
export const parseMirrorMeterReadingList = MirrorMeterReadingListResource.parse;
export const serializeMirrorMeterReadingList = MirrorMeterReadingListResource.serialize;

/** Codes used for seed 002 telemetry (IEEE 2030.5 ReadingType enumerations). */
export const READING = {
  accumulationBehaviour: { instantaneous: 12 },
  dataQualifier: { notApplicable: 0, average: 2, maximum: 8, minimum: 9 },
  kind: { power: 37 },
  uom: { W: 38, Hz: 33, V: 29, A: 5, var: 63, Wh: 72 },
  commodity: { electricitySecondaryMetered: 1 },
  flowDirection: { forward: 1, reverse: 19 },
} as const;
