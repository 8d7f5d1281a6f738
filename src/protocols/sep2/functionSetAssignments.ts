/** FunctionSetAssignments(List): FunctionSetAssignmentsBase links, then identified-object fields (sep.xsd 2018). */
import { z } from 'zod';
import { resource } from './xml.js';
import { fsaBaseLinks } from './deviceCapability.js';
import { UInt32, identified, list, subscribableAttrs, subscribableListAttrs } from './primitives.js';

export const FunctionSetAssignmentsSchema = z.object({
  ...subscribableAttrs,
  ...fsaBaseLinks,
  ...identified,
});
export type FunctionSetAssignments = z.output<typeof FunctionSetAssignmentsSchema>;
export const FunctionSetAssignmentsResource = resource('FunctionSetAssignments', FunctionSetAssignmentsSchema);

export const FunctionSetAssignmentsListSchema = z.object({
  ...subscribableListAttrs,
  pollRate: UInt32.optional(),
  FunctionSetAssignments: list(FunctionSetAssignmentsSchema),
});
export type FunctionSetAssignmentsList = z.output<typeof FunctionSetAssignmentsListSchema>;
export const FunctionSetAssignmentsListResource = resource('FunctionSetAssignmentsList', FunctionSetAssignmentsListSchema);
export const parseFunctionSetAssignmentsList = FunctionSetAssignmentsListResource.parse;
export const serializeFunctionSetAssignmentsList = FunctionSetAssignmentsListResource.serialize;
