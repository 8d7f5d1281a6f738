/** DERStatus: posted once a minute (seed 002: readingTime and stateOfChargeStatus mandatory). */
import { z } from 'zod';
import { resource } from './xml.js';
import { HexBinary32, HexBinary8, PerCent, TimeType, UInt8, obj, str, subscribableAttrs } from './primitives.js';

const status = <T extends z.ZodType>(value: T) => obj({ dateTime: TimeType, value });

export const DERStatusSchema = z.object({
  ...subscribableAttrs,
  alarmStatus: HexBinary32.optional(),
  genConnectStatus: status(HexBinary8).optional(),
  inverterStatus: status(UInt8).optional(),
  localControlModeStatus: status(UInt8).optional(),
  manufacturerStatus: status(str(6)).optional(),
  operationalModeStatus: status(UInt8).optional(),
  readingTime: TimeType,
  stateOfChargeStatus: status(PerCent).optional(),
  storageModeStatus: status(UInt8).optional(),
  storConnectStatus: status(HexBinary8).optional(),
});
export type DERStatus = z.output<typeof DERStatusSchema>;
export const DERStatusResource = resource('DERStatus', DERStatusSchema);
export const parseDERStatus = DERStatusResource.parse;
export const serializeDERStatus = DERStatusResource.serialize;
