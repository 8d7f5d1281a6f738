/**
 * SunSpec information models as data (./models/model_<id>.json, converted from the SunSpec models repository,
 * https://github.com/sunspec/models, Apache-2.0: point names, order, types, sizes, units, scale factors, symbols).
 * Offsets count from the model's ID register (offset 0 = ID, 1 = L, 2 = first point), as in the specification.
 */
import { normalizeUnit } from '../../../core/units.js';
import type { DataType, ProfilePoint } from '../../../core/profile/types.js';
import m1 from './models/model_1.json';
import m101 from './models/model_101.json';
import m102 from './models/model_102.json';
import m103 from './models/model_103.json';
import m120 from './models/model_120.json';
import m121 from './models/model_121.json';
import m122 from './models/model_122.json';
import m123 from './models/model_123.json';
import m124 from './models/model_124.json';
import m203 from './models/model_203.json';
import m160 from './models/model_160.json';
import m802 from './models/model_802.json';
import m803 from './models/model_803.json';
import m804 from './models/model_804.json';

export interface SunSpecPointDef {
  name: string;
  /** SunSpec type: uint16, int16, uint32, int32, uint64, int64, float32, float64, acc16, acc32, acc64, enum16, enum32, bitfield16, bitfield32, sunssf, string, pad, count. */
  type: string;
  /** Registers. */
  size: number;
  sf?: string;
  units?: string;
  access?: 'RW';
  mandatory?: boolean;
  symbols?: Record<string, string>;
}

export interface SunSpecGroupDef {
  name: string;
  /** Number of repetitions: the name of a point holding it, or 0 = as many as fit in the model length. */
  count: string | number;
  points: SunSpecPointDef[];
}

export interface SunSpecModelDef {
  id: number;
  name: string;
  label: string;
  source: string;
  points: SunSpecPointDef[];
  groups?: SunSpecGroupDef[];
}

const MODELS = new Map<number, SunSpecModelDef>(
  ([m1, m101, m102, m103, m120, m121, m122, m123, m124, m160, m203, m802, m803, m804] as SunSpecModelDef[]).map((m) => [m.id, m]),
);

export const SUNSPEC_MODEL_IDS: readonly number[] = [...MODELS.keys()];

export function getSunSpecModel(id: number): SunSpecModelDef | undefined {
  return MODELS.get(id);
}

/** Registers of a list of point definitions. */
export function blockSize(points: readonly SunSpecPointDef[]): number {
  return points.reduce((n, p) => n + p.size, 0);
}

/** SunSpec type → GridBridge data type and sentinel override; undefined for padding. */
export function mapSunSpecType(t: string, size: number): { type: DataType; notImplemented?: number | null } | undefined {
  switch (t) {
    case 'uint16': case 'count': return { type: 'u16' };
    case 'int16': return { type: 'i16' };
    case 'uint32': return { type: 'u32' };
    case 'int32': return { type: 'i32' };
    case 'uint64': return { type: 'u64' };
    case 'int64': return { type: 'i64' };
    case 'float32': return { type: 'f32' };
    case 'float64': return { type: 'f64' };
    case 'acc16': return { type: 'acc16' };
    case 'acc32': return { type: 'acc32' };
    case 'acc64': return { type: 'u64', notImplemented: 0 };
    case 'enum16': case 'enum32': return { type: 'enum' };
    case 'bitfield16': case 'bitfield32': case 'bitfield64': return { type: 'bitfield' };
    case 'sunssf': return { type: 'sunssf' };
    case 'string': return { type: 'string' };
    case 'pad': return undefined;
    default: return size > 0 ? { type: 'u16', notImplemented: null } : undefined;
  }
}

/** One SunSpec point as a ProfilePoint at `address` (holding registers, big-endian, SunSpec sentinels). */
export function sunspecProfilePoint(def: SunSpecPointDef, address: number, name = def.name): ProfilePoint | undefined {
  const m = mapSunSpecType(def.type, def.size);
  if (!m) return undefined;
  const p: ProfilePoint = {
    name,
    address,
    function: 'holding',
    type: m.type,
    length: def.size,
    byteOrder: 'BE',
    wordOrder: 'BE',
    scale: 1,
    offset: 0,
    access: def.access === 'RW' ? 'rw' : 'r',
    poll: 'normal',
  };
  if (m.notImplemented !== undefined) p.notImplemented = m.notImplemented;
  if (def.sf) p.sf = def.sf;
  // SunSpec writes relative units as "% WMax", "% WChaMax/sec": the unit is %, the rest says of what.
  if (def.units) p.unit = normalizeUnit(def.units) ?? (/^%\s/.test(def.units) && !def.units.includes('/') ? '%' : def.units);
  if (def.symbols) {
    const codes = Object.fromEntries(Object.entries(def.symbols).map(([k, v]) => [Number(k), v]));
    if (m.type === 'enum') p.enum = codes;
    else if (m.type === 'bitfield') p.bitfield = codes;
  }
  return p;
}

/**
 * The fixed part of a model as ProfilePoints, addressed from `base` = the address of the model's ID register
 * (e.g. 40002 + … as found by discovery). ID, L and padding are left out.
 */
export function sunspecModelPoints(id: number, base: number): ProfilePoint[] {
  const m = MODELS.get(id);
  if (!m) throw new RangeError(`SunSpec model ${id} is not known (known: ${SUNSPEC_MODEL_IDS.join(', ')})`);
  const out: ProfilePoint[] = [];
  let off = 0;
  for (const d of m.points) {
    if (off >= 2) {
      const p = sunspecProfilePoint(d, base + off);
      if (p) out.push(p);
    }
    off += d.size;
  }
  return out;
}
