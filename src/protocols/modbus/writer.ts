/**
 * Writes: a value for a named point becomes one Modbus write request, checked against the profile BEFORE anything
 * touches the bus (point known, writable function and access, value type, min/max, representable after scaling,
 * register count within maxWriteRegisters). Refusals are values (`WriteRefused`) naming the point and the reason.
 */
import type { PointValue } from '../../core/point.js';
import { encodeScaled } from '../../core/profile/scaling.js';
import type { Profile, ProfilePoint } from '../../core/profile/types.js';
import { convertUnit, unitsCompatible } from '../../core/units.js';
import type { WriteRequest } from './types.js';

export type WriteFailure = 'refused' | 'exception' | 'timeout' | 'not_connected' | 'verify_failed' | 'error';

export interface WriteResult {
  ok: boolean;
  device: string;
  name: string;
  value: PointValue;
  /** Registers (or coil states) sent. */
  sent?: number[];
  /** Read-back registers when verification was asked for. */
  readBack?: number[];
  failure?: WriteFailure;
  reason?: string;
  /** Modbus exception code when failure = exception. */
  exceptionCode?: number;
}

export class WriteRefused extends Error {
  constructor(
    readonly point: string,
    readonly reason: string,
  ) {
    super(`${point}: ${reason}`);
    this.name = 'WriteRefused';
  }
}

export interface WriteContext {
  unitId: number;
  /** Scale-factor exponent when the point has `sf`. */
  sfExponent?: number;
  /** Current register value, for a bit inside a register (read-modify-write). */
  current?: number;
  /** Unit the value is given in (e.g. the canonical unit); converted to the profile's unit when compatible. */
  valueUnit?: string;
}

export function findPoint(profile: Profile, name: string): ProfilePoint {
  const p = profile.points.find((q) => q.name === name);
  if (!p) throw new WriteRefused(name, `no point named "${name}" in profile ${profile.id}`);
  return p;
}

/** Checks that depend only on the profile (before reading a scale factor or a current register). */
export function checkWritable(profile: Profile, p: ProfilePoint): void {
  if (p.access === 'r') throw new WriteRefused(p.name, 'point is read-only (access r)');
  if (p.function === 'input' || p.function === 'discrete') throw new WriteRefused(p.name, `${p.function} points cannot be written`);
  if (p.length > profile.limits.maxWriteRegisters) throw new WriteRefused(p.name, `${p.length} registers exceed maxWriteRegisters ${profile.limits.maxWriteRegisters}`);
}

/** Build the request for writing `value` to point `p`. Throws WriteRefused. */
export function buildWrite(profile: Profile, p: ProfilePoint, value: PointValue, ctx: WriteContext): WriteRequest {
  checkWritable(profile, p);
  let v = value;
  if (typeof v === 'number' && ctx.valueUnit && p.unit && ctx.valueUnit !== p.unit) {
    if (!unitsCompatible(ctx.valueUnit, p.unit)) throw new WriteRefused(p.name, `value in ${ctx.valueUnit} cannot be converted to ${p.unit}`);
    v = convertUnit(v, ctx.valueUnit, p.unit);
  }
  if (typeof v === 'string' && p.type !== 'string' && p.type !== 'enum') {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) throw new WriteRefused(p.name, `"${v}" is not a number`);
    v = n;
  }
  if (p.type === 'enum' && typeof v === 'string' && p.enum) {
    const code = Object.entries(p.enum).find(([, label]) => label === v)?.[0];
    if (code === undefined) throw new WriteRefused(p.name, `"${v}" is not one of ${Object.values(p.enum).join(', ')}`);
    v = Number(code);
  }
  let regs: number[];
  try {
    regs = encodeScaled(p, v, ctx.sfExponent, ctx.current);
  } catch (e) {
    throw new WriteRefused(p.name, (e instanceof Error ? e.message : String(e)).replace(`${p.name}: `, ''));
  }
  if (p.function === 'coil') {
    const on = regs[0] === 1;
    return { fc: 5, unitId: ctx.unitId, address: p.address, value: on };
  }
  if (regs.length === 1) return { fc: 6, unitId: ctx.unitId, address: p.address, value: regs[0]! };
  return { fc: 16, unitId: ctx.unitId, address: p.address, values: regs };
}

export function sentValues(r: WriteRequest): number[] {
  switch (r.fc) {
    case 5:
      return [r.value ? 1 : 0];
    case 6:
      return [r.value];
    case 15:
      return r.values.map((b) => (b ? 1 : 0));
    case 16:
      return r.values;
  }
}
