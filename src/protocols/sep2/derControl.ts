/**
 * DERControlBase, DERControl(List) and DefaultDERControl. DERControlBase elements follow sep.xsd 2018, then the
 * CSIP-AUS extension elements (opModImpLimW, opModExpLimW, opModGenLimW, opModLoadLimW; order as in the CSIP-AUS
 * schema redefine used by the "cactus" test suite, MIT).
 */
import { z } from 'zod';
import { resource } from './xml.js';
import {
  ActivePower,
  Bool,
  DateTimeInterval,
  FixedVar,
  FreqDroop,
  HexBinary32,
  Int16,
  Link,
  OneHourRange,
  PerCent,
  PowerFactorWithExcitation,
  ReactivePower,
  SignedPerCent,
  String192,
  TimeType,
  UInt16,
  UInt32,
  UInt8,
  identified,
  list,
  obj,
  respondableAttrs,
  subscribableAttrs,
  subscribableListAttrs,
} from './primitives.js';

export const DERControlBaseSchema = obj({
  opModConnect: Bool.optional(),
  opModEnergize: Bool.optional(),
  opModFixedPFAbsorbW: PowerFactorWithExcitation.optional(),
  opModFixedPFInjectW: PowerFactorWithExcitation.optional(),
  opModFixedVar: FixedVar.optional(),
  opModFixedW: SignedPerCent.optional(),
  opModFreqDroop: FreqDroop.optional(),
  opModFreqWatt: Link.optional(),
  opModHFRTMayTrip: Link.optional(),
  opModHFRTMustTrip: Link.optional(),
  opModHVRTMayTrip: Link.optional(),
  opModHVRTMomentaryCessation: Link.optional(),
  opModHVRTMustTrip: Link.optional(),
  opModLFRTMayTrip: Link.optional(),
  opModLFRTMustTrip: Link.optional(),
  opModLVRTMayTrip: Link.optional(),
  opModLVRTMomentaryCessation: Link.optional(),
  opModLVRTMustTrip: Link.optional(),
  opModMaxLimW: PerCent.optional(),
  opModTargetVar: ReactivePower.optional(),
  opModTargetW: ActivePower.optional(),
  opModVoltVar: Link.optional(),
  opModVoltWatt: Link.optional(),
  opModWattPF: Link.optional(),
  opModWattVar: Link.optional(),
  rampTms: UInt16.optional(),
  opModImpLimW: ActivePower.optional(),
  opModExpLimW: ActivePower.optional(),
  opModGenLimW: ActivePower.optional(),
  opModLoadLimW: ActivePower.optional(),
});
export type DERControlBase = z.output<typeof DERControlBaseSchema>;

export const EventStatusSchema = obj({
  currentStatus: UInt8,
  dateTime: TimeType,
  potentiallySuperseded: Bool,
  potentiallySupersededTime: TimeType.optional(),
  reason: String192.optional(),
});
export type EventStatus = z.output<typeof EventStatusSchema>;

/** EventStatus.currentStatus values. */
export const EVENT_STATUS = { scheduled: 0, active: 1, cancelled: 2, cancelledRandom: 3, superseded: 4 } as const;

export const DERControlSchema = z.object({
  ...subscribableAttrs,
  ...respondableAttrs,
  ...identified,
  creationTime: TimeType,
  EventStatus: EventStatusSchema,
  interval: DateTimeInterval,
  randomizeDuration: OneHourRange.optional(),
  randomizeStart: OneHourRange.optional(),
  DERControlBase: DERControlBaseSchema,
  deviceCategory: HexBinary32.optional(),
});
export type DERControl = z.output<typeof DERControlSchema>;
export const DERControlResource = resource('DERControl', DERControlSchema);
export const parseDERControl = DERControlResource.parse;
export const serializeDERControl = DERControlResource.serialize;

export const DERControlListSchema = z.object({
  ...subscribableListAttrs,
  pollRate: UInt32.optional(),
  DERControl: list(DERControlSchema),
});
export type DERControlList = z.output<typeof DERControlListSchema>;
export const DERControlListResource = resource('DERControlList', DERControlListSchema);
export const parseDERControlList = DERControlListResource.parse;
export const serializeDERControlList = DERControlListResource.serialize;

export const DefaultDERControlSchema = z.object({
  ...subscribableAttrs,
  ...identified,
  DERControlBase: DERControlBaseSchema,
  setESDelay: UInt32.optional(),
  setESHighFreq: UInt16.optional(),
  setESHighVolt: Int16.optional(),
  setESLowFreq: UInt16.optional(),
  setESLowVolt: Int16.optional(),
  setESRampTms: UInt32.optional(),
  setESRandomDelay: UInt32.optional(),
  setGradW: UInt16.optional(),
  setSoftGradW: UInt16.optional(),
});
export type DefaultDERControl = z.output<typeof DefaultDERControlSchema>;
export const DefaultDERControlResource = resource('DefaultDERControl', DefaultDERControlSchema);
export const parseDefaultDERControl = DefaultDERControlResource.parse;
export const serializeDefaultDERControl = DefaultDERControlResource.serialize;
