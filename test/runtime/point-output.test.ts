import { describe, expect, it } from 'vitest';
import { PointRounder, pointDecimals, pointsAsObject, roundToProfile } from '../../src/runtime/point-output.js';
import type { Point } from '../../src/core/point.js';
import type { ProfilePoint } from '../../src/core/profile/types.js';

const pp = (name: string, type: ProfilePoint['type'], scale = 1, sf?: string) => ({ name, type, scale, ...(sf ? { sf } : {}) }) as ProfilePoint;
const pt = (name: string, value: Point['value'], code: Point['quality']['code'] = 'good'): Point => ({
  id: `s/d/${name}`, device: 'd', name, value, unit: name === 'W' ? 'W' : undefined, quality: { code }, receiveTime: 0,
});

describe('point output for read nodes', () => {
  it('derives decimals from the register step after scaling', () => {
    expect(pointDecimals(pp('Hz', 'u16', 0.01))).toBe(2);
    expect(pointDecimals(pp('W', 'i16', 10))).toBe(0);
    expect(pointDecimals(pp('A', 'u16', 1), -1)).toBe(1);
    expect(pointDecimals(pp('V', 'f32'))).toBeUndefined();
    expect(pointDecimals(pp('St', 'enum'))).toBeUndefined();
  });

  it('rounds floats to the digits of their type and scaled integers to their step', () => {
    expect(roundToProfile(Math.fround(230.1), pp('V', 'f32'))).toBe(230.1);
    expect(roundToProfile(49.99 + 1e-12, pp('Hz', 'u16', 0.01))).toBe(49.99);
    expect(roundToProfile(0.30000000000000004, pp('PF', 'i16', 0.1))).toBe(0.3);
    expect(roundToProfile(1234.5678, pp('W', 'f64'))).toBe(1234.5678);
  });

  it('uses SunSpec scale factors seen in the reads, and leaves values alone until one is seen', () => {
    const r = new PointRounder({ points: [pp('A_SF', 'sunssf'), pp('A', 'u16', 1, 'A_SF')] });
    expect(r.round([pt('A', 12.340000000000002)])[0]!.value).toBe(12.340000000000002);
    const out = r.round([pt('A_SF', -1), pt('A', 12.340000000000002)]);
    expect(out.map((p) => p.value)).toEqual([-1, 12.3]);
  });

  it('builds {name: value} with units and qualities beside it', () => {
    const o = pointsAsObject([pt('W', 1500), pt('Hz', null, 'timeout')]);
    expect(o).toEqual({ values: { W: 1500, Hz: null }, units: { W: 'W' }, quality: { W: 'good', Hz: 'timeout' } });
  });
});
