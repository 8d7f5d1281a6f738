/**
 * The controlled station's point store: the current value of every monitored point, addressed by common address
 * and IOA, with its type, interrogation groups and cyclic flag. GI, read and cyclic answers come from here.
 */
import { isMonitorType, TypeId, withoutTime } from './constants.js';
import type { InfoObject } from './types/object.js';

export interface StoredPoint {
  ca: number;
  ioa: number;
  /** The monitor type for spontaneous data (time-tagged types send CP56Time2a; GI uses the type without time). */
  typeId: number;
  obj: InfoObject;
  /** Interrogation groups 1..16 the point belongs to (station interrogation answers every point). */
  groups: number[];
  /** Counter interrogation group 1..4 (M_IT only). */
  counterGroup?: number;
  cyclic: boolean;
}

export interface PointDefinition {
  ca: number;
  ioa: number;
  typeId: number;
  groups?: number[];
  counterGroup?: number;
  cyclic?: boolean;
  initial?: Omit<InfoObject, 'ioa'>;
}

const key = (ca: number, ioa: number): number => ca * 0x1000000 + ioa;

export class PointStore {
  private points = new Map<number, StoredPoint>();
  private sorted = new Map<number, StoredPoint[]>();

  define(d: PointDefinition): StoredPoint {
    if (!isMonitorType(d.typeId) || d.typeId === TypeId.M_EI_NA_1) throw new RangeError(`type ${d.typeId} is not a monitored point type`);
    if (!Number.isInteger(d.ioa) || d.ioa < 0 || d.ioa > 0xffffff) throw new RangeError(`IOA ${d.ioa} out of range`);
    const p: StoredPoint = {
      ca: d.ca,
      ioa: d.ioa,
      typeId: d.typeId,
      obj: { ...(d.initial ?? { value: 0, quality: { iv: true } }), ioa: d.ioa },
      groups: d.groups ?? [],
      cyclic: d.cyclic ?? false,
    };
    if (d.counterGroup !== undefined) p.counterGroup = d.counterGroup;
    const k = key(d.ca, d.ioa);
    if (!this.points.has(k)) this.sorted.delete(d.ca);
    this.points.set(k, p);
    return p;
  }

  get(ca: number, ioa: number): StoredPoint | undefined {
    return this.points.get(key(ca, ioa));
  }

  has(ca: number, ioa: number): boolean {
    return this.points.has(key(ca, ioa));
  }

  get size(): number {
    return this.points.size;
  }

  commonAddresses(): number[] {
    return [...new Set([...this.points.values()].map((p) => p.ca))].sort((a, b) => a - b);
  }

  /** Points of one common address in IOA order. */
  list(ca: number): StoredPoint[] {
    let s = this.sorted.get(ca);
    if (!s) {
      s = [...this.points.values()].filter((p) => p.ca === ca).sort((a, b) => a.ioa - b.ioa);
      this.sorted.set(ca, s);
    }
    return s;
  }

  /** Objects grouped by the type used in interrogation answers (without time tag), each in IOA order. */
  interrogation(ca: number, filter: (p: StoredPoint) => boolean): Map<number, InfoObject[]> {
    const byType = new Map<number, InfoObject[]>();
    for (const p of this.list(ca)) {
      if (!filter(p)) continue;
      const t = withoutTime(p.typeId);
      let arr = byType.get(t);
      if (!arr) byType.set(t, (arr = []));
      arr.push(p.obj);
    }
    return byType;
  }
}
