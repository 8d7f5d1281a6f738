/**
 * ObjectTable: the objects of an interrogation answer kept column-wise (typed arrays of type, CA, IOA, value and
 * quality bits, plus a copy of the element octets), not as one JS object per information object. Collecting a GI of
 * 100 000 floats this way costs a few typed-array writes per object instead of an allocation each; `object(i)` and
 * `toObjects()` build the decoded InfoObject (the same as decodeAsdu gives) only when asked.
 */
import { asduLayout, ASDU_HEADER } from './asdu.js';
import { TypeId, withoutTime } from './constants.js';
import { CP56_LENGTH, cp56ToEpoch, readCp56 } from './cp56time.js';
import { GOOD_QDS, readQds, type Qds } from './quality.js';
import { ELEMENTS, readF32, type ElementCodec } from './types/elements.js';
import type { InfoObject } from './types/object.js';

/** Quality flags in QDS bit positions (IEC 60870-5-101 §7.2.6.3): IV 0x80, NT 0x40, SB 0x20, BL 0x10, OV 0x01. */
export const QUALITY_BITS = Object.freeze({ iv: 0x80, nt: 0x40, sb: 0x20, bl: 0x10, ov: 0x01 });

/** Value and quality octet of one element, read straight from the octets (bulk types of interrogation answers). */
interface FastElement {
  num(b: Buffer, o: number): number;
  qual(b: Buffer, o: number): number;
}
const FAST = new Map<number, FastElement>([
  [TypeId.M_SP_NA_1, { num: (b, o) => b[o]! & 1, qual: (b, o) => b[o]! & 0xf0 }],
  [TypeId.M_DP_NA_1, { num: (b, o) => b[o]! & 3, qual: (b, o) => b[o]! & 0xf0 }],
  [TypeId.M_ME_NA_1, { num: (b, o) => b.readInt16LE(o) / 32768, qual: (b, o) => b[o + 2]! & 0xf1 }],
  [TypeId.M_ME_NB_1, { num: (b, o) => b.readInt16LE(o), qual: (b, o) => b[o + 2]! & 0xf1 }],
  [TypeId.M_ME_NC_1, { num: readF32, qual: (b, o) => b[o + 4]! & 0xf1 }],
  [TypeId.M_BO_NA_1, { num: (b, o) => b.readUInt32LE(o), qual: (b, o) => b[o + 4]! & 0xf1 }],
  [TypeId.M_IT_NA_1, { num: (b, o) => b.readInt32LE(o), qual: (b, o) => b[o + 4]! & 0x80 }],
]);
/** Types whose elements end with a CP56Time2a. */
const TIME_TAGGED = new Set<number>([TypeId.M_SP_TB_1, TypeId.M_DP_TB_1, TypeId.M_ST_TB_1, TypeId.M_BO_TB_1, TypeId.M_ME_TD_1, TypeId.M_ME_TE_1, TypeId.M_ME_TF_1, TypeId.M_IT_TB_1, TypeId.M_EP_TD_1]);
const BOOLEAN_VALUE = new Set<number>([TypeId.M_SP_NA_1, TypeId.M_SP_TB_1]);

const scratch = (): InfoObject => ({ ioa: 0 });
function qualityOctet(q: Qds | undefined): number {
  if (!q) return 0;
  return (q.iv ? 0x80 : 0) | (q.nt ? 0x40 : 0) | (q.sb ? 0x20 : 0) | (q.bl ? 0x10 : 0) | (q.ov ? 0x01 : 0);
}

export class ObjectTable {
  private n = 0;
  private cap: number;
  private types: Uint8Array;
  private cas: Uint16Array;
  private ioaCol: Uint32Array;
  private valueCol: Float64Array;
  private qualCol: Uint8Array;
  /** Offset of each object's elements in `bytes`. */
  private offsets: Uint32Array;
  private bytes: Buffer;
  private used = 0;

  constructor(capacity = 1024) {
    this.cap = Math.max(16, capacity);
    this.types = new Uint8Array(this.cap);
    this.cas = new Uint16Array(this.cap);
    this.ioaCol = new Uint32Array(this.cap);
    this.valueCol = new Float64Array(this.cap);
    this.qualCol = new Uint8Array(this.cap);
    this.offsets = new Uint32Array(this.cap);
    this.bytes = Buffer.allocUnsafe(this.cap * 8);
  }

  /** Number of objects. */
  get length(): number {
    return this.n;
  }

  /**
   * Append the objects of one ASDU (its octets from the type identification on). Checks the ASDU first
   * (asduLayout) and throws DecodeError with nothing appended when it is malformed or of a type without a codec.
   */
  appendAsdu(asdu: Buffer, base = 0): number {
    const { typeId, sq, n, codec } = asduLayout(asdu, base);
    if (!codec) throw new RangeError(`type ${typeId} has no element codec: its objects cannot be tabled`);
    if (n === 0) return 0;
    this.reserve(n, asdu.length);
    const start = this.used;
    asdu.copy(this.bytes, start);
    this.used += asdu.length;
    const ca = asdu[4]! | (asdu[5]! << 8);
    const fast = FAST.get(withoutTime(typeId));
    const size = codec.size;
    let k = this.n;
    let o = ASDU_HEADER;
    let ioa = 0;
    if (sq) {
      ioa = asdu[o]! | (asdu[o + 1]! << 8) | (asdu[o + 2]! << 16);
      o += 3;
    }
    for (let i = 0; i < n; i++, k++) {
      if (!sq) {
        ioa = asdu[o]! | (asdu[o + 1]! << 8) | (asdu[o + 2]! << 16);
        o += 3;
      }
      this.types[k] = typeId;
      this.cas[k] = ca;
      this.ioaCol[k] = sq ? ioa + i : ioa;
      this.offsets[k] = start + o;
      if (fast) {
        this.valueCol[k] = fast.num(asdu, o);
        this.qualCol[k] = fast.qual(asdu, o);
      } else this.slowColumns(k, codec, asdu, o);
      o += size;
    }
    this.n = k;
    return n;
  }

  /** Append one decoded object (objects that did not come as octets). */
  appendObject(typeId: number, ca: number, obj: InfoObject): void {
    const codec = ELEMENTS.get(typeId);
    if (!codec) throw new RangeError(`type ${typeId} has no element codec: its objects cannot be tabled`);
    this.reserve(1, codec.size);
    const k = this.n++;
    codec.write(this.bytes, this.used, obj);
    this.types[k] = typeId;
    this.cas[k] = ca;
    this.ioaCol[k] = obj.ioa;
    this.offsets[k] = this.used;
    this.used += codec.size;
    this.slowColumns(k, codec, this.bytes, this.offsets[k]!);
  }

  private slowColumns(k: number, codec: ElementCodec, b: Buffer, o: number): void {
    const x = scratch();
    codec.read(b, o, x);
    const v = x.value;
    this.valueCol[k] = typeof v === 'boolean' ? (v ? 1 : 0) : (v ?? NaN);
    this.qualCol[k] = qualityOctet(x.quality);
  }

  private reserve(objects: number, octets: number): void {
    if (this.n + objects > this.cap) {
      let cap = this.cap;
      while (cap < this.n + objects) cap *= 2;
      const grow = <T extends Uint8Array | Uint16Array | Uint32Array | Float64Array>(a: T, make: (c: number) => T): T => {
        const b = make(cap);
        b.set(a.subarray(0, this.n));
        return b;
      };
      this.types = grow(this.types, (c) => new Uint8Array(c));
      this.cas = grow(this.cas, (c) => new Uint16Array(c));
      this.ioaCol = grow(this.ioaCol, (c) => new Uint32Array(c));
      this.valueCol = grow(this.valueCol, (c) => new Float64Array(c));
      this.qualCol = grow(this.qualCol, (c) => new Uint8Array(c));
      this.offsets = grow(this.offsets, (c) => new Uint32Array(c));
      this.cap = cap;
    }
    if (this.used + octets > this.bytes.length) {
      let size = this.bytes.length;
      while (size < this.used + octets) size *= 2;
      const b = Buffer.allocUnsafe(size);
      this.bytes.copy(b, 0, 0, this.used);
      this.bytes = b;
    }
  }

  private check(i: number): void {
    if (!(Number.isInteger(i) && i >= 0 && i < this.n)) throw new RangeError(`object index ${i} outside 0..${this.n - 1}`);
  }

  typeId(i: number): number {
    this.check(i);
    return this.types[i]!;
  }
  ca(i: number): number {
    this.check(i);
    return this.cas[i]!;
  }
  ioa(i: number): number {
    this.check(i);
    return this.ioaCol[i]!;
  }
  /** Value as in InfoObject.value: boolean for single points, a number otherwise (undefined for types without one). */
  value(i: number): number | boolean | undefined {
    this.check(i);
    const v = this.valueCol[i]!;
    if (BOOLEAN_VALUE.has(this.types[i]!)) return v === 1;
    return Number.isNaN(v) ? undefined : v;
  }
  /** Quality flags in QDS bit positions (QUALITY_BITS); 0 = good. */
  qualityBits(i: number): number {
    this.check(i);
    return this.qualCol[i]!;
  }
  /** Quality as in InfoObject.quality (for M_EP_TD_1 the EI flag, too). */
  quality(i: number): Qds {
    const q = this.qualCol[i]!;
    if (this.typeId(i) === TypeId.M_EP_TD_1) return this.object(i).quality ?? GOOD_QDS;
    return readQds(q);
  }
  /** Epoch ms of the object's CP56Time2a time tag; undefined without one or when it is marked invalid. */
  time(i: number, utcOffsetMinutes = 0): number | undefined {
    const t = this.typeId(i);
    if (!TIME_TAGGED.has(t)) return undefined;
    const codec = ELEMENTS.get(t)!;
    const cp = readCp56(this.bytes, this.offsets[i]! + codec.size - CP56_LENGTH);
    return cp.invalid ? undefined : cp56ToEpoch(cp, utcOffsetMinutes);
  }
  /** The decoded object, as decodeAsdu builds it. */
  object(i: number): InfoObject {
    const t = this.typeId(i);
    const codec = ELEMENTS.get(t)!;
    const o = this.offsets[i]!;
    const ioa = this.ioaCol[i]!;
    if (codec.make) return codec.make(this.bytes, o, ioa);
    const obj: InfoObject = { ioa };
    codec.read(this.bytes, o, obj);
    return obj;
  }
  /** All objects decoded, in arrival order. */
  toObjects(): InfoObject[] {
    const out = new Array<InfoObject>(this.n);
    for (let i = 0; i < this.n; i++) out[i] = this.object(i);
    return out;
  }
  /** IOAs in arrival order (a view: valid until the next append). */
  ioas(): Uint32Array {
    return this.ioaCol.subarray(0, this.n);
  }
  /** Values as numbers (single points 0/1, NaN for types without a value; a view: valid until the next append). */
  values(): Float64Array {
    return this.valueCol.subarray(0, this.n);
  }
  *[Symbol.iterator](): IterableIterator<InfoObject> {
    for (let i = 0; i < this.n; i++) yield this.object(i);
  }
}
