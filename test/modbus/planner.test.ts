import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { planReadBlocks, decodeBlockResults, type ReadBlock } from '../../src/protocols/modbus/planner.js';
import type { Hole, ModbusFunction, ProfilePoint } from '../../src/core/profile/types.js';
import { DEFAULT_LIMITS, fixedLength } from '../../src/core/profile/types.js';

let n = 0;
function pt(address: number, length = 1, fn: ModbusFunction = 'holding', extra: Partial<ProfilePoint> = {}): ProfilePoint {
  const type = fn === 'coil' || fn === 'discrete' ? 'bit' : length === 1 ? 'u16' : length === 2 ? 'u32' : length === 4 ? 'u64' : 'string';
  return { name: `x_p${n++}`, address, function: fn, type, length: fn === 'coil' || fn === 'discrete' ? 1 : length, byteOrder: 'BE', wordOrder: 'BE', scale: 1, offset: 0, access: 'r', poll: 'normal', ...extra };
}
const L = DEFAULT_LIMITS;
const spans = (b: ReadBlock[]): string[] => b.map((x) => `${x.function}:${x.start}+${x.count}`);

describe('planReadBlocks', () => {
  it('coalesces adjacent points into one request', () => {
    expect(spans(planReadBlocks([pt(0), pt(1, 2), pt(3)], L))).toEqual(['holding:0+4']);
  });

  it('bridges gaps up to maxGap and splits beyond', () => {
    expect(spans(planReadBlocks([pt(0), pt(21)], L))).toEqual(['holding:0+22']); // gap of 20
    expect(spans(planReadBlocks([pt(0), pt(22)], L))).toEqual(['holding:0+1', 'holding:22+1']); // gap of 21
    expect(spans(planReadBlocks([pt(0), pt(2)], { ...L, maxGap: 0 }))).toEqual(['holding:0+1', 'holding:2+1']);
  });

  it('never exceeds maxReadRegisters', () => {
    const pts = Array.from({ length: 100 }, (_, i) => pt(i * 2, 2));
    const b = planReadBlocks(pts, L);
    expect(spans(b)).toEqual(['holding:0+124', 'holding:124+76']);
    expect(spans(planReadBlocks([pt(0), pt(9)], { ...L, maxReadRegisters: 8 }))).toEqual(['holding:0+1', 'holding:9+1']);
    expect(() => planReadBlocks([pt(0, 10)], { ...L, maxReadRegisters: 8 })).toThrow(/x_p\d+: spans 10/);
  });

  it('never reads a declared hole', () => {
    const holes: Hole[] = [{ function: 'holding', start: 5, count: 2 }];
    expect(spans(planReadBlocks([pt(0), pt(10)], L, { holes }))).toEqual(['holding:0+1', 'holding:10+1']);
    // a hole in another table does not matter
    expect(spans(planReadBlocks([pt(0), pt(10)], L, { holes: [{ function: 'input', start: 5, count: 2 }] }))).toEqual(['holding:0+11']);
    expect(() => planReadBlocks([pt(5)], L, { holes })).toThrow(/hole/);
  });

  it('separates function codes and plans bits with the bit limit', () => {
    const b = planReadBlocks([pt(0, 1, 'input'), pt(0), pt(1), pt(0, 1, 'coil'), pt(100, 1, 'coil'), pt(3, 1, 'discrete')], L);
    expect(spans(b)).toEqual(['coil:0+101', 'discrete:3+1', 'holding:0+2', 'input:0+1']);
    expect(spans(planReadBlocks([pt(0, 1, 'coil'), pt(400, 1, 'coil')], L))).toEqual(['coil:0+1', 'coil:400+1']);
    expect(spans(planReadBlocks([pt(0, 1, 'coil'), pt(10, 1, 'coil')], { ...L, maxReadBits: 8 }))).toEqual(['coil:0+1', 'coil:10+1']);
  });

  it('puts bit views of a register in the same block as the register', () => {
    const b = planReadBlocks([pt(7, 1, 'holding', { type: 'bit', bit: 0 }), pt(7), pt(7, 1, 'holding', { type: 'bit', bit: 3 })], L);
    expect(spans(b)).toEqual(['holding:7+1']);
    expect(b[0]!.points).toHaveLength(3);
  });

  it('skips write-only points and filters by poll class', () => {
    expect(spans(planReadBlocks([pt(0, 1, 'holding', { access: 'w' }), pt(50)], L))).toEqual(['holding:50+1']);
    expect(spans(planReadBlocks([pt(0, 1, 'holding', { poll: 'fast' }), pt(1, 1, 'holding', { poll: 'slow' })], L, { pollClasses: ['fast'] }))).toEqual(['holding:0+1']);
  });

  it('plans a large table (10 000 points) into full blocks', () => {
    const pts = Array.from({ length: 10000 }, (_, i) => pt(i, 1, 'input'));
    const b = planReadBlocks(pts, L);
    expect(b).toHaveLength(Math.ceil(10000 / 125));
    expect(b.every((x) => x.count <= 125)).toBe(true);
  });

  it('property: every point in exactly one block, blocks within limits, no hole read', () => {
    const fnArb = fc.constantFrom<ModbusFunction>('holding', 'input', 'coil', 'discrete');
    const pointsArb = fc.uniqueArray(fc.record({ address: fc.integer({ min: 0, max: 3000 }), length: fc.constantFrom(1, 2, 4, 10), fn: fnArb }), { maxLength: 120, selector: (p) => `${p.fn}:${p.address}` });
    const holesArb = fc.array(fc.record({ function: fnArb, start: fc.integer({ min: 0, max: 3000 }), count: fc.integer({ min: 1, max: 30 }) }), { maxLength: 6 });
    fc.assert(
      fc.property(pointsArb, holesArb, fc.integer({ min: 10, max: 125 }), fc.integer({ min: 8, max: 2000 }), fc.integer({ min: 0, max: 40 }), (raw, holes, maxReadRegisters, maxReadBits, maxGap) => {
        // Build non-overlapping points outside holes (what parseProfile guarantees).
        const taken = new Map<ModbusFunction, Array<[number, number]>>();
        const pts: ProfilePoint[] = [];
        for (const r of raw) {
          const len = r.fn === 'coil' || r.fn === 'discrete' ? 1 : Math.min(r.length, maxReadRegisters);
          const end = r.address + len;
          const used = taken.get(r.fn) ?? [];
          if (used.some(([a, b]) => r.address < b && a < end)) continue;
          if (holes.some((h) => h.function === r.fn && r.address < h.start + h.count && h.start < end)) continue;
          used.push([r.address, end]);
          taken.set(r.fn, used);
          pts.push(pt(r.address, len, r.fn, { type: r.fn === 'coil' || r.fn === 'discrete' ? 'bit' : len === 10 ? 'string' : (['u16', 'u32', 'u32', 'u64'][len - 1] as 'u16') ?? 'string' }));
        }
        const limits = { maxReadRegisters, maxReadBits, maxGap };
        const blocks = planReadBlocks(pts, limits, { holes });
        const seen = new Map<string, number>();
        for (const b of blocks) {
          const bits = b.function === 'coil' || b.function === 'discrete';
          expect(b.count).toBeLessThanOrEqual(bits ? maxReadBits : maxReadRegisters);
          expect(b.start + b.count).toBeLessThanOrEqual(0x10000);
          for (const h of holes) if (h.function === b.function) expect(b.start < h.start + h.count && h.start < b.start + b.count, 'hole read').toBe(false);
          for (const p of b.points) {
            expect(p.function).toBe(b.function);
            expect(p.address).toBeGreaterThanOrEqual(b.start);
            expect(p.address + p.length).toBeLessThanOrEqual(b.start + b.count);
            seen.set(p.name, (seen.get(p.name) ?? 0) + 1);
          }
        }
        expect(seen.size).toBe(pts.length);
        for (const c of seen.values()) expect(c).toBe(1);
      }),
      { numRuns: 300 },
    );
  });
});

describe('decodeBlockResults', () => {
  it('resolves scale factors across blocks and marks short answers invalid', () => {
    const sf: ProfilePoint = { ...pt(200), name: 'W_SF', type: 'sunssf' };
    const w: ProfilePoint = { ...pt(0), name: 'W', type: 'i16', sf: 'W_SF', unit: 'W', length: fixedLength('i16')! };
    const hz: ProfilePoint = { ...pt(1), name: 'Hz', scale: 0.01, unit: 'Hz' };
    const blocks = planReadBlocks([sf, w, hz], L);
    expect(blocks).toHaveLength(2);
    const out = decodeBlockResults([
      { block: blocks[0]!, registers: [0xfffe, 5002] },
      { block: blocks[1]!, registers: [0xffff] },
    ]);
    const by = Object.fromEntries(out.map((d) => [d.point.name, d]));
    expect(by.W).toMatchObject({ value: -0.2, quality: { code: 'good' } });
    expect(by.Hz?.value).toBe(50.02);
    expect(by.W_SF?.value).toBe(-1);
    const short = decodeBlockResults([{ block: blocks[0]!, registers: [1] }], new Map([['W_SF', 0]]));
    expect(short.find((d) => d.point.name === 'W')?.value).toBe(1);
    expect(short.find((d) => d.point.name === 'Hz')?.quality.code).toBe('invalid');
    const ni = decodeBlockResults([{ block: blocks[0]!, registers: [1, 1] }], new Map([['W_SF', null]]));
    expect(ni.find((d) => d.point.name === 'W')?.quality.code).toBe('not_implemented');
  });
});
