/**
 * Engineering value ⇄ raw value. `value = raw × 10^sf × scale + offset`, where `sf` is a SunSpec scale factor (an
 * int16 power of ten read from another point, SunSpec Information Model Specification) and scale/offset are the
 * profile's constants. Also turns a decoded raw value into a published value plus quality.
 */
import type { PointValue, Quality } from '../point.js';
import { quality } from '../point.js';
import { decodePoint, encodePoint, type DecodedValue, type RawValue } from './datatypes.js';
import type { ProfilePoint } from './types.js';

type ScalePoint = Pick<ProfilePoint, 'name' | 'scale' | 'offset'> & Partial<Pick<ProfilePoint, 'sf'>>;

/** Largest |sf| accepted: SunSpec scale factors are documented in -10..10. */
export const MAX_SF = 10;

function sfProblem(p: ScalePoint, sfExponent: number | undefined): string | undefined {
  if (p.sf === undefined) return undefined;
  if (sfExponent === undefined) return `scale factor ${p.sf} not available`;
  if (!Number.isInteger(sfExponent) || Math.abs(sfExponent) > MAX_SF) return `scale factor ${p.sf} = ${sfExponent} is outside -${MAX_SF}..${MAX_SF}`;
  return undefined;
}

/** Multiply by 10^sf without binary noise (0.1 steps stay exact in decimal). */
function pow10(x: number, e: number): number {
  if (e === 0) return x;
  return e > 0 ? Number((x * 10 ** e).toPrecision(15)) : Number((x / 10 ** -e).toPrecision(15));
}

function clean(x: number): number {
  return Number.isFinite(x) ? Number(x.toPrecision(15)) : x;
}

/**
 * raw → engineering value. Throws a RangeError naming the point when the point has an `sf` and `sfExponent` is
 * missing or out of range (the caller marks the value invalid / not implemented).
 */
export function applyScaling(p: ScalePoint, raw: number, sfExponent?: number): number {
  const why = sfProblem(p, sfExponent);
  if (why) throw new RangeError(`${p.name}: ${why}`);
  const e = p.sf !== undefined ? sfExponent! : 0;
  if (e === 0 && p.scale === 1 && p.offset === 0) return raw;
  return clean(pow10(raw, e) * p.scale + p.offset);
}

/**
 * engineering value → raw value (not yet rounded to an integer; `encodeScaled` rounds for integer types).
 * Throws like `applyScaling`.
 */
export function inverseScaling(p: ScalePoint, value: number, sfExponent?: number): number {
  const why = sfProblem(p, sfExponent);
  if (why) throw new RangeError(`${p.name}: ${why}`);
  const e = p.sf !== undefined ? sfExponent! : 0;
  if (p.scale === 0) throw new RangeError(`${p.name}: scale 0 cannot be inverted`);
  return clean(pow10((value - p.offset) / p.scale, -e));
}

export interface PointReading {
  value: PointValue | null;
  quality: Quality;
  raw: RawValue;
  label?: string;
  flags?: string[];
}

const SCALED_TYPES = new Set(['u16', 'i16', 'u32', 'i32', 'u64', 'i64', 'f32', 'f64', 'acc16', 'acc32']);

/**
 * Turn a decoded raw value into what is published: scaled value and quality. `sfExponent` is the decoded value of the
 * point's scale-factor point: a number, null when that point reported "not implemented", undefined when not read.
 */
export function readingFromDecoded(p: ProfilePoint, d: DecodedValue, sfExponent?: number | null): PointReading {
  const r: PointReading = { value: null, quality: quality('good'), raw: d.raw };
  if (d.label !== undefined) r.label = d.label;
  if (d.flags) r.flags = d.flags;
  if (d.notImplemented) return { ...r, quality: quality('not_implemented', `${p.name}: device reports not implemented (raw ${String(d.raw)})`) };
  if (d.invalid) return { ...r, quality: quality('invalid', `${p.name}: raw value ${d.invalid}`) };
  if (typeof d.value !== 'number' || !SCALED_TYPES.has(p.type)) {
    return { ...r, value: d.value };
  }
  if (p.sf !== undefined) {
    if (sfExponent === null) return { ...r, quality: quality('not_implemented', `${p.name}: scale factor ${p.sf} not implemented`) };
    if (sfExponent === undefined) return { ...r, quality: quality('invalid', `${p.name}: scale factor ${p.sf} not read`) };
    if (sfProblem(p, sfExponent)) return { ...r, quality: quality('invalid', `${p.name}: ${sfProblem(p, sfExponent)}`) };
  }
  const value = applyScaling(p, d.value, sfExponent ?? undefined);
  if (d.overflow) return { ...r, value, quality: quality('overflow', `${p.name}: 64-bit value ${String(d.raw)} exceeds ±2^53, published rounded`) };
  if ((p.min !== undefined && value < p.min) || (p.max !== undefined && value > p.max)) {
    return { ...r, value, quality: quality('out_of_range', `${p.name}: ${value} outside ${p.min ?? '-∞'}..${p.max ?? '∞'}`) };
  }
  return { ...r, value };
}

/** Decode and scale in one step: the point's registers (or bits) → published value and quality. Never throws. */
export function readPoint(p: ProfilePoint, regs: ArrayLike<number>, bits?: ArrayLike<boolean>, sfExponent?: number | null): PointReading {
  try {
    return readingFromDecoded(p, decodePoint(p, regs, bits), sfExponent);
  } catch (e) {
    return { value: null, raw: '', quality: quality('invalid', e instanceof Error ? e.message : String(e)) };
  }
}

/**
 * Engineering value → registers to write: checks the point is writable and min/max, inverse-scales, rounds integers,
 * encodes. `current` is the register's present value, needed to write one bit of a register.
 * Throws a RangeError naming the point when the value is refused.
 */
export function encodeScaled(p: ProfilePoint, value: PointValue, sfExponent?: number, current?: number): number[] {
  if (p.access === 'r') throw new RangeError(`${p.name}: point is read-only`);
  if (typeof value === 'number' && SCALED_TYPES.has(p.type)) {
    if (!Number.isFinite(value)) throw new RangeError(`${p.name}: ${value} is not a finite number`);
    if (p.min !== undefined && value < p.min) throw new RangeError(`${p.name}: ${value} is below the write limit min ${p.min}`);
    if (p.max !== undefined && value > p.max) throw new RangeError(`${p.name}: ${value} is above the write limit max ${p.max}`);
    let raw = inverseScaling(p, value, sfExponent);
    if (p.type !== 'f32' && p.type !== 'f64') raw = Math.round(raw);
    return encodePoint(p, raw, current);
  }
  return encodePoint(p, value, current);
}
