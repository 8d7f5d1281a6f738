/** DERProgram(List): lower `primacy` wins across programs. */
import { z } from 'zod';
import { resource } from './xml.js';
import { Link, ListLink, PrimacyType, UInt32, identified, list, subscribableAttrs, subscribableListAttrs } from './primitives.js';

export const DERProgramSchema = z.object({
  ...subscribableAttrs,
  ...identified,
  ActiveDERControlListLink: ListLink.optional(),
  DefaultDERControlLink: Link.optional(),
  DERControlListLink: ListLink.optional(),
  DERCurveListLink: ListLink.optional(),
  primacy: PrimacyType,
});
export type DERProgram = z.output<typeof DERProgramSchema>;
export const DERProgramResource = resource('DERProgram', DERProgramSchema);

export const DERProgramListSchema = z.object({
  ...subscribableListAttrs,
  pollRate: UInt32.optional(),
  DERProgram: list(DERProgramSchema),
});
export type DERProgramList = z.output<typeof DERProgramListSchema>;
export const DERProgramListResource = resource('DERProgramList', DERProgramListSchema);
export const parseDERProgramList = DERProgramListResource.parse;
export const serializeDERProgramList = DERProgramListResource.serialize;
