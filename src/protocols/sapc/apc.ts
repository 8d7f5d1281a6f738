/**
 * GBCS Auxiliary Proportional Controller (APC) 16-bit value, as used by ECS47a "Set APC level" and ECS47e "Limit
 * APC level": high byte = direction (high nibble) | controller (low nibble), low byte = level 0..100.
 * Example from the GridBridge SAPC notes: 0x2332 = direction code 2, controller 3, level 0x32 = 50 %.
 *
 * The direction codes (1 = import, 2 = export) are GridBridge's reading and are kept configurable through
 * `directionCodes`; verify against the GBCS release in use before relying on them.
 */
import type { Direction } from './frame.js';

export interface ApcValue {
  direction: Direction;
  /** Controller number 1..15. */
  controller: number;
  /** Level 0..100 %. */
  level: number;
}

export interface ApcDirectionCodes {
  import: number;
  export: number;
}
export const DEFAULT_DIRECTION_CODES: ApcDirectionCodes = { import: 1, export: 2 };

export function encodeApcValue(v: ApcValue, codes: ApcDirectionCodes = DEFAULT_DIRECTION_CODES): number {
  if (!Number.isInteger(v.level) || v.level < 0 || v.level > 100) throw new RangeError(`APC level ${v.level} outside 0..100`);
  if (!Number.isInteger(v.controller) || v.controller < 1 || v.controller > 15) throw new RangeError(`APC controller ${v.controller} outside 1..15`);
  const d = codes[v.direction];
  return (((d & 0x0f) << 12) | ((v.controller & 0x0f) << 8) | v.level) & 0xffff;
}

/** Decode a 16-bit APC value; throws RangeError naming the part that is wrong. */
export function decodeApcValue(raw: number, codes: ApcDirectionCodes = DEFAULT_DIRECTION_CODES): ApcValue {
  if (!Number.isInteger(raw) || raw < 0 || raw > 0xffff) throw new RangeError(`APC value ${raw} is not a 16-bit integer`);
  const dirCode = (raw >> 12) & 0x0f;
  const controller = (raw >> 8) & 0x0f;
  const level = raw & 0xff;
  const direction: Direction | undefined = dirCode === codes.import ? 'import' : dirCode === codes.export ? 'export' : undefined;
  if (!direction) throw new RangeError(`APC direction code ${dirCode} unknown (high nibble of 0x${hex4(raw)})`);
  if (controller < 1) throw new RangeError(`APC controller 0 invalid in 0x${hex4(raw)}`);
  if (level > 100) throw new RangeError(`APC level ${level} > 100 in 0x${hex4(raw)}`);
  return { direction, controller, level };
}

export function hex4(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0');
}
