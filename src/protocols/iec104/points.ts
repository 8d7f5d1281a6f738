/** Incoming IEC 104 information objects → GridBridge Points (value, quality, time tag). */
import type { Point, PointValue, Quality } from '../../core/point.js';
import { TypeId, withoutTime } from './constants.js';
import { cp56ToEpoch } from './cp56time.js';
import { toPointQuality } from './quality.js';
import type { InfoObject } from './types/object.js';

export interface ObjectUpdate {
  ca: number;
  typeId: number;
  cot: number;
  test: boolean;
  object: InfoObject;
}

export interface PointNaming {
  device: string;
  name: string;
  unit?: string;
}

/** Default naming when the mapping does not know an address: device `ca<CA>`, name `x_ioa<IOA>`. */
export function defaultNaming(ca: number, ioa: number): PointNaming {
  return { device: `ca${ca}`, name: `x_ioa${ioa}` };
}

/** The shortest decimal that reads back as the same float32 (47.29899978637695 → 47.299). */
export function float32Decimal(v: number): number {
  if (!Number.isFinite(v)) return v;
  for (let p = 6; p <= 9; p++) {
    const d = Number(v.toPrecision(p));
    if (Math.fround(d) === v) return d;
  }
  return v;
}

export function objectToPoint(u: ObjectUpdate, naming: PointNaming, receiveTime: number, opts: { site?: string; utcOffsetMinutes?: number } = {}): Point {
  const o = u.object;
  let value: PointValue | null = typeof o.value === 'boolean' || typeof o.value === 'number' ? o.value : null;
  let quality: Quality = toPointQuality(o.quality);
  const base = withoutTime(u.typeId);
  if (base === TypeId.M_DP_NA_1) {
    // Double point: 1 = off, 2 = on; 0 and 3 are intermediate/indeterminate.
    if (o.value === 1 || o.value === 2) value = o.value === 2;
    else {
      value = null;
      quality = { code: 'invalid', reason: `double point ${o.value === 0 ? 'intermediate' : 'indeterminate'} state (${String(o.value)})` };
    }
  }
  if (typeof value === 'number' && base === TypeId.M_ME_NC_1) value = float32Decimal(value);
  const p: Point = {
    id: opts.site ? `${opts.site}/${naming.device}/${naming.name}` : `${naming.device}/${naming.name}`,
    device: naming.device,
    name: naming.name,
    value,
    quality,
    receiveTime,
  };
  if (naming.unit) p.unit = naming.unit;
  if (o.time && !o.time.invalid) {
    const t = cp56ToEpoch(o.time, opts.utcOffsetMinutes ?? 0);
    if (t !== undefined) p.sourceTime = t;
  }
  if (u.test) p.quality = { code: 'questionable', reason: 'IEC 104 test bit set' };
  return p;
}
