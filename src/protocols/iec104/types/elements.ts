/**
 * Information element codecs per type identification (IEC 60870-5-101 §7.3, element formats §7.2.6; IEC 104 keeps
 * only CP56Time2a time tags). `size` is the length of one object's elements, without the 3-octet IOA.
 */
import { TypeId } from '../constants.js';
import { CP56_LENGTH, readCp56, writeCp56 } from '../cp56time.js';
import { qdsByte, qualityHighBits, readQds, readQualityHigh } from '../quality.js';
import type { InfoObject } from './object.js';

export interface ElementCodec {
  size: number;
  read(buf: Buffer, o: number, into: InfoObject): void;
  write(buf: Buffer, o: number, obj: InfoObject): void;
  /**
   * Optional fast path for the bulk types of interrogation answers: a new object built as one literal (one hidden
   * class, no property-by-property growth). Same result as `read` into `{ ioa }`.
   */
  make?(buf: Buffer, o: number, ioa: number): InfoObject;
}

// Scratch views: writing floats octet by octet through a Float32Array is much faster than Buffer.writeFloatLE.
const f32 = new Float32Array(1);
const f32b = new Uint8Array(f32.buffer);
const LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
function writeF32(b: Buffer, o: number, v: number): void {
  f32[0] = v;
  if (LE) {
    b[o] = f32b[0]!;
    b[o + 1] = f32b[1]!;
    b[o + 2] = f32b[2]!;
    b[o + 3] = f32b[3]!;
  } else b.writeFloatLE(v, o);
}
export function readF32(b: Buffer, o: number): number {
  if (!LE) return b.readFloatLE(o);
  f32b[0] = b[o]!;
  f32b[1] = b[o + 1]!;
  f32b[2] = b[o + 2]!;
  f32b[3] = b[o + 3]!;
  return f32[0]!;
}

const num = (v: number | boolean | undefined): number => (typeof v === 'boolean' ? (v ? 1 : 0) : Number.isFinite(v) ? (v as number) : 0);
const int16 = (v: number): number => Math.max(-32768, Math.min(32767, Math.round(v)));
const nvaRaw = (v: number): number => int16(v * 32768);

// --- element fragments -------------------------------------------------------------------------------------------
const SIQ: ElementCodec = {
  size: 1,
  read: (b, o, x) => {
    x.value = (b[o]! & 1) === 1;
    x.quality = readQualityHigh(b[o]!);
  },
  make: (b, o, ioa) => ({ ioa, value: (b[o]! & 1) === 1, quality: readQualityHigh(b[o]!) }),
  write: (b, o, x) => {
    b[o] = (num(x.value) ? 1 : 0) | qualityHighBits(x.quality);
  },
};
const DIQ: ElementCodec = {
  size: 1,
  read: (b, o, x) => {
    x.value = b[o]! & 3;
    x.quality = readQualityHigh(b[o]!);
  },
  make: (b, o, ioa) => ({ ioa, value: b[o]! & 3, quality: readQualityHigh(b[o]!) }),
  write: (b, o, x) => {
    b[o] = (num(x.value) & 3) | qualityHighBits(x.quality);
  },
};
const VTI_QDS: ElementCodec = {
  size: 2,
  read: (b, o, x) => {
    x.value = ((b[o]! & 0x7f) << 25) >> 25;
    x.transient = (b[o]! & 0x80) !== 0;
    x.quality = readQds(b[o + 1]!);
  },
  write: (b, o, x) => {
    const v = Math.max(-64, Math.min(63, Math.round(num(x.value))));
    b[o] = (v & 0x7f) | (x.transient ? 0x80 : 0);
    b[o + 1] = qdsByte(x.quality);
  },
};
const BSI_QDS: ElementCodec = {
  size: 5,
  read: (b, o, x) => {
    x.value = b.readUInt32LE(o);
    x.quality = readQds(b[o + 4]!);
  },
  write: (b, o, x) => {
    b.writeUInt32LE(num(x.value) >>> 0, o);
    b[o + 4] = qdsByte(x.quality);
  },
};
const NVA_QDS: ElementCodec = {
  size: 3,
  read: (b, o, x) => {
    x.value = b.readInt16LE(o) / 32768;
    x.quality = readQds(b[o + 2]!);
  },
  make: (b, o, ioa) => ({ ioa, value: b.readInt16LE(o) / 32768, quality: readQds(b[o + 2]!) }),
  write: (b, o, x) => {
    b.writeInt16LE(nvaRaw(num(x.value)), o);
    b[o + 2] = qdsByte(x.quality);
  },
};
const NVA: ElementCodec = {
  size: 2,
  read: (b, o, x) => {
    x.value = b.readInt16LE(o) / 32768;
  },
  write: (b, o, x) => {
    b.writeInt16LE(nvaRaw(num(x.value)), o);
  },
};
const SVA_QDS: ElementCodec = {
  size: 3,
  read: (b, o, x) => {
    x.value = b.readInt16LE(o);
    x.quality = readQds(b[o + 2]!);
  },
  make: (b, o, ioa) => ({ ioa, value: b.readInt16LE(o), quality: readQds(b[o + 2]!) }),
  write: (b, o, x) => {
    b.writeInt16LE(int16(num(x.value)), o);
    b[o + 2] = qdsByte(x.quality);
  },
};
const R32_QDS: ElementCodec = {
  size: 5,
  read: (b, o, x) => {
    x.value = readF32(b, o);
    x.quality = readQds(b[o + 4]!);
  },
  make: (b, o, ioa) => ({ ioa, value: readF32(b, o), quality: readQds(b[o + 4]!) }),
  write: (b, o, x) => {
    const v = x.value;
    writeF32(b, o, typeof v === 'number' ? v : num(v));
    b[o + 4] = qdsByte(x.quality);
  },
};
/** BCR (§7.2.6.9): counter reading int32, then SQ bits 0-4, CY, CA, IV. */
const BCR: ElementCodec = {
  size: 5,
  read: (b, o, x) => {
    x.value = b.readInt32LE(o);
    const s = b[o + 4]!;
    x.sequence = s & 0x1f;
    x.carry = (s & 0x20) !== 0;
    x.adjusted = (s & 0x40) !== 0;
    x.quality = s & 0x80 ? { iv: true } : {};
  },
  write: (b, o, x) => {
    b.writeInt32LE(num(x.value) | 0, o);
    b[o + 4] = ((x.sequence ?? 0) & 0x1f) | (x.carry ? 0x20 : 0) | (x.adjusted ? 0x40 : 0) | (x.quality?.iv ? 0x80 : 0);
  },
};
/** SEP (§7.2.6.10) + CP16Time2a elapsed time. */
const SEP_CP16: ElementCodec = {
  size: 3,
  read: (b, o, x) => {
    x.value = b[o]! & 3;
    const q = readQualityHigh(b[o]!);
    if (b[o]! & 0x08) q.ei = true;
    x.quality = q;
    x.elapsed = b.readUInt16LE(o + 1);
  },
  write: (b, o, x) => {
    b[o] = (num(x.value) & 3) | (x.quality?.ei ? 0x08 : 0) | qualityHighBits(x.quality);
    b.writeUInt16LE(Math.max(0, Math.min(65535, Math.round(x.elapsed ?? 0))), o + 1);
  },
};
const COI: ElementCodec = {
  size: 1,
  read: (b, o, x) => {
    x.value = b[o]! & 0x7f;
    x.localChange = (b[o]! & 0x80) !== 0;
  },
  write: (b, o, x) => {
    b[o] = (num(x.value) & 0x7f) | (x.localChange ? 0x80 : 0);
  },
};
/** SCO/DCO/RCO (§7.2.6.15-17): state bits 0-1 (SCS bit 0 only), QU bits 2-6, S/E bit 7. */
function commandOctet(mask: number, asBool: boolean): ElementCodec {
  return {
    size: 1,
    read: (b, o, x) => {
      const v = b[o]! & mask;
      x.value = asBool ? v === 1 : v;
      x.qualifier = (b[o]! >> 2) & 0x1f;
      x.select = (b[o]! & 0x80) !== 0;
    },
    write: (b, o, x) => {
      b[o] = (num(x.value) & mask) | (((x.qualifier ?? 0) & 0x1f) << 2) | (x.select ? 0x80 : 0);
    },
  };
}
const qos = (x: InfoObject): number => ((x.qualifier ?? 0) & 0x7f) | (x.select ? 0x80 : 0);
const readQos = (v: number, x: InfoObject): void => {
  x.qualifier = v & 0x7f;
  x.select = (v & 0x80) !== 0;
};
const NVA_QOS: ElementCodec = {
  size: 3,
  read: (b, o, x) => {
    x.value = b.readInt16LE(o) / 32768;
    readQos(b[o + 2]!, x);
  },
  write: (b, o, x) => {
    b.writeInt16LE(nvaRaw(num(x.value)), o);
    b[o + 2] = qos(x);
  },
};
const SVA_QOS: ElementCodec = {
  size: 3,
  read: (b, o, x) => {
    x.value = b.readInt16LE(o);
    readQos(b[o + 2]!, x);
  },
  write: (b, o, x) => {
    b.writeInt16LE(int16(num(x.value)), o);
    b[o + 2] = qos(x);
  },
};
const R32_QOS: ElementCodec = {
  size: 5,
  read: (b, o, x) => {
    x.value = readF32(b, o);
    readQos(b[o + 4]!, x);
  },
  write: (b, o, x) => {
    writeF32(b, o, num(x.value));
    b[o + 4] = qos(x);
  },
};
const BSI: ElementCodec = {
  size: 4,
  read: (b, o, x) => {
    x.value = b.readUInt32LE(o);
  },
  write: (b, o, x) => {
    b.writeUInt32LE(num(x.value) >>> 0, o);
  },
};
const QUALIFIER: ElementCodec = {
  size: 1,
  read: (b, o, x) => {
    x.qualifier = b[o]!;
  },
  write: (b, o, x) => {
    b[o] = (x.qualifier ?? 0) & 0xff;
  },
};
const QCC: ElementCodec = {
  size: 1,
  read: (b, o, x) => {
    x.qualifier = b[o]! & 0x3f;
    x.freeze = b[o]! >> 6;
  },
  write: (b, o, x) => {
    b[o] = ((x.qualifier ?? 0) & 0x3f) | (((x.freeze ?? 0) & 3) << 6);
  },
};
const NONE: ElementCodec = { size: 0, read: () => undefined, write: () => undefined };
const TIME: ElementCodec = {
  size: CP56_LENGTH,
  read: (b, o, x) => {
    x.time = readCp56(b, o);
  },
  write: (b, o, x) => {
    writeCp56(b, o, x.time ?? ZERO_TIME_INVALID);
  },
};
const TSC_TIME: ElementCodec = {
  size: 2 + CP56_LENGTH,
  read: (b, o, x) => {
    x.value = b.readUInt16LE(o);
    x.time = readCp56(b, o + 2);
  },
  write: (b, o, x) => {
    b.writeUInt16LE(num(x.value) & 0xffff, o);
    writeCp56(b, o + 2, x.time ?? ZERO_TIME_INVALID);
  },
};

/** Written when a time-tagged object carries no time: all zero with IV set, so the peer knows not to use it. */
const ZERO_TIME_INVALID = { ms: 0, minute: 0, hour: 0, day: 0, dow: 0, month: 0, year: 0, invalid: true, summer: false };

/** Append a CP56Time2a after an element. */
function timed(e: ElementCodec): ElementCodec {
  return {
    size: e.size + CP56_LENGTH,
    read: (b, o, x) => {
      e.read(b, o, x);
      x.time = readCp56(b, o + e.size);
    },
    write: (b, o, x) => {
      e.write(b, o, x);
      writeCp56(b, o + e.size, x.time ?? ZERO_TIME_INVALID);
    },
  };
}

const SCO = commandOctet(1, true);
const DCO = commandOctet(3, false);
const RCO = DCO;

export const ELEMENTS: ReadonlyMap<number, ElementCodec> = new Map<number, ElementCodec>([
  [TypeId.M_SP_NA_1, SIQ],
  [TypeId.M_DP_NA_1, DIQ],
  [TypeId.M_ST_NA_1, VTI_QDS],
  [TypeId.M_BO_NA_1, BSI_QDS],
  [TypeId.M_ME_NA_1, NVA_QDS],
  [TypeId.M_ME_NB_1, SVA_QDS],
  [TypeId.M_ME_NC_1, R32_QDS],
  [TypeId.M_IT_NA_1, BCR],
  [TypeId.M_ME_ND_1, NVA],
  [TypeId.M_SP_TB_1, timed(SIQ)],
  [TypeId.M_DP_TB_1, timed(DIQ)],
  [TypeId.M_ST_TB_1, timed(VTI_QDS)],
  [TypeId.M_BO_TB_1, timed(BSI_QDS)],
  [TypeId.M_ME_TD_1, timed(NVA_QDS)],
  [TypeId.M_ME_TE_1, timed(SVA_QDS)],
  [TypeId.M_ME_TF_1, timed(R32_QDS)],
  [TypeId.M_IT_TB_1, timed(BCR)],
  [TypeId.M_EP_TD_1, timed(SEP_CP16)],
  [TypeId.C_SC_NA_1, SCO],
  [TypeId.C_DC_NA_1, DCO],
  [TypeId.C_RC_NA_1, RCO],
  [TypeId.C_SE_NA_1, NVA_QOS],
  [TypeId.C_SE_NB_1, SVA_QOS],
  [TypeId.C_SE_NC_1, R32_QOS],
  [TypeId.C_BO_NA_1, BSI],
  [TypeId.C_SC_TA_1, timed(SCO)],
  [TypeId.C_DC_TA_1, timed(DCO)],
  [TypeId.C_RC_TA_1, timed(RCO)],
  [TypeId.C_SE_TA_1, timed(NVA_QOS)],
  [TypeId.C_SE_TB_1, timed(SVA_QOS)],
  [TypeId.C_SE_TC_1, timed(R32_QOS)],
  [TypeId.C_BO_TA_1, timed(BSI)],
  [TypeId.M_EI_NA_1, COI],
  [TypeId.C_IC_NA_1, QUALIFIER],
  [TypeId.C_CI_NA_1, QCC],
  [TypeId.C_RD_NA_1, NONE],
  [TypeId.C_CS_NA_1, TIME],
  [TypeId.C_RP_NA_1, QUALIFIER],
  [TypeId.C_TS_TA_1, TSC_TIME],
]);
