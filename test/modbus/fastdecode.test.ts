/** The hot-path block decoder must publish exactly what the reference decodeBlockResults publishes. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BlockDecoder } from '../../src/protocols/modbus/fastdecode.js';
import { decodeBlockResults, type ReadBlock } from '../../src/protocols/modbus/planner.js';
import type { DataType, ProfilePoint } from '../../src/core/profile/types.js';

const LENGTH: Partial<Record<DataType, number>> = { u16: 1, i16: 1, u32: 2, i32: 2, f32: 2, bit: 1, string: 2, enum: 1, u64: 4 };
const TYPES = Object.keys(LENGTH) as DataType[];

/** Registers that hit the interesting cases: sentinels, NaN/Infinity halves, sign bits, plus random words. */
const word = fc.oneof(fc.constantFrom(0, 1, 0x7fff, 0x8000, 0xffff, 0x7f80, 0x7fc0, 0xff80, 0x3f80), fc.integer({ min: 0, max: 0xffff }));

const pointArb = fc.record({
  type: fc.constantFrom<DataType>(...TYPES),
  byteOrder: fc.constantFrom('BE' as const, 'LE' as const),
  wordOrder: fc.constantFrom('BE' as const, 'LE' as const),
  scale: fc.constantFrom(1, 0.1, 10, -2),
  offset: fc.constantFrom(0, 0.5, -100),
  gap: fc.integer({ min: 0, max: 2 }),
  bit: fc.integer({ min: 0, max: 15 }),
  min: fc.option(fc.constantFrom(-1000, 0, 100), { nil: undefined }),
  max: fc.option(fc.constantFrom(0, 1000, 60000), { nil: undefined }),
  notImplemented: fc.option(fc.oneof(fc.constant(null), fc.constantFrom(0, 0xffff, -1, 0x8000, 1.5)), { nil: undefined }),
});

type Spec = { type: DataType; byteOrder: 'BE' | 'LE'; wordOrder: 'BE' | 'LE'; scale: number; offset: number; gap: number; bit: number; min: number | undefined; max: number | undefined; notImplemented: number | null | undefined };

function build(specs: Spec[]): ReadBlock {
  const points: ProfilePoint[] = [];
  let addr = 10;
  specs.forEach((s, i) => {
    const length = LENGTH[s.type]!;
    const p: ProfilePoint = { name: `x_p${i}`, address: addr + s.gap, function: 'holding', type: s.type, length, byteOrder: s.byteOrder, wordOrder: s.wordOrder, scale: s.scale, offset: s.offset, access: 'r', poll: 'fast' };
    if (s.type === 'bit') p.bit = s.bit;
    if (s.type === 'enum') p.enum = { 1: 'one' };
    if (s.min !== undefined) p.min = s.min;
    if (s.max !== undefined) p.max = s.max;
    if (s.notImplemented !== undefined) p.notImplemented = s.notImplemented;
    points.push(p);
    addr += s.gap + length;
  });
  return { function: 'holding', start: 10, count: addr - 10, points };
}

describe('BlockDecoder', () => {
  it('publishes the same values and qualities as decodeBlockResults', () => {
    fc.assert(
      fc.property(fc.array(pointArb, { minLength: 1, maxLength: 12 }), fc.array(word, { minLength: 60, maxLength: 60 }), fc.integer({ min: 0, max: 8 }), (specs, words, cut) => {
        const block = build(specs);
        // Sometimes a short answer (the device sent fewer registers than asked).
        const regs = words.slice(0, cut === 0 ? Math.max(0, block.count - 3) : block.count);
        const dec = BlockDecoder.for(block);
        expect(dec).toBeDefined();
        const fast = dec!.decode(regs);
        const ref = decodeBlockResults([{ block, registers: regs }]);
        expect(fast.map((r) => ({ value: r.value, quality: r.quality }))).toEqual(ref.map((r) => ({ value: r.value, quality: r.quality })));
      }),
      { numRuns: 400 },
    );
  });

  it('falls back on registers that are not 16-bit integers, naming the problem like the reference', () => {
    const block = build([{ type: 'u32', byteOrder: 'BE', wordOrder: 'BE', scale: 1, offset: 0, gap: 0, bit: 0, min: undefined, max: undefined, notImplemented: undefined }]);
    for (const regs of [[1, 70000], [1.5, 2], [-1, 0]]) {
      const fast = BlockDecoder.for(block)!.decode(regs);
      const ref = decodeBlockResults([{ block, registers: regs }]);
      expect(fast[0]!.quality.code).toBe('invalid');
      expect(fast[0]).toEqual({ value: ref[0]!.value, quality: ref[0]!.quality });
    }
  });

  it('leaves blocks with SunSpec scale factors and bit tables to the reference path', () => {
    const base = { byteOrder: 'BE', wordOrder: 'BE', scale: 1, offset: 0, access: 'r', poll: 'fast' } as const;
    const sf: ReadBlock = { function: 'holding', start: 0, count: 2, points: [{ ...base, name: 'W', address: 0, function: 'holding', type: 'i16', length: 1, sf: 'W_SF' }, { ...base, name: 'W_SF', address: 1, function: 'holding', type: 'sunssf', length: 1 }] };
    const coils: ReadBlock = { function: 'coil', start: 0, count: 1, points: [{ ...base, name: 'x_c', address: 0, function: 'coil', type: 'bit', length: 1 }] };
    expect(BlockDecoder.for(sf)).toBeUndefined();
    expect(BlockDecoder.for(coils)).toBeUndefined();
  });
});
