/**
 * Decode one SunSpec model block (the registers from the model's ID register through ID + 2 + L) into points named
 * with their SunSpec names, scale factors applied and not-implemented sentinels turned into quality
 * `not_implemented`. Repeating groups (e.g. model 160 modules, 803 strings) come back as arrays. Discovery (finding
 * "SunS" and walking the model chain) belongs to the transport side; it calls this per model.
 */
import { DecodeError } from '../../../core/errors.js';
import type { PointValue, Quality } from '../../../core/point.js';
import { decodePoint, type RawValue } from '../../../core/profile/datatypes.js';
import { readingFromDecoded } from '../../../core/profile/scaling.js';
import type { ProfilePoint } from '../../../core/profile/types.js';
import { blockSize, getSunSpecModel, SUNSPEC_MODEL_IDS, sunspecProfilePoint, type SunSpecPointDef } from './models.js';

export interface SunSpecValue {
  value: PointValue | null;
  quality: Quality;
  raw: RawValue;
  unit?: string;
  label?: string;
  flags?: string[];
}

export type SunSpecValues = Record<string, SunSpecValue>;

export interface SunSpecModelBlock {
  id: number;
  /** SunSpec group name, e.g. "inverter_three_phase". */
  name: string;
  /** L: registers after the ID and L registers. */
  length: number;
  points: SunSpecValues;
  /** Repeating groups by name, one record per repetition. */
  groups: Record<string, SunSpecValues[]>;
}

const P = 'sunspec';

function decodeList(defs: readonly SunSpecPointDef[], regs: ArrayLike<number>, start: number, sf: ReadonlyMap<string, number | null>, out: SunSpecValues, skipHeader: boolean): void {
  let off = start;
  const points: Array<[ProfilePoint, number]> = [];
  for (const d of defs) {
    const p = skipHeader && off - start < 2 ? undefined : sunspecProfilePoint(d, off);
    if (p) points.push([p, off]);
    off += d.size;
  }
  for (const [p, o] of points) {
    const slice: number[] = [];
    for (let i = 0; i < p.length; i++) slice.push(regs[o + i]!);
    let v: SunSpecValue;
    try {
      const r = readingFromDecoded(p, decodePoint(p, slice), p.sf !== undefined ? (sf.has(p.sf) ? sf.get(p.sf) : undefined) : undefined);
      v = { value: r.value, quality: r.quality, raw: r.raw };
      if (r.label !== undefined) v.label = r.label;
      if (r.flags) v.flags = r.flags;
    } catch (e) {
      throw new DecodeError(`point ${p.name}: ${e instanceof Error ? e.message : String(e)}`, o, P);
    }
    if (p.unit) v.unit = p.unit;
    out[p.name] = v;
  }
}

function scaleFactors(defs: readonly SunSpecPointDef[], regs: ArrayLike<number>, start: number): Map<string, number | null> {
  const sf = new Map<string, number | null>();
  let off = start;
  for (const d of defs) {
    if (d.type === 'sunssf') {
      const r = regs[off]!;
      const v = r >= 0x8000 ? r - 0x10000 : r;
      sf.set(d.name, r === 0x8000 ? null : v);
    }
    off += d.size;
  }
  return sf;
}

/**
 * `regs[0]` must be the model ID and `regs[1]` its length L; at least L + 2 registers are needed. Throws
 * DecodeError (offset = register index in `regs`) for an unknown model, a wrong ID, a short block or a length that
 * does not fit the model.
 */
export function decodeSunSpecModel(id: number, regs: ArrayLike<number>): SunSpecModelBlock {
  const m = getSunSpecModel(id);
  if (!m) throw new DecodeError(`model ${id} is not known (known: ${SUNSPEC_MODEL_IDS.join(', ')})`, 0, P);
  if (regs.length < 2) throw new DecodeError('block shorter than the ID and L registers', regs.length, P);
  for (let i = 0; i < regs.length; i++) {
    const r = regs[i];
    if (r === undefined || !Number.isInteger(r) || r < 0 || r > 0xffff) throw new DecodeError(`register value ${String(r)} is not 0..65535`, i, P);
  }
  if (regs[0] !== id) throw new DecodeError(`block starts with model ID ${regs[0]}, expected ${id}`, 0, P);
  const length = regs[1]!;
  if (regs.length < length + 2) throw new DecodeError(`model ${id} declares L=${length} but only ${regs.length - 2} registers follow`, regs.length, P);
  const fixed = blockSize(m.points);
  if (length + 2 < fixed) throw new DecodeError(`model ${id} L=${length} is shorter than its fixed block (${fixed - 2})`, 1, P);
  const sf = scaleFactors(m.points, regs, 0);
  const out: SunSpecModelBlock = { id, name: m.name, length, points: {}, groups: {} };
  decodeList(m.points, regs, 0, sf, out.points, true);

  let off = fixed;
  for (const g of m.groups ?? []) {
    const size = blockSize(g.points);
    let n: number;
    if (typeof g.count === 'string') {
      const c = out.points[g.count];
      if (!c || typeof c.value !== 'number') throw new DecodeError(`repeat count ${g.count} of group ${g.name} is not readable`, off, P);
      n = c.value;
    } else {
      const rest = length + 2 - off;
      if (rest % size !== 0) throw new DecodeError(`model ${id}: ${rest} registers left for group ${g.name} is not a multiple of its size ${size}`, off, P);
      n = rest / size;
    }
    if (off + n * size > length + 2) throw new DecodeError(`model ${id}: ${n} × ${g.name} (${size} registers each) do not fit in L=${length}`, off, P);
    const list: SunSpecValues[] = [];
    for (let i = 0; i < n; i++) {
      const rec: SunSpecValues = {};
      decodeList(g.points, regs, off, sf, rec, false);
      list.push(rec);
      off += size;
    }
    out.groups[g.name] = list;
  }
  return out;
}

/** Flatten a decoded model to `name → value` plus `group[i].name → value` (handy for logs and MQTT). */
export function flattenSunSpec(b: SunSpecModelBlock): Record<string, SunSpecValue> {
  const out: Record<string, SunSpecValue> = { ...b.points };
  for (const [g, list] of Object.entries(b.groups)) list.forEach((rec, i) => {
    for (const [k, v] of Object.entries(rec)) out[`${g}[${i}].${k}`] = v;
  });
  return out;
}

