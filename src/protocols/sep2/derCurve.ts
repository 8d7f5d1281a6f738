/** DERCurve(List): curve points referenced by curve-type controls (volt-var, freq-watt …). */
import { z } from 'zod';
import { resource } from './xml.js';
import { Bool, Int32, PerCent, PowerOfTenMultiplier, TimeType, UInt16, UInt32, UInt8, identified, list, listAttrs, obj, resourceAttrs } from './primitives.js';

export const CurveDataSchema = obj({ excitation: Bool.optional(), xvalue: Int32, yvalue: Int32 });

export const DERCurveSchema = z.object({
  ...resourceAttrs,
  ...identified,
  autonomousVRefEnable: Bool.optional(),
  autonomousVRefTimeConstant: UInt32.optional(),
  creationTime: TimeType,
  CurveData: list(CurveDataSchema, 10),
  curveType: UInt8,
  openLoopTms: UInt16.optional(),
  rampDecTms: UInt16.optional(),
  rampIncTms: UInt16.optional(),
  rampPT1Tms: UInt16.optional(),
  vRef: PerCent.optional(),
  xMultiplier: PowerOfTenMultiplier,
  yMultiplier: PowerOfTenMultiplier,
  yRefType: UInt8,
});
export type DERCurve = z.output<typeof DERCurveSchema>;
export const DERCurveResource = resource('DERCurve', DERCurveSchema);

export const DERCurveListSchema = z.object({
  ...listAttrs,
  pollRate: UInt32.optional(),
  DERCurve: list(DERCurveSchema),
});
export type DERCurveList = z.output<typeof DERCurveListSchema>;
export const DERCurveListResource = resource('DERCurveList', DERCurveListSchema);
export const parseDERCurveList = DERCurveListResource.parse;
export const serializeDERCurveList = DERCurveListResource.serialize;
