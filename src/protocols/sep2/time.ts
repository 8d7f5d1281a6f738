/** Time: the server clock (clients keep an offset to it) and local-time rules. */
import { z } from 'zod';
import { resource } from './xml.js';
import { Int32, TimeType, UInt32, UInt8, resourceAttrs } from './primitives.js';

export const TimeSchema = z.object({
  ...resourceAttrs,
  pollRate: UInt32.optional(),
  currentTime: TimeType,
  dstEndTime: TimeType,
  dstOffset: Int32,
  dstStartTime: TimeType,
  localTime: TimeType.optional(),
  quality: UInt8,
  tzOffset: Int32,
});
export type Time = z.output<typeof TimeSchema>;
export const TimeResource = resource('Time', TimeSchema);
export const parseTime = TimeResource.parse;
export const serializeTime = TimeResource.serialize;
