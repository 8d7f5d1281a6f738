/**
 * Hot-path decoding of a polled register block. `decodeBlockResults` (planner.ts) is the reference: it works for
 * every type and case, but slices arrays, goes through bigint and builds maps per answer. A poll answer of plain
 * numeric points (u16, i16, u32, i32, f32, bit in a register; no SunSpec scale factor) is decoded here straight from
 * the register array into published value + quality. Anything the fast path does not decide on its own (a
 * not-implemented sentinel, NaN/Infinity, a value outside min/max, a missing or non-16-bit register, any other
 * type) goes to the reference `readPoint` for that point, so published values and qualities are identical.
 */
import { quality, type PointValue, type Quality } from '../../core/point.js';
import { applyScaling, readPoint } from '../../core/profile/scaling.js';
import { isBitFunction, type ProfilePoint } from '../../core/profile/types.js';
import type { ReadBlock } from './planner.js';

export interface FastReading {
  value: PointValue | null;
  quality: Quality;
}

type Kind = 0 | 1 | 2 | 3 | 4 | 5 | 6; // generic, u16, i16, u32, i32, f32, bit

interface PointPlan {
  p: ProfilePoint;
  /** Register offset of the point inside the block. */
  off: number;
  kind: Kind;
  /** Swap the two bytes of every register (byteOrder LE). */
  swapBytes: boolean;
  /** Low word first (wordOrder LE) for 32-bit values. */
  swapWords: boolean;
  /** Unsigned register pattern meaning "not implemented" (-1: none). */
  sentinelU: number;
  /** Signed value meaning "not implemented" for a numeric `notImplemented` (NaN: none). */
  sentinelS: number;
  /** scale 1, offset 0: the decoded number is published as is. */
  plain: boolean;
}

const scratch = new DataView(new ArrayBuffer(4));

function kindOf(p: ProfilePoint): Kind {
  if (isBitFunction(p.function) || p.sf !== undefined) return 0;
  switch (p.type) {
    case 'u16':
      return p.length === 1 ? 1 : 0;
    case 'i16':
      return p.length === 1 ? 2 : 0;
    case 'u32':
      return p.length === 2 ? 3 : 0;
    case 'i32':
      return p.length === 2 ? 4 : 0;
    case 'f32':
      return p.length === 2 ? 5 : 0;
    case 'bit':
      return p.length === 1 ? 6 : 0;
    default:
      return 0;
  }
}

/** The default SunSpec sentinel of the fast integer kinds, as an unsigned pattern. */
const DEFAULT_SENTINEL: Record<number, number> = { 1: 0xffff, 2: 0x8000, 3: 0xffffffff, 4: 0x80000000 };

function planPoint(p: ProfilePoint, blockStart: number): PointPlan {
  const kind = kindOf(p);
  let sentinelU = -1;
  let sentinelS = NaN;
  if (kind >= 1 && kind <= 4) {
    if (p.notImplemented === undefined) sentinelU = DEFAULT_SENTINEL[kind]!;
    else if (typeof p.notImplemented === 'number' && Number.isInteger(p.notImplemented)) sentinelS = p.notImplemented;
  } else if (kind === 5 && typeof p.notImplemented === 'number') {
    sentinelS = p.notImplemented;
  }
  return {
    p,
    off: p.address - blockStart,
    kind,
    swapBytes: p.byteOrder === 'LE',
    swapWords: p.wordOrder === 'LE',
    sentinelU,
    sentinelS,
    plain: p.scale === 1 && p.offset === 0,
  };
}

/**
 * A compiled decoder for one read block, or undefined when the block must use the reference path as a whole
 * (bits, SunSpec scale factors: they need the cross-point scale-factor pass).
 */
export class BlockDecoder {
  private constructor(private readonly plans: PointPlan[]) {}

  static for(block: ReadBlock): BlockDecoder | undefined {
    if (isBitFunction(block.function)) return undefined;
    for (const p of block.points) if (p.sf !== undefined || p.type === 'sunssf') return undefined;
    return new BlockDecoder(block.points.map((p) => planPoint(p, block.start)));
  }

  /** Decode every point of the block from its answer registers; `out[i]` belongs to `block.points[i]`. */
  decode(regs: ArrayLike<number>): FastReading[] {
    const plans = this.plans;
    const out = new Array<FastReading>(plans.length);
    for (let i = 0; i < plans.length; i++) {
      const pl = plans[i]!;
      out[i] = fast(pl, regs) ?? reference(pl, regs);
    }
    return out;
  }
}

function reg(regs: ArrayLike<number>, i: number, swap: boolean): number {
  const r = regs[i];
  // Not a 16-bit integer (or missing): let the reference path name the problem.
  if (r === undefined || (r & 0xffff) !== r) return -1;
  return swap ? ((r & 0xff) << 8) | (r >>> 8) : r;
}

function fast(pl: PointPlan, regs: ArrayLike<number>): FastReading | undefined {
  const { kind, p } = pl;
  if (kind === 0) return undefined;
  // A bit is taken from the register as read (byte order does not apply, as in decodePoint).
  const a = reg(regs, pl.off, kind !== 6 && pl.swapBytes);
  if (a < 0) return undefined;
  if (kind === 6) return { value: ((a >>> (p.bit ?? 0)) & 1) === 1, quality: quality('good') };
  let unsigned: number;
  let v: number;
  if (kind === 1 || kind === 2) {
    unsigned = a;
    v = kind === 2 ? (a << 16) >> 16 : a;
  } else {
    const b = reg(regs, pl.off + 1, pl.swapBytes);
    if (b < 0) return undefined;
    const hi = pl.swapWords ? b : a;
    const lo = pl.swapWords ? a : b;
    if (kind === 5) {
      scratch.setUint16(0, hi);
      scratch.setUint16(2, lo);
      v = scratch.getFloat32(0);
      if (!Number.isFinite(v) || v === pl.sentinelS) return undefined;
      unsigned = -1;
    } else {
      unsigned = hi * 0x10000 + lo;
      v = kind === 4 ? (hi << 16) | lo : unsigned;
    }
  }
  if (kind !== 5 && (unsigned === pl.sentinelU || v === pl.sentinelS || unsigned === pl.sentinelS)) return undefined;
  const value = pl.plain ? v : applyScaling(p, v);
  if ((p.min !== undefined && value < p.min) || (p.max !== undefined && value > p.max)) return undefined;
  return { value, quality: quality('good') };
}

function reference(pl: PointPlan, regs: ArrayLike<number>): FastReading {
  const { p, off } = pl;
  const mine: number[] = [];
  for (let i = 0; i < p.length && off + i < regs.length; i++) mine.push(regs[off + i]!);
  const r = readPoint(p, mine, undefined, undefined);
  return { value: r.value, quality: r.quality };
}
