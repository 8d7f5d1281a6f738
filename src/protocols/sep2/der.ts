/** DER and DERList: links to a DER's capability, settings, status and availability. */
import { z } from 'zod';
import { resource } from './xml.js';
import { Link, ListLink, UInt32, list, listAttrs, subscribableAttrs } from './primitives.js';

export const DERSchema = z.object({
  ...subscribableAttrs,
  AssociatedDERProgramListLink: ListLink.optional(),
  AssociatedUsagePointLink: Link.optional(),
  CurrentDERProgramLink: Link.optional(),
  DERAvailabilityLink: Link.optional(),
  DERCapabilityLink: Link.optional(),
  DERSettingsLink: Link.optional(),
  DERStatusLink: Link.optional(),
});
export type DER = z.output<typeof DERSchema>;
export const DERResource = resource('DER', DERSchema);

export const DERListSchema = z.object({
  ...listAttrs,
  pollRate: UInt32.optional(),
  DER: list(DERSchema),
});
export type DERList = z.output<typeof DERListSchema>;
export const DERListResource = resource('DERList', DERListSchema);
export const parseDERList = DERListResource.parse;
export const serializeDERList = DERListResource.serialize;
