/**
 * APCI (IEC 60870-5-104 §5): start 0x68, APDU length (4..253, counting the four control octets and the ASDU),
 * then four control octets:
 *   I format: CF1 bit 0 = 0, N(S) = CF1 >> 1 | CF2 << 7; N(R) = CF3 >> 1 | CF4 << 7   (15-bit, wrap at 32767)
 *   S format: CF1 = 0x01, CF2 = 0, N(R) in CF3/CF4
 *   U format: CF1 bits 0-1 = 11, one function bit: STARTDT act 0x04 / con 0x08, STOPDT act 0x10 / con 0x20,
 *             TESTFR act 0x40 / con 0x80; CF2-CF4 = 0
 */
import { DecodeError } from '../../core/errors.js';
import { ASDU_HEADER, MAX_ASDU } from './asdu.js';

export const START = 0x68;
export const MAX_APDU_LENGTH = 253;
export const SEQ_MODULO = 32768;

export type UFunction = 'STARTDT_ACT' | 'STARTDT_CON' | 'STOPDT_ACT' | 'STOPDT_CON' | 'TESTFR_ACT' | 'TESTFR_CON';

export const U_CODES: Readonly<Record<UFunction, number>> = {
  STARTDT_ACT: 0x07,
  STARTDT_CON: 0x0b,
  STOPDT_ACT: 0x13,
  STOPDT_CON: 0x23,
  TESTFR_ACT: 0x43,
  TESTFR_CON: 0x83,
};
const U_BY_CODE = new Map<number, UFunction>(Object.entries(U_CODES).map(([k, v]) => [v, k as UFunction]));

export type Apci = { format: 'I'; ns: number; nr: number } | { format: 'S'; nr: number } | { format: 'U'; fn: UFunction };

export interface Apdu {
  apci: Apci;
  /** ASDU octets (I format only), a view into the frame. */
  asdu?: Buffer;
}

const P = 'iec104';

/** Decode one complete APDU (start byte included). */
export function decodeApdu(frame: Buffer): Apdu {
  if (frame.length < 2) throw new DecodeError(`APDU shorter than its 2-octet start (${frame.length})`, frame.length, P);
  if (frame[0] !== START) throw new DecodeError(`start octet 0x${frame[0]!.toString(16).padStart(2, '0')} is not 0x68`, 0, P);
  const len = frame[1]!;
  if (len < 4 || len > MAX_APDU_LENGTH) throw new DecodeError(`APDU length ${len} outside 4..${MAX_APDU_LENGTH}`, 1, P);
  if (frame.length !== len + 2) throw new DecodeError(`APDU length field says ${len + 2} octets, frame has ${frame.length}`, 1, P);
  const c1 = frame[2]!;
  if ((c1 & 1) === 0) {
    if (len < 4 + ASDU_HEADER) throw new DecodeError(`I-format APDU of length ${len} has no complete ASDU`, frame.length, P);
    return {
      apci: { format: 'I', ns: (c1 >> 1) | (frame[3]! << 7), nr: (frame[4]! >> 1) | (frame[5]! << 7) },
      asdu: frame.subarray(6),
    };
  }
  if (len !== 4) throw new DecodeError(`${(c1 & 3) === 1 ? 'S' : 'U'}-format APDU must have length 4, has ${len}`, 1, P);
  if ((c1 & 3) === 1) return { apci: { format: 'S', nr: (frame[4]! >> 1) | (frame[5]! << 7) } };
  const fn = U_BY_CODE.get(c1);
  if (!fn || frame[3] !== 0 || frame[4] !== 0 || frame[5] !== 0) {
    throw new DecodeError(`U-format control field 0x${c1.toString(16)} ${frame[3]} ${frame[4]} ${frame[5]} is not one function`, 2, P);
  }
  return { apci: { format: 'U', fn } };
}

export function encodeUFrame(fn: UFunction): Buffer {
  return Buffer.from([START, 4, U_CODES[fn], 0, 0, 0]);
}

export function encodeSFrame(nr: number): Buffer {
  return Buffer.from([START, 4, 0x01, 0, (nr << 1) & 0xfe, (nr >> 7) & 0xff]);
}

/** Write the APCI of an I frame carrying `asduLength` octets into `buf` at 0..5. */
export function writeIHeader(buf: Buffer, ns: number, nr: number, asduLength: number): void {
  if (asduLength > MAX_ASDU) throw new RangeError(`ASDU of ${asduLength} octets exceeds ${MAX_ASDU}`);
  buf[0] = START;
  buf[1] = asduLength + 4;
  buf[2] = (ns << 1) & 0xfe;
  buf[3] = (ns >> 7) & 0xff;
  buf[4] = (nr << 1) & 0xfe;
  buf[5] = (nr >> 7) & 0xff;
}

export function encodeIFrame(ns: number, nr: number, asdu: Buffer): Buffer {
  const buf = Buffer.allocUnsafe(6 + asdu.length);
  writeIHeader(buf, ns, nr, asdu.length);
  asdu.copy(buf, 6);
  return buf;
}

/**
 * Splits a TCP byte stream into APDUs. A wrong start octet or impossible length throws a DecodeError (the
 * connection must then be closed: the stream cannot be resynchronised, IEC 60870-5-104 §5).
 */
export class FrameReader {
  private pending: Buffer | undefined;
  /** Octets consumed before the pending data, for error offsets in the stream. */
  private consumed = 0;

  /** Feed a chunk; calls `onFrame` for each complete APDU (a view valid only during the call). */
  push(chunk: Buffer, onFrame: (frame: Buffer) => void): void {
    let buf = chunk;
    if (this.pending) {
      // Complete the pending frame with just the octets it lacks, then go on in the chunk without copying it.
      const p = this.pending;
      if (p[0] !== START) throw new DecodeError(`start octet 0x${p[0]!.toString(16).padStart(2, '0')} is not 0x68`, this.consumed, P);
      const lenKnown = p.length >= 2 ? p[1]! : chunk.length > 0 ? chunk[0]! : -1;
      if (lenKnown < 0) return;
      if (lenKnown < 4 || lenKnown > MAX_APDU_LENGTH) throw new DecodeError(`APDU length ${lenKnown} outside 4..${MAX_APDU_LENGTH}`, this.consumed + 1, P);
      const need = lenKnown + 2 - p.length;
      if (chunk.length < need) {
        this.pending = Buffer.concat([p, chunk]);
        return;
      }
      this.pending = undefined;
      const frame = Buffer.concat([p, chunk.subarray(0, need)]);
      this.consumed += frame.length;
      onFrame(frame);
      buf = chunk.subarray(need);
    }
    let o = 0;
    while (o < buf.length) {
      if (buf[o] !== START) throw new DecodeError(`start octet 0x${buf[o]!.toString(16).padStart(2, '0')} is not 0x68`, this.consumed + o, P);
      if (buf.length - o < 2) break;
      const len = buf[o + 1]!;
      if (len < 4 || len > MAX_APDU_LENGTH) throw new DecodeError(`APDU length ${len} outside 4..${MAX_APDU_LENGTH}`, this.consumed + o + 1, P);
      if (buf.length - o < len + 2) break;
      onFrame(buf.subarray(o, o + len + 2));
      o += len + 2;
    }
    this.consumed += o;
    if (o < buf.length) this.pending = Buffer.from(buf.subarray(o));
  }

  get buffered(): number {
    return this.pending?.length ?? 0;
  }
}

/** (a - b) mod 32768: how far sequence number a is ahead of b. */
export function seqDiff(a: number, b: number): number {
  return (a - b + SEQ_MODULO) % SEQ_MODULO;
}
