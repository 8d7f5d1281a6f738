/**
 * Raw Modbus data types: registers ⇄ raw values (before scaling), with byte and word order.
 *
 * Registers are 16-bit numbers. The canonical (BE/BE, "ABCD") layout puts the most significant register first and the
 * high byte first in each register. `wordOrder: LE` reverses the registers of one value (CDAB for 32 bits; for
 * 64 bits all four registers are reversed, GHEFCDAB), `byteOrder: LE` swaps the two bytes of every register (BADC),
 * both give DCBA. Strings are ASCII, two characters per register, high byte first (byteOrder LE swaps the two;
 * wordOrder does not apply); decoding stops at the first NUL and trims trailing spaces. Enums decode to their code
 * (the label is returned beside it), bitfields to their mask (set bit names beside it).
 *
 * Not-implemented sentinels follow SunSpec by default (SunSpec Information Model Specification, "unimplemented"
 * values): int16 0x8000, uint16/enum16/bitfield16 0xFFFF, acc16/acc32 0, int32 0x80000000,
 * uint32/enum32/bitfield32 0xFFFFFFFF, int64 0x8000000000000000, uint64 0xFFFFFFFFFFFFFFFF, float NaN,
 * sunssf 0x8000, string all NUL. A point's `notImplemented` replaces the default (null: no sentinel).
 */
import { DecodeError } from '../errors.js';
import type { PointValue } from '../point.js';
import { isBitFunction, type ProfilePoint } from './types.js';

export type RawValue = number | bigint | string | boolean;

export interface DecodedValue {
  /** Value before scaling: number, boolean (bit) or string. null when not implemented or not representable. */
  value: PointValue | null;
  /** What the registers held, as read: integer (bigint for 64-bit), float, string, or boolean. */
  raw: RawValue;
  notImplemented: boolean;
  /** A 64-bit integer beyond ±2^53: `value` is the nearest double, `raw` keeps the exact bigint. */
  overflow?: boolean;
  /** Why the value is unusable (NaN/Infinity without a sentinel meaning). */
  invalid?: string;
  /** Enum label for the code, when the profile names it. */
  label?: string;
  /** Names of the set bits of a bitfield (from the profile's bitfield map; unnamed bits as `bitN`). */
  flags?: string[];
}

/** Minimal point shape the codec needs (ProfilePoint satisfies it; SunSpec model points build it). */
export type CodecPoint = Pick<ProfilePoint, 'name' | 'function' | 'type' | 'length' | 'byteOrder' | 'wordOrder'> &
  Partial<Pick<ProfilePoint, 'bit' | 'enum' | 'bitfield' | 'notImplemented'>>;

/** Registers (or bits, for coils/discrete inputs) to read for this point. */
export function registerCount(p: Pick<ProfilePoint, 'length'>): number {
  return p.length;
}

/** Registers of one value → bytes in canonical big-endian order. */
export function registersToBytes(regs: ArrayLike<number>, count: number, byteOrder: 'BE' | 'LE', wordOrder: 'BE' | 'LE'): Uint8Array {
  const out = new Uint8Array(count * 2);
  for (let i = 0; i < count; i++) {
    const r = regs[wordOrder === 'LE' ? count - 1 - i : i]!;
    const hi = (r >>> 8) & 0xff;
    const lo = r & 0xff;
    out[2 * i] = byteOrder === 'LE' ? lo : hi;
    out[2 * i + 1] = byteOrder === 'LE' ? hi : lo;
  }
  return out;
}

/** Canonical big-endian bytes → registers in the device's order. */
export function bytesToRegisters(bytes: Uint8Array, byteOrder: 'BE' | 'LE', wordOrder: 'BE' | 'LE'): number[] {
  const count = bytes.length / 2;
  const regs = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    const hi = bytes[2 * i]!;
    const lo = bytes[2 * i + 1]!;
    regs[wordOrder === 'LE' ? count - 1 - i : i] = byteOrder === 'LE' ? (lo << 8) | hi : (hi << 8) | lo;
  }
  return regs;
}

const MASK: Record<number, bigint> = { 1: 0xffffn, 2: 0xffffffffn, 4: 0xffffffffffffffffn };

/** The SunSpec "not implemented" raw value for a point's type, as an unsigned register pattern (bigint). */
export function defaultSentinel(p: Pick<ProfilePoint, 'type' | 'length'>): bigint | 'nan' | 'zero' | undefined {
  switch (p.type) {
    case 'u16': case 'u32': case 'u64': case 'enum': case 'bitfield':
      return MASK[p.length];
    case 'i16': case 'sunssf':
      return 0x8000n;
    case 'i32':
      return 0x80000000n;
    case 'i64':
      return 0x8000000000000000n;
    case 'acc16': case 'acc32':
      return 0n;
    case 'f32': case 'f64':
      return 'nan';
    case 'string':
      return 'zero';
    default:
      return undefined;
  }
}

function checkRegisters(p: CodecPoint, regs: ArrayLike<number>): void {
  if (regs.length < p.length) throw new DecodeError(`${p.name}: needs ${p.length} register(s), got ${regs.length}`, regs.length, 'modbus');
  for (let i = 0; i < p.length; i++) {
    const r = regs[i];
    if (r === undefined || !Number.isInteger(r) || r < 0 || r > 0xffff) throw new DecodeError(`${p.name}: register value ${String(r)} is not 0..65535`, i, 'modbus');
  }
}

function bigFromBytes(b: Uint8Array): bigint {
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  return v;
}

function signed(u: bigint, bits: number): bigint {
  return BigInt.asIntN(bits, u);
}

/**
 * Decode a point from its own registers (`regs[0]` is the register at `p.address`) or, for coils and discrete
 * inputs, from `bits[0]`. Throws DecodeError (offset = register index) when the registers are missing or not 16-bit.
 */
export function decodePoint(p: CodecPoint, regs: ArrayLike<number>, bits?: ArrayLike<boolean>): DecodedValue {
  if (isBitFunction(p.function)) {
    const b = bits?.[0] ?? (regs.length ? regs[0] !== 0 : undefined);
    if (b === undefined) throw new DecodeError(`${p.name}: no bit value`, 0, 'modbus');
    return { value: b, raw: b, notImplemented: false };
  }
  checkRegisters(p, regs);
  if (p.type === 'bit') {
    const r = regs[0]!;
    const v = ((r >>> (p.bit ?? 0)) & 1) === 1;
    return { value: v, raw: r, notImplemented: false };
  }
  if (p.type === 'string') {
    const bytes = registersToBytes(regs, p.length, p.byteOrder, 'BE');
    let s = '';
    for (const c of bytes) {
      if (c === 0) break;
      s += String.fromCharCode(c);
    }
    s = s.replace(/ +$/, '');
    const allZero = bytes.every((c) => c === 0);
    const ni = p.notImplemented === undefined ? allZero : false;
    return { value: ni ? null : s, raw: s, notImplemented: ni };
  }
  const bytes = registersToBytes(regs, p.length, p.byteOrder, p.wordOrder);
  if (p.type === 'f32' || p.type === 'f64') {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const f = p.type === 'f32' ? dv.getFloat32(0, false) : dv.getFloat64(0, false);
    const sentinel = p.notImplemented;
    if (Number.isNaN(f)) {
      if (sentinel === null) return { value: null, raw: f, notImplemented: false, invalid: 'NaN' };
      return { value: null, raw: f, notImplemented: true };
    }
    if (typeof sentinel === 'number' && f === sentinel) return { value: null, raw: f, notImplemented: true };
    if (!Number.isFinite(f)) return { value: null, raw: f, notImplemented: false, invalid: String(f) };
    return { value: f, raw: f, notImplemented: false };
  }
  // Integer family.
  const unsigned = bigFromBytes(bytes);
  const bitsN = p.length * 16;
  const isSigned = p.type === 'i16' || p.type === 'i32' || p.type === 'i64' || p.type === 'sunssf';
  const big = isSigned ? signed(unsigned, bitsN) : unsigned;
  const ni = isNotImplemented(p, unsigned, big);
  const safe = big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER);
  const num = Number(big);
  const raw: RawValue = safe ? num : big;
  if (ni) return { value: null, raw, notImplemented: true };
  const out: DecodedValue = { value: num, raw, notImplemented: false };
  if (!safe) out.overflow = true;
  if (p.type === 'enum' && p.enum) {
    const label = p.enum[num];
    if (label !== undefined) out.label = label;
  }
  if (p.type === 'bitfield') {
    const flags: string[] = [];
    for (let b = 0; b < bitsN; b++) if ((unsigned >> BigInt(b)) & 1n) flags.push(p.bitfield?.[b] ?? `bit${b}`);
    out.flags = flags;
  }
  return out;
}

function isNotImplemented(p: CodecPoint, unsigned: bigint, value: bigint): boolean {
  if (p.notImplemented === null) return false;
  if (typeof p.notImplemented === 'number') {
    if (!Number.isInteger(p.notImplemented)) return false;
    const s = BigInt(p.notImplemented);
    return s === value || s === unsigned;
  }
  const d = defaultSentinel(p);
  if (d === 'zero') return unsigned === 0n;
  return typeof d === 'bigint' && unsigned === d;
}

const INT_RANGE: Record<string, [bigint, bigint]> = {
  u16: [0n, 0xffffn], acc16: [0n, 0xffffn], i16: [-0x8000n, 0x7fffn], sunssf: [-0x8000n, 0x7fffn],
  u32: [0n, 0xffffffffn], acc32: [0n, 0xffffffffn], i32: [-0x80000000n, 0x7fffffffn],
  u64: [0n, 0xffffffffffffffffn], i64: [-0x8000000000000000n, 0x7fffffffffffffffn],
};

/**
 * Encode a raw value (after inverse scaling) into the point's registers, in the device's order. For a bit inside a
 * register pass the register's current value (read-modify-write). Throws a RangeError naming the point when the
 * value is not representable.
 */
export function encodePoint(p: CodecPoint, value: PointValue | bigint, current?: number): number[] {
  const fail = (why: string): never => {
    throw new RangeError(`${p.name}: ${why}`);
  };
  if (p.type === 'bit') {
    const on = typeof value === 'boolean' ? value : value === 1 || value === 1n ? true : value === 0 || value === 0n ? false : fail(`${String(value)} is not a bit value (true/false/1/0)`);
    if (isBitFunction(p.function)) return [on ? 1 : 0];
    if (current === undefined || !Number.isInteger(current) || current < 0 || current > 0xffff) {
      return fail('writing one bit of a register needs the register\'s current value (read-modify-write)');
    }
    const mask = 1 << (p.bit ?? 0);
    return [on ? (current | mask) & 0xffff : current & ~mask & 0xffff];
  }
  if (p.type === 'string') {
    if (typeof value !== 'string') return fail(`expected a string, got ${typeof value}`);
    if (value.length > p.length * 2) return fail(`"${value}" is longer than ${p.length * 2} characters`);
    const bytes = new Uint8Array(p.length * 2);
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if (c > 0x7f) return fail(`character ${JSON.stringify(value[i])} at ${i} is not ASCII`);
      bytes[i] = c;
    }
    return bytesToRegisters(bytes, p.byteOrder, 'BE');
  }
  let v: number | bigint;
  if (typeof value === 'boolean') v = value ? 1 : 0;
  else if (typeof value === 'string') {
    const code = p.type === 'enum' && p.enum ? Object.entries(p.enum).find(([, l]) => l === value)?.[0] : undefined;
    if (code === undefined) return fail(`"${value}" is not ${p.type === 'enum' ? `one of the labels ${Object.values(p.enum ?? {}).join(', ')}` : 'a number'}`);
    v = Number(code);
  } else v = value;
  const bytes = new Uint8Array(p.length * 2);
  const dv = new DataView(bytes.buffer);
  if (p.type === 'f32' || p.type === 'f64') {
    const f = Number(v);
    if (!Number.isFinite(f)) return fail(`${String(v)} is not a finite number`);
    if (p.type === 'f32') {
      if (Math.abs(f) > 3.4028234663852886e38) return fail(`${f} is outside the float32 range`);
      dv.setFloat32(0, f, false);
    } else dv.setFloat64(0, f, false);
    return bytesToRegisters(bytes, p.byteOrder, p.wordOrder);
  }
  if (typeof v === 'number' && !Number.isInteger(v)) return fail(`${v} is not an integer (type ${p.type})`);
  if (typeof v === 'number' && !Number.isSafeInteger(v)) return fail(`${v} is beyond ±2^53; pass a bigint for exact 64-bit values`);
  const big = BigInt(v);
  const range = INT_RANGE[p.type] ?? (p.length === 2 ? [0n, 0xffffffffn] : [0n, 0xffffn]);
  const [lo, hi] = range as [bigint, bigint];
  // enum/bitfield codes also accept the signed spelling of their unsigned pattern.
  if (big < lo || big > hi) return fail(`${String(v)} is outside ${lo}..${hi} (type ${p.type})`);
  let u = BigInt.asUintN(p.length * 16, big);
  for (let i = p.length * 2 - 1; i >= 0; i--) {
    bytes[i] = Number(u & 0xffn);
    u >>= 8n;
  }
  return bytesToRegisters(bytes, p.byteOrder, p.wordOrder);
}
