/** DERAvailability: what the DER can still deliver (sep.xsd 2018 order). */
import { z } from 'zod';
import { resource } from './xml.js';
import { ActivePower, PerCent, ReactivePower, TimeType, UInt32, subscribableAttrs } from './primitives.js';

export const DERAvailabilitySchema = z.object({
  ...subscribableAttrs,
  availabilityDuration: UInt32.optional(),
  maxChargeDuration: UInt32.optional(),
  readingTime: TimeType,
  reserveChargePercent: PerCent.optional(),
  reservePercent: PerCent.optional(),
  statVarAvail: ReactivePower.optional(),
  statWAvail: ActivePower.optional(),
});
export type DERAvailability = z.output<typeof DERAvailabilitySchema>;
export const DERAvailabilityResource = resource('DERAvailability', DERAvailabilitySchema);
export const parseDERAvailability = DERAvailabilityResource.parse;
export const serializeDERAvailability = DERAvailabilityResource.serialize;
