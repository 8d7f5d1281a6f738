import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { convertUnit, normalizeUnit, unitsCompatible } from '../../src/core/units.js';
import { applyScaling, encodeScaled, inverseScaling, readPoint } from '../../src/core/profile/scaling.js';
import type { ProfilePoint } from '../../src/core/profile/types.js';

const pt = (extra: Partial<ProfilePoint> = {}): ProfilePoint => ({ name: 'W', address: 0, function: 'holding', type: 'i16', length: 1, byteOrder: 'BE', wordOrder: 'BE', scale: 1, offset: 0, access: 'rw', poll: 'normal', ...extra });

describe('convertUnit', () => {
  it.each([
    [1.5, 'kW', 'W', 1500],
    [2500, 'W', 'MW', 0.0025],
    [12.5, 'kWh', 'Wh', 12500],
    [3, 'MWh', 'kWh', 3000],
    [230, 'V', 'kV', 0.23],
    [1500, 'mA', 'A', 1.5],
    [100, 'Cel', 'degF', 212],
    [32, 'degF', 'Cel', 0],
    [0, 'Cel', 'K', 273.15],
    [1, 'kvar', 'var', 1000],
    [2, 'kVA', 'VA', 2000],
    [0.95, '1', '%', 95],
    [45, '°C', 'Cel', 45],
    [0.1, 'kW', 'W', 100],
  ])('%d %s → %s', (v, from, to, want) => {
    expect(convertUnit(v, from, to)).toBeCloseTo(want, 10);
  });

  it('throws on incompatible or unknown units, naming them', () => {
    expect(() => convertUnit(1, 'W', 'V')).toThrow(/cannot convert W \(power\) to V \(voltage\)/);
    expect(() => convertUnit(1, 'W', 'Wh')).toThrow(RangeError);
    expect(() => convertUnit(1, 'furlong', 'm')).toThrow(/unknown unit "furlong"/);
    expect(convertUnit(7, 'vendorUnit', 'vendorUnit')).toBe(7);
  });

  it('knows aliases and compatibility', () => {
    expect(normalizeUnit('Pct')).toBe('%');
    expect(normalizeUnit('VAr')).toBe('var');
    expect(unitsCompatible('kWh', 'Wh')).toBe(true);
    expect(unitsCompatible('kW', 'kWh')).toBe(false);
  });

  it('round-trips (property)', () => {
    const pairs: Array<[string, string]> = [['kW', 'W'], ['Cel', 'degF'], ['MWh', 'Wh'], ['mA', 'kA']];
    fc.assert(fc.property(fc.constantFrom(...pairs), fc.double({ min: -1e6, max: 1e6, noNaN: true }), ([a, b], v) => {
      expect(convertUnit(convertUnit(v, a, b), b, a)).toBeCloseTo(v, 6);
    }));
  });
});

describe('scaling', () => {
  it('applies raw × 10^sf × scale + offset without binary noise', () => {
    expect(applyScaling(pt({ sf: 'W_SF' }), 1234, -2)).toBe(12.34);
    expect(applyScaling(pt({ sf: 'W_SF' }), 5, 3)).toBe(5000);
    expect(applyScaling(pt({ scale: 0.1 }), 2301)).toBe(230.1);
    expect(applyScaling(pt({ scale: 0.1, offset: -40 }), 652)).toBe(25.2);
    expect(inverseScaling(pt({ scale: 0.1, offset: -40 }), 25.2)).toBe(652);
    expect(inverseScaling(pt({ sf: 'X' }), 12.34, -2)).toBe(1234);
  });

  it('refuses a missing or absurd scale factor', () => {
    expect(() => applyScaling(pt({ sf: 'W_SF' }), 1)).toThrow(/W: scale factor W_SF not available/);
    expect(() => applyScaling(pt({ sf: 'W_SF' }), 1, 11)).toThrow(/outside/);
  });

  it('readPoint gives quality for sentinels, scale factors, limits and overflow', () => {
    expect(readPoint(pt({ sf: 'W_SF' }), [0xfffe], undefined, -1)).toMatchObject({ value: -0.2, quality: { code: 'good' } });
    expect(readPoint(pt(), [0x8000]).quality.code).toBe('not_implemented');
    expect(readPoint(pt({ sf: 'W_SF' }), [1], undefined, null).quality.code).toBe('not_implemented');
    expect(readPoint(pt({ sf: 'W_SF' }), [1]).quality.code).toBe('invalid');
    expect(readPoint(pt({ max: 10 }), [11]).quality.code).toBe('out_of_range');
    expect(readPoint(pt({ type: 'u64', length: 4 }), [0x0100, 0, 0, 0]).quality.code).toBe('overflow');
    expect(readPoint(pt({ type: 'u32', length: 2 }), [1]).quality.code).toBe('invalid'); // short
    expect(readPoint(pt({ type: 'enum', enum: { 4: 'MPPT' } }), [4])).toMatchObject({ value: 4, label: 'MPPT' });
  });

  it('encodeScaled checks write limits, rounds, and encodes', () => {
    const p = pt({ name: 'WMaxLimPct', type: 'u16', sf: 'WMaxLimPct_SF', min: 0, max: 100 });
    expect(encodeScaled(p, 75.5, -2)).toEqual([7550]);
    expect(encodeScaled(pt({ scale: 0.1 }), 12.34)).toEqual([123]);
    expect(() => encodeScaled(p, 101, -2)).toThrow(/WMaxLimPct: 101 is above the write limit max 100/);
    expect(() => encodeScaled(p, -1, -2)).toThrow(/below the write limit/);
    expect(() => encodeScaled({ ...p, access: 'r' }, 50, -2)).toThrow(/read-only/);
    expect(() => encodeScaled(p, 50)).toThrow(/scale factor/);
    expect(() => encodeScaled(pt({ type: 'i16', scale: 0.01 }), 400)).toThrow(/outside -32768\.\.32767/);
  });
});
