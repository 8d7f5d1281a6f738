/**
 * How read nodes present points: rounded to the precision the profile gives them (the register's resolution after
 * scaling, or the significant digits of a float type), and as one `{name: value}` object for readable debug output.
 */
import type { Point } from '../core/point.js';
import type { Profile, ProfilePoint } from '../core/profile/types.js';

/** Significant digits a float register carries (IEEE 754 single: 7, double: 15). */
const FLOAT_DIGITS: Partial<Record<ProfilePoint['type'], number>> = { f32: 7, f64: 15 };

/**
 * Decimal places of one step of the register after scaling (raw × 10^sf × scale): 0.1 → 1, 0.01 → 2, 10 → 0.
 * undefined for floats with no scaling (they are rounded to significant digits instead) and non-numeric types.
 */
export function pointDecimals(p: Pick<ProfilePoint, 'type' | 'scale'>, sfExponent = 0): number | undefined {
  if (p.type === 'string' || p.type === 'enum' || p.type === 'bitfield' || p.type === 'bit') return undefined;
  if (FLOAT_DIGITS[p.type] !== undefined && p.scale === 1 && sfExponent === 0) return undefined;
  const step = Math.abs(p.scale * 10 ** sfExponent);
  if (!(step > 0) || !Number.isFinite(step)) return undefined;
  return Math.min(12, Math.max(0, Math.ceil(-Math.log10(step) - 1e-9)));
}

export function roundToProfile(value: number, p: Pick<ProfilePoint, 'type' | 'scale'>, sfExponent = 0): number {
  if (!Number.isFinite(value)) return value;
  const digits = FLOAT_DIGITS[p.type];
  let v = digits !== undefined ? Number(value.toPrecision(digits)) : value;
  const d = pointDecimals(p, sfExponent);
  if (d !== undefined) v = Number(v.toFixed(d));
  return v;
}

/** Rounds the numeric values of a device's points; remembers SunSpec scale factors it sees (they come in the same reads). */
export class PointRounder {
  private readonly byName = new Map<string, ProfilePoint>();
  private readonly sf = new Map<string, number>();
  constructor(profile: Pick<Profile, 'points'>) {
    for (const p of profile.points) this.byName.set(p.name, p);
  }
  round(points: readonly Point[]): Point[] {
    for (const pt of points) {
      const pp = this.byName.get(pt.name);
      if (pp?.type === 'sunssf' && typeof pt.value === 'number') this.sf.set(pt.name, pt.value);
    }
    return points.map((pt) => {
      const pp = this.byName.get(pt.name);
      if (!pp || typeof pt.value !== 'number' || pp.type === 'sunssf') return pt;
      const exp = pp.sf !== undefined ? this.sf.get(pp.sf) : 0;
      if (exp === undefined) return pt; // scale factor not seen yet: leave the value as it is
      const v = roundToProfile(pt.value, pp, exp);
      return v === pt.value ? pt : { ...pt, value: v };
    });
  }
}

/** `{W: 1234.5, Hz: 50.01}` with units and qualities beside it, for one debug line per read. */
export function pointsAsObject(points: readonly Point[]): { values: Record<string, Point['value']>; units: Record<string, string>; quality: Record<string, string> } {
  const values: Record<string, Point['value']> = {};
  const units: Record<string, string> = {};
  const quality: Record<string, string> = {};
  for (const p of points) {
    values[p.name] = p.value;
    if (p.unit) units[p.name] = p.unit;
    quality[p.name] = p.quality.code;
  }
  return { values, units, quality };
}
