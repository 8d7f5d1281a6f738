/**
 * Quality descriptors (IEC 60870-5-101 §7.2.6.1-7.2.6.4): QDS for measurands, the quality bits of SIQ/DIQ, and the
 * protection-event EI bit. Flags are kept as an object of the bits that are set.
 */
import type { Quality } from '../../core/point.js';

export interface Qds {
  /** Invalid. */
  iv?: boolean;
  /** Not topical (not updated successfully in a specified time). */
  nt?: boolean;
  /** Substituted (set by an operator or automatic source). */
  sb?: boolean;
  /** Blocked for transmission. */
  bl?: boolean;
  /** Overflow (measurands only). */
  ov?: boolean;
  /** Elapsed time invalid (protection events only). */
  ei?: boolean;
}

const IV = 0x80;
const NT = 0x40;
const SB = 0x20;
const BL = 0x10;

/** Bits 4-7 common to QDS, SIQ, DIQ and SEP. */
export function readQualityHigh(b: number): Qds {
  const q: Qds = {};
  if (b & IV) q.iv = true;
  if (b & NT) q.nt = true;
  if (b & SB) q.sb = true;
  if (b & BL) q.bl = true;
  return q;
}

export function qualityHighBits(q: Qds | undefined): number {
  if (!q) return 0;
  return (q.iv ? IV : 0) | (q.nt ? NT : 0) | (q.sb ? SB : 0) | (q.bl ? BL : 0);
}

/** Shared result for a quality octet with no flag set (decoders return it instead of a new object; never mutate). */
export const GOOD_QDS: Qds = Object.freeze({}) as Qds;

/** QDS octet: OV bit 0, bits 1-3 reserved, BL, SB, NT, IV. */
export function readQds(b: number): Qds {
  if ((b & 0xf1) === 0) return GOOD_QDS;
  const q = readQualityHigh(b);
  if (b & 0x01) q.ov = true;
  return q;
}

export function qdsByte(q: Qds | undefined): number {
  return qualityHighBits(q) | (q?.ov ? 0x01 : 0);
}

export function isGoodQds(q: Qds | undefined): boolean {
  return !q || !(q.iv || q.nt || q.sb || q.bl || q.ov || q.ei);
}

/**
 * Map IEC quality bits to one GridBridge quality code (the most severe wins: IV > OV > BL > SB > NT > EI), keeping
 * every set flag in the reason.
 */
export function toPointQuality(q: Qds | undefined): Quality {
  if (isGoodQds(q) || !q) return { code: 'good' };
  const flags = (['iv', 'ov', 'bl', 'sb', 'nt', 'ei'] as const).filter((k) => q[k]).map((k) => k.toUpperCase());
  const reason = `IEC 104 quality ${flags.join(' ')}`;
  if (q.iv) return { code: 'invalid', reason };
  if (q.ov) return { code: 'overflow', reason };
  if (q.bl) return { code: 'blocked', reason };
  if (q.sb) return { code: 'substituted', reason };
  return { code: 'questionable', reason };
}

/** GridBridge quality → QDS bits for serving a point to SCADA. */
export function fromPointQuality(q: Quality): Qds {
  switch (q.code) {
    case 'good':
      return {};
    case 'overflow':
    case 'out_of_range':
      return { ov: true };
    case 'substituted':
      return { sb: true };
    case 'blocked':
      return { bl: true };
    case 'questionable':
      return { nt: true };
    case 'not_connected':
    case 'timeout':
      return { iv: true, nt: true };
    default:
      return { iv: true };
  }
}
