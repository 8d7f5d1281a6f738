/**
 * ASDU codec (IEC 60870-5-101 §7.1 as profiled by IEC 60870-5-104 §9: 2-octet COT with originator address,
 * 2-octet common address, 3-octet IOA). Layout:
 *   0 type identification
 *   1 VSQ: SQ (bit 7), number of objects (bits 0-6)
 *   2 COT: cause (bits 0-5), P/N negative (bit 6), T test (bit 7)
 *   3 originator address
 *   4-5 common address (little endian)
 *   6.. objects: SQ=0 → n × (IOA, elements); SQ=1 → IOA, n × elements (IOAs consecutive)
 */
import { DecodeError } from '../../core/errors.js';
import { typeName } from './constants.js';
import { ELEMENTS, type ElementCodec } from './types/elements.js';
import type { InfoObject } from './types/object.js';

export type { InfoObject } from './types/object.js';

export interface Asdu {
  typeId: number;
  /** Sequence of elements (one IOA, consecutive addresses). Decoded ASDUs always carry it. */
  sq?: boolean;
  cot: number;
  /** P/N bit: negative confirmation. */
  negative?: boolean;
  /** T bit: test. */
  test?: boolean;
  originator?: number;
  /** Common address (station address), 0..65535; 65535 = broadcast. */
  ca: number;
  objects: InfoObject[];
  /** Information-object octets of a type this codec does not know (kept to mirror it back with COT 44). */
  raw?: Buffer;
  /** VSQ number of objects of an unknown type (with `raw`). */
  count?: number;
}

export const ASDU_HEADER = 6;
/** APDU length ≤ 253 octets, 4 of them control fields: IEC 60870-5-104 §5. */
export const MAX_ASDU = 249;
export const MAX_IOA = 0xffffff;

const P = 'iec104';

/** What the header of an ASDU of a known type says, checked against its length (no object decoded). */
export interface AsduLayout {
  typeId: number;
  sq: boolean;
  /** Number of objects (VSQ). */
  n: number;
  /** Element codec; undefined for a type this codec does not know (nothing checked beyond the header). */
  codec: ElementCodec | undefined;
}

/**
 * Check an ASDU's header and length without building objects: throws DecodeError (offset `base` + position) when
 * the octets cannot hold what the VSQ announces or an SQ=1 sequence runs past the last IOA.
 */
export function asduLayout(buf: Buffer, base = 0): AsduLayout {
  if (buf.length < ASDU_HEADER) throw new DecodeError(`ASDU shorter than its ${ASDU_HEADER}-octet header (${buf.length})`, base + buf.length, P);
  const typeId = buf[0]!;
  const vsq = buf[1]!;
  const sq = (vsq & 0x80) !== 0;
  const n = vsq & 0x7f;
  const codec = ELEMENTS.get(typeId);
  if (!codec) return { typeId, sq, n, codec };
  const body = buf.length - ASDU_HEADER;
  const expected = n === 0 ? 0 : sq ? 3 + n * codec.size : n * (3 + codec.size);
  if (body !== expected) {
    throw new DecodeError(`${typeName(typeId)} with ${n} object(s)${sq ? ' (SQ=1)' : ''} needs ${expected} octets of objects, got ${body}`, base + ASDU_HEADER + Math.min(body, expected), P);
  }
  if (sq && n > 0) {
    const first = buf[ASDU_HEADER]! | (buf[ASDU_HEADER + 1]! << 8) | (buf[ASDU_HEADER + 2]! << 16);
    if (first + n - 1 > MAX_IOA) throw new DecodeError(`SQ=1 sequence from IOA ${first} runs past ${MAX_IOA}`, base + ASDU_HEADER, P);
  }
  return { typeId, sq, n, codec };
}

export function decodeAsdu(buf: Buffer, base = 0): Asdu {
  const { typeId, sq, n, codec } = asduLayout(buf, base);
  const cotByte = buf[2]!;
  const asdu: Asdu = {
    typeId,
    sq,
    cot: cotByte & 0x3f,
    negative: (cotByte & 0x40) !== 0,
    test: (cotByte & 0x80) !== 0,
    originator: buf[3]!,
    ca: buf[4]! | (buf[5]! << 8),
    objects: [],
  };
  if (!codec) {
    asdu.raw = Buffer.from(buf.subarray(ASDU_HEADER));
    asdu.count = n;
    return asdu;
  }
  let o = ASDU_HEADER;
  if (asdu.sq && n > 0) {
    const first = buf[o]! | (buf[o + 1]! << 8) | (buf[o + 2]! << 16);
    o += 3;
    const make = codec.make;
    const objects = asdu.objects;
    if (make) for (let i = 0; i < n; i++, o += codec.size) objects.push(make(buf, o, first + i));
    else {
      for (let i = 0; i < n; i++, o += codec.size) {
        const obj: InfoObject = { ioa: first + i };
        codec.read(buf, o, obj);
        objects.push(obj);
      }
    }
  } else {
    const make = codec.make;
    for (let i = 0; i < n; i++) {
      const ioa = buf[o]! | (buf[o + 1]! << 8) | (buf[o + 2]! << 16);
      o += 3;
      let obj: InfoObject;
      if (make) obj = make(buf, o, ioa);
      else {
        obj = { ioa };
        codec.read(buf, o, obj);
      }
      o += codec.size;
      asdu.objects.push(obj);
    }
  }
  return asdu;
}

/** Length of the encoded ASDU, or undefined for an unknown type without `raw`. */
export function asduLength(a: Asdu): number {
  const codec = ELEMENTS.get(a.typeId);
  if (!codec) return ASDU_HEADER + (a.raw?.length ?? 0);
  const n = a.objects.length;
  if (n === 0) return ASDU_HEADER;
  return ASDU_HEADER + (a.sq ? 3 + n * codec.size : n * (3 + codec.size));
}

/**
 * Encode into `out` at `offset` (for writing straight after an APCI) or a fresh buffer. Throws RangeError on
 * input that cannot be encoded (too many objects, non-consecutive IOAs with SQ=1, address out of range).
 */
export function encodeAsdu(a: Asdu, out?: Buffer, offset = 0): Buffer {
  const len = asduLength(a);
  if (len > MAX_ASDU) throw new RangeError(`ASDU of ${len} octets exceeds ${MAX_ASDU}`);
  const n = a.raw && !ELEMENTS.has(a.typeId) ? (a.count ?? 0) : a.objects.length;
  if (n > 127) throw new RangeError(`${n} objects exceed the VSQ limit of 127`);
  if (!Number.isInteger(a.ca) || a.ca < 0 || a.ca > 0xffff) throw new RangeError(`common address ${a.ca} out of range`);
  const buf = out ?? Buffer.allocUnsafe(len);
  let o = out ? offset : 0;
  buf[o] = a.typeId & 0xff;
  buf[o + 1] = (a.sq ? 0x80 : 0) | n;
  buf[o + 2] = (a.cot & 0x3f) | (a.negative ? 0x40 : 0) | (a.test ? 0x80 : 0);
  buf[o + 3] = (a.originator ?? 0) & 0xff;
  buf[o + 4] = a.ca & 0xff;
  buf[o + 5] = a.ca >> 8;
  o += ASDU_HEADER;
  const codec = ELEMENTS.get(a.typeId);
  if (!codec) {
    if (a.raw) a.raw.copy(buf, o);
    return buf;
  }
  if (a.sq && n > 0) {
    const first = a.objects[0]!.ioa;
    writeIoa(buf, o, first);
    o += 3;
    for (let i = 0; i < n; i++, o += codec.size) {
      const obj = a.objects[i]!;
      if (obj.ioa !== first + i) throw new RangeError(`SQ=1 needs consecutive IOAs: object ${i} has ${obj.ioa}, expected ${first + i}`);
      codec.write(buf, o, obj);
    }
  } else {
    for (let i = 0; i < n; i++) {
      const obj = a.objects[i]!;
      writeIoa(buf, o, obj.ioa);
      o += 3;
      codec.write(buf, o, obj);
      o += codec.size;
    }
  }
  return buf;
}

function writeIoa(buf: Buffer, o: number, ioa: number): void {
  if (!Number.isInteger(ioa) || ioa < 0 || ioa > MAX_IOA) throw new RangeError(`IOA ${ioa} out of range 0..${MAX_IOA}`);
  buf[o] = ioa & 0xff;
  buf[o + 1] = (ioa >> 8) & 0xff;
  buf[o + 2] = ioa >> 16;
}

export interface PackOptions {
  cot: number;
  ca: number;
  originator?: number;
  test?: boolean;
  /** Use SQ=1 for runs of consecutive IOAs (default true). */
  packed?: boolean;
  /** Upper bound for one ASDU (default MAX_ASDU; lower it when a peer has a smaller buffer). */
  maxAsdu?: number;
}

/**
 * Split objects of one type into as few ASDUs as fit: runs of consecutive IOAs go out with SQ=1, the rest as SQ=0
 * lists. Objects are sorted by IOA first.
 */
export function packAsdus(typeId: number, objects: InfoObject[], opts: PackOptions): Asdu[] {
  const codec = ELEMENTS.get(typeId);
  if (!codec) throw new RangeError(`unknown type ${typeId}`);
  const max = opts.maxAsdu ?? MAX_ASDU;
  const perSq = Math.min(127, Math.floor((max - ASDU_HEADER - 3) / codec.size));
  const perList = Math.min(127, Math.floor((max - ASDU_HEADER) / (3 + codec.size)));
  let inOrder = true;
  for (let k = 1; k < objects.length && inOrder; k++) inOrder = objects[k - 1]!.ioa <= objects[k]!.ioa;
  const sorted = inOrder ? objects : [...objects].sort((a, b) => a.ioa - b.ioa);
  const out: Asdu[] = [];
  const head = (sq: boolean, objs: InfoObject[]): Asdu => ({ typeId, sq, cot: opts.cot, negative: false, test: opts.test ?? false, originator: opts.originator ?? 0, ca: opts.ca, objects: objs });
  let list: InfoObject[] = [];
  const flushList = (): void => {
    if (list.length) out.push(head(false, list));
    list = [];
  };
  let i = 0;
  while (i < sorted.length) {
    let j = i + 1;
    if (opts.packed !== false) while (j < sorted.length && sorted[j]!.ioa === sorted[j - 1]!.ioa + 1 && j - i < perSq) j++;
    // A run pays off when SQ=1 carries more than a list would in the space left.
    if (j - i >= 3) {
      flushList();
      out.push(head(true, sorted.slice(i, j)));
      i = j;
      continue;
    }
    list.push(sorted[i]!);
    if (list.length === perList) flushList();
    i++;
  }
  flushList();
  return out;
}
