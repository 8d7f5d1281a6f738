/** Response / DERControlResponse posted to an event's replyTo (status codes: IEEE 2030.5 Table 27). */
import { z } from 'zod';
import { resource } from './xml.js';
import { HexBinary160, MRID, TimeType, UInt8, resourceAttrs } from './primitives.js';

export const ResponseSchema = z.object({
  ...resourceAttrs,
  createdDateTime: TimeType.optional(),
  endDeviceLFDI: HexBinary160,
  status: UInt8.optional(),
  subject: MRID,
});
export type Response = z.output<typeof ResponseSchema>;
export const ResponseResource = resource('Response', ResponseSchema, ['DERControlResponse']);
export const DERControlResponseResource = resource('DERControlResponse', ResponseSchema, ['Response']);
export const parseResponse = ResponseResource.parse;
export const serializeDERControlResponse = DERControlResponseResource.serialize;

export const RESPONSE_STATUS = {
  received: 1,
  started: 2,
  completed: 3,
  optedOut: 4,
  optedIn: 5,
  cancelled: 6,
  superseded: 7,
  abortedServer: 13,
  abortedProgram: 14,
  rejectedNotApplicable: 252,
  rejectedInvalid: 253,
  rejectedLate: 254,
} as const;
export type ResponseStatusName = keyof typeof RESPONSE_STATUS;
