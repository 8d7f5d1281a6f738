import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../src/core/errors.js';
import { decodeSunSpecModel, flattenSunSpec, type SunSpecValues } from '../../src/protocols/modbus/sunspec/decode.js';
import { getSunSpecModel, SUNSPEC_MODEL_IDS, blockSize, sunspecModelPoints } from '../../src/protocols/modbus/sunspec/models.js';
import { planReadBlocks } from '../../src/protocols/modbus/planner.js';

interface Expect { value: number | string | null; quality?: string; unit?: string; label?: string; flags?: string[] }
interface Block { model: number; source: string; regs: number[]; expect: Record<string, Expect>; groups?: Record<string, Array<Record<string, Expect>>> }
const blocks = (JSON.parse(readFileSync(join(__dirname, '..', 'vectors', 'modbus', 'sunspec.json'), 'utf8')) as { blocks: Block[] }).blocks;

function check(got: SunSpecValues, want: Record<string, Expect>): void {
  for (const [name, e] of Object.entries(want)) {
    const g = got[name];
    expect(g, name).toBeDefined();
    if (typeof e.value === 'number') expect(g!.value, name).toBeCloseTo(e.value, 9);
    else expect(g!.value, name).toEqual(e.value);
    expect(g!.quality.code, name).toBe(e.quality ?? 'good');
    if (e.unit) expect(g!.unit, name).toBe(e.unit);
    if (e.label) expect(g!.label, name).toBe(e.label);
    if (e.flags) expect(g!.flags, name).toEqual(e.flags);
  }
}

describe('SunSpec model data', () => {
  it('has the required models with their published fixed sizes', () => {
    for (const id of [1, 101, 102, 103, 120, 121, 122, 123, 124, 160, 802]) expect(SUNSPEC_MODEL_IDS).toContain(id);
    // Fixed block lengths (L) from the SunSpec specification: 1 → 66, 103 → 50, 120 → 26, 123 → 24, 124 → 24, 802 → 62.
    const L = (id: number): number => blockSize(getSunSpecModel(id)!.points) - 2;
    expect([L(1), L(103), L(120), L(123), L(124), L(802)]).toEqual([66, 50, 26, 24, 24, 62]);
    expect(blockSize(getSunSpecModel(160)!.groups![0]!.points)).toBe(20);
    for (const id of SUNSPEC_MODEL_IDS) expect(getSunSpecModel(id)!.source).toMatch(/sunspec\/models/);
  });

  it('gives ProfilePoints for a model that the planner reads in one block', () => {
    const pts = sunspecModelPoints(103, 40069);
    expect(pts.find((p) => p.name === 'W')).toMatchObject({ address: 40069 + 14, type: 'i16', sf: 'W_SF', unit: 'W' });
    const blocks = planReadBlocks(pts, { maxReadRegisters: 125, maxReadBits: 2000, maxGap: 20 });
    expect(blocks).toHaveLength(1);
    expect(blocks[0]).toMatchObject({ function: 'holding', start: 40071, count: 50 });
  });
});

describe('decodeSunSpecModel golden blocks (test/vectors/modbus/sunspec.json)', () => {
  for (const b of blocks) {
    it(`model ${b.model}: ${b.source}`, () => {
      const d = decodeSunSpecModel(b.model, b.regs);
      expect(d.id).toBe(b.model);
      expect(d.length).toBe(b.regs.length - 2);
      check(d.points, b.expect);
      for (const [g, list] of Object.entries(b.groups ?? {})) {
        expect(d.groups[g]).toHaveLength(list.length);
        list.forEach((want, i) => check(d.groups[g]![i]!, want));
      }
    });
  }

  it('flattens repeating groups with indexed names', () => {
    const b = blocks.find((x) => x.model === 160)!;
    const flat = flattenSunSpec(decodeSunSpecModel(160, b.regs));
    expect(flat['module[1].IDStr']?.value).toBe('string B');
  });

  it('rejects malformed blocks with the register offset', () => {
    const b = blocks.find((x) => x.model === 103)!;
    const at = (fn: () => unknown): number => {
      try {
        fn();
      } catch (e) {
        expect(e).toBeInstanceOf(DecodeError);
        return (e as DecodeError).offset;
      }
      throw new Error('no error');
    };
    expect(at(() => decodeSunSpecModel(101, b.regs))).toBe(0); // wrong ID
    expect(at(() => decodeSunSpecModel(103, b.regs.slice(0, 30)))).toBe(30); // short
    expect(at(() => decodeSunSpecModel(103, [103, 10, ...new Array<number>(10).fill(0)]))).toBe(1); // L below fixed size
    expect(at(() => decodeSunSpecModel(9999, b.regs))).toBe(0);
    const m160 = blocks.find((x) => x.model === 160)!.regs.slice();
    m160[1] = m160[1]! - 1; // L no longer a whole number of modules
    expect(at(() => decodeSunSpecModel(160, m160.slice(0, m160[1]! + 2)))).toBe(10);
    const bad = b.regs.slice();
    bad[5] = 70000;
    expect(at(() => decodeSunSpecModel(103, bad))).toBe(5);
  });
});
