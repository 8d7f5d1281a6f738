/** Whole-frame helpers on top of the APCI and ASDU codecs. */
import { decodeApdu, writeIHeader, type Apci } from './apci.js';
import { asduLength, decodeAsdu, encodeAsdu, type Asdu } from './asdu.js';

export interface DecodedFrame {
  apci: Apci;
  asdu?: Asdu;
}

/** Decode APCI and, for I frames, the ASDU. Throws only DecodeError (offsets counted from the start octet). */
export function decodeFrame(frame: Buffer): DecodedFrame {
  const { apci, asdu } = decodeApdu(frame);
  return asdu ? { apci, asdu: decodeAsdu(asdu, 6) } : { apci };
}

/** Encode an I frame straight into one buffer (no intermediate ASDU copy). */
export function encodeIAsdu(ns: number, nr: number, a: Asdu): Buffer {
  const len = asduLength(a);
  const buf = Buffer.allocUnsafe(6 + len);
  encodeAsdu(a, buf, 6);
  writeIHeader(buf, ns, nr, len);
  return buf;
}
