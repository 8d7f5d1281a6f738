/**
 * The controlled station's point store: the current value of every monitored point, addressed by common address
 * and IOA, with its type, interrogation groups and cyclic flag. GI, counter interrogation, read and cyclic answers
 * come from here.
 *
 * For speed with very large stores (100 000 points answered in one GI), each point's interrogation element (the type
 * without time tag) is kept encoded in one contiguous slab and the per-type IOA order in typed arrays, so an
 * interrogation copies octets instead of walking objects.
 */
import { ASDU_HEADER, MAX_ASDU } from './asdu.js';
import { isMonitorType, TypeId, withoutTime } from './constants.js';
import { ELEMENTS, type ElementCodec } from './types/elements.js';
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
  /** Position in the store's arrays. */
  readonly index: number;
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

/** Which points an interrogation-like answer selects. */
export type Selection = { kind: 'station' } | { kind: 'group'; group: number } | { kind: 'counters'; group?: number } | { kind: 'cyclic' };

const CYCLIC = 1 << 17;
const COUNTER = 1 << 18;
const EVENT_ONLY = 1 << 19;
const COUNTER_GROUP_SHIFT = 20;

const key = (ca: number, ioa: number): number => ca * 0x1000000 + ioa;

export class PointStore {
  private points = new Map<number, StoredPoint>();
  private list_: StoredPoint[] = [];
  private sorted = new Map<number, StoredPoint[]>();
  private slab = Buffer.alloc(64 * 1024);
  private slabUsed = 0;
  private elemOff = new Int32Array(1024);
  private meta = new Uint32Array(1024);
  private ioas = new Int32Array(1024);
  /** ca → gi type → point indices in IOA order; rebuilt when points are added. */
  private order: Map<number, Map<number, Int32Array>> | undefined;

  define(d: PointDefinition): StoredPoint {
    if (!isMonitorType(d.typeId) || !ELEMENTS.has(d.typeId)) throw new RangeError(`type ${d.typeId} is not a monitored point type`);
    if (!Number.isInteger(d.ioa) || d.ioa < 0 || d.ioa > 0xffffff) throw new RangeError(`IOA ${d.ioa} out of range`);
    const k = key(d.ca, d.ioa);
    const existing = this.points.get(k);
    const index = existing?.index ?? this.list_.length;
    const p: StoredPoint = {
      ca: d.ca,
      ioa: d.ioa,
      typeId: d.typeId,
      obj: { ...(d.initial ?? { value: 0, quality: { iv: true } }), ioa: d.ioa },
      groups: d.groups ?? [],
      cyclic: d.cyclic ?? false,
      index,
    };
    if (d.counterGroup !== undefined) p.counterGroup = d.counterGroup;
    const codec = this.codec(p);
    if (!existing || this.codec(existing).size !== codec.size) {
      this.grow(index + 1);
      if (this.slabUsed + codec.size > this.slab.length) {
        const bigger = Buffer.alloc(Math.max(this.slab.length * 2, this.slabUsed + codec.size));
        this.slab.copy(bigger, 0, 0, this.slabUsed);
        this.slab = bigger;
      }
      this.elemOff[index] = this.slabUsed;
      this.slabUsed += codec.size;
    }
    let m = 0;
    for (const g of p.groups) if (g >= 1 && g <= 16) m |= 1 << g;
    const base = withoutTime(p.typeId);
    if (p.cyclic) m |= CYCLIC;
    if (base === TypeId.M_IT_NA_1) m |= COUNTER | ((p.counterGroup ?? 0) << COUNTER_GROUP_SHIFT);
    if (base === TypeId.M_EP_TD_1) m |= EVENT_ONLY;
    this.meta[index] = m;
    this.ioas[index] = p.ioa;
    if (existing) this.list_[index] = p;
    else this.list_.push(p);
    this.points.set(k, p);
    this.sorted.delete(d.ca);
    this.order = undefined;
    this.refresh(p);
    return p;
  }

  /** Set a point's current object (and its encoded interrogation element). */
  set(p: StoredPoint, obj: InfoObject): void {
    p.obj = obj;
    this.refresh(p);
  }

  private codec(p: StoredPoint): ElementCodec {
    return ELEMENTS.get(withoutTime(p.typeId))!;
  }

  private refresh(p: StoredPoint): void {
    this.codec(p).write(this.slab, this.elemOff[p.index]!, p.obj);
  }

  private grow(n: number): void {
    if (n <= this.elemOff.length) return;
    const cap = Math.max(n, this.elemOff.length * 2);
    const g = <T extends Int32Array | Uint32Array>(a: T, make: (c: number) => T): T => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.elemOff = g(this.elemOff, (c) => new Int32Array(c));
    this.meta = g(this.meta, (c) => new Uint32Array(c));
    this.ioas = g(this.ioas, (c) => new Int32Array(c));
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
    return [...new Set(this.list_.map((p) => p.ca))].sort((a, b) => a - b);
  }

  /** Points of one common address in IOA order. */
  list(ca: number): StoredPoint[] {
    let s = this.sorted.get(ca);
    if (!s) {
      s = this.list_.filter((p) => p.ca === ca).sort((a, b) => a.ioa - b.ioa);
      this.sorted.set(ca, s);
    }
    return s;
  }

  private buildOrder(): Map<number, Map<number, Int32Array>> {
    const o = new Map<number, Map<number, number[]>>();
    for (const p of [...this.list_].sort((a, b) => a.ioa - b.ioa)) {
      let byType = o.get(p.ca);
      if (!byType) o.set(p.ca, (byType = new Map()));
      const t = withoutTime(p.typeId);
      let arr = byType.get(t);
      if (!arr) byType.set(t, (arr = []));
      arr.push(p.index);
    }
    const out = new Map<number, Map<number, Int32Array>>();
    for (const [ca, m] of o) out.set(ca, new Map([...m].sort((a, b) => a[0] - b[0]).map(([t, a]) => [t, Int32Array.from(a)])));
    return out;
  }

  private selects(m: number, s: Selection): boolean {
    switch (s.kind) {
      case 'station':
        return (m & (COUNTER | EVENT_ONLY)) === 0;
      case 'group':
        return (m & (COUNTER | EVENT_ONLY)) === 0 && (m & (1 << s.group)) !== 0;
      case 'counters':
        return (m & COUNTER) !== 0 && (s.group === undefined || ((m >>> COUNTER_GROUP_SHIFT) & 7) === s.group);
      case 'cyclic':
        return (m & CYCLIC) !== 0 && (m & EVENT_ONLY) === 0;
    }
  }

  /**
   * Encoded ASDUs answering an interrogation (or cyclic transmission) for one common address: per type, runs of
   * at least three consecutive IOAs go out with SQ=1, the rest as SQ=0 lists, each ASDU at most `maxAsdu` octets.
   * With `apciRoom: 6` each buffer starts with six spare octets for the APCI (see LinkLayer.sendFramed).
   */
  encodeSelection(ca: number, sel: Selection, cot: number, opts: { packed?: boolean; maxAsdu?: number; originator?: number; apciRoom?: number } = {}): Buffer[] {
    const R = opts.apciRoom ?? 0;
    this.order ??= this.buildOrder();
    const byType = this.order.get(ca);
    const out: Buffer[] = [];
    if (!byType) return out;
    const max = opts.maxAsdu ?? MAX_ASDU;
    const packed = opts.packed !== false;
    for (const [typeId, indices] of byType) {
      const size = ELEMENTS.get(typeId)!.size;
      const perSq = Math.min(127, Math.floor((max - ASDU_HEADER - 3) / size));
      const perList = Math.min(127, Math.floor((max - ASDU_HEADER) / (3 + size)));
      const sel_ = new Int32Array(indices.length);
      let n = 0;
      for (let k = 0; k < indices.length; k++) {
        const idx = indices[k]!;
        if (this.selects(this.meta[idx]!, sel)) sel_[n++] = idx;
      }
      const header = (buf: Buffer, sq: boolean, count: number): void => {
        buf[R] = typeId;
        buf[R + 1] = (sq ? 0x80 : 0) | count;
        buf[R + 2] = cot & 0x3f;
        buf[R + 3] = opts.originator ?? 0;
        buf[R + 4] = ca & 0xff;
        buf[R + 5] = ca >> 8;
      };
      const slab = this.slab;
      const copyElem = (buf: Buffer, o: number, from: number): void => {
        for (let b = 0; b < size; b++) buf[o + b] = slab[from + b]!;
      };
      const writeIoa = (buf: Buffer, o: number, ioa: number): void => {
        buf[o] = ioa & 0xff;
        buf[o + 1] = (ioa >> 8) & 0xff;
        buf[o + 2] = ioa >> 16;
      };
      let listStart = -1;
      let listLen = 0;
      const listItems = new Int32Array(perList);
      const flushList = (): void => {
        if (!listLen) return;
        const buf = Buffer.allocUnsafe(R + ASDU_HEADER + listLen * (3 + size));
        header(buf, false, listLen);
        let o = R + ASDU_HEADER;
        for (let k = 0; k < listLen; k++) {
          const idx = listItems[k]!;
          writeIoa(buf, o, this.ioas[idx]!);
          copyElem(buf, o + 3, this.elemOff[idx]!);
          o += 3 + size;
        }
        out.push(buf);
        listLen = 0;
        listStart = -1;
      };
      let i = 0;
      while (i < n) {
        let j = i + 1;
        if (packed) while (j < n && this.ioas[sel_[j]!] === this.ioas[sel_[j - 1]!]! + 1 && j - i < perSq) j++;
        if (j - i >= 3) {
          flushList();
          const count = j - i;
          const buf = Buffer.allocUnsafe(R + ASDU_HEADER + 3 + count * size);
          header(buf, true, count);
          writeIoa(buf, R + ASDU_HEADER, this.ioas[sel_[i]!]!);
          let o = R + ASDU_HEADER + 3;
          // Consecutive points defined in order sit next to each other in the slab: copy them in one go.
          let k = i;
          while (k < j) {
            let e = k + 1;
            while (e < j && this.elemOff[sel_[e]!] === this.elemOff[sel_[e - 1]!]! + size) e++;
            const from = this.elemOff[sel_[k]!]!;
            if (e - k === 1) copyElem(buf, o, from);
            else slab.copy(buf, o, from, from + (e - k) * size);
            o += (e - k) * size;
            k = e;
          }
          out.push(buf);
          i = j;
          continue;
        }
        if (listStart < 0) listStart = i;
        listItems[listLen++] = sel_[i]!;
        if (listLen === perList) flushList();
        i++;
      }
      flushList();
    }
    return out;
  }
}
