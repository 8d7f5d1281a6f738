/**
 * CP56Time2a (IEC 60870-5-101 §7.2.6.18): seven octets
 *   0-1 milliseconds within the minute (0..59999, little endian)
 *   2   minutes 0..59 (bits 0-5), RES1 (bit 6), IV invalid (bit 7)
 *   3   hours 0..23 (bits 0-4), RES2 (bits 5-6), SU summer time (bit 7)
 *   4   day of month 1..31 (bits 0-4), day of week 1..7 (bits 5-7, 0 = not used)
 *   5   month 1..12 (bits 0-3)
 *   6   year 0..99 (bits 0-6)
 * The fields are kept raw so decoding is lossless; `cp56ToEpoch` validates them.
 */
export interface Cp56Time {
  ms: number;
  minute: number;
  hour: number;
  day: number;
  /** 1 = Monday .. 7 = Sunday, 0 = not used. */
  dow: number;
  month: number;
  /** 0..99, meaning 2000..2099. */
  year: number;
  invalid: boolean;
  summer: boolean;
}

export const CP56_LENGTH = 7;

export function readCp56(buf: Buffer, o: number): Cp56Time {
  const b2 = buf[o + 2]!;
  const b3 = buf[o + 3]!;
  const b4 = buf[o + 4]!;
  return {
    ms: buf[o]! | (buf[o + 1]! << 8),
    minute: b2 & 0x3f,
    invalid: (b2 & 0x80) !== 0,
    hour: b3 & 0x1f,
    summer: (b3 & 0x80) !== 0,
    day: b4 & 0x1f,
    dow: b4 >> 5,
    month: buf[o + 5]! & 0x0f,
    year: buf[o + 6]! & 0x7f,
  };
}

export function writeCp56(buf: Buffer, o: number, t: Cp56Time): void {
  const ms = t.ms & 0xffff;
  buf[o] = ms & 0xff;
  buf[o + 1] = ms >> 8;
  buf[o + 2] = (t.minute & 0x3f) | (t.invalid ? 0x80 : 0);
  buf[o + 3] = (t.hour & 0x1f) | (t.summer ? 0x80 : 0);
  buf[o + 4] = (t.day & 0x1f) | ((t.dow & 0x07) << 5);
  buf[o + 5] = t.month & 0x0f;
  buf[o + 6] = t.year & 0x7f;
}

export interface Cp56Options {
  /** Offset of the peer's time base from UTC in minutes (IEC 104 peers usually run UTC or local time). */
  utcOffsetMinutes?: number;
  summer?: boolean;
  invalid?: boolean;
}

/** Epoch ms → CP56Time2a in the given time base (UTC by default). Years outside 2000..2099 wrap modulo 100. */
export function cp56FromEpoch(epochMs: number, opts: Cp56Options = {}): Cp56Time {
  const d = new Date(epochMs + (opts.utcOffsetMinutes ?? 0) * 60_000);
  const wd = d.getUTCDay();
  return {
    ms: d.getUTCSeconds() * 1000 + d.getUTCMilliseconds(),
    minute: d.getUTCMinutes(),
    hour: d.getUTCHours(),
    day: d.getUTCDate(),
    dow: wd === 0 ? 7 : wd,
    month: d.getUTCMonth() + 1,
    year: d.getUTCFullYear() % 100,
    invalid: opts.invalid ?? false,
    summer: opts.summer ?? false,
  };
}

/** CP56Time2a → epoch ms, or undefined when a field is out of range (the IV flag is reported separately). */
export function cp56ToEpoch(t: Cp56Time, utcOffsetMinutes = 0): number | undefined {
  if (t.ms > 59_999 || t.minute > 59 || t.hour > 23 || t.day < 1 || t.day > 31 || t.month < 1 || t.month > 12) return undefined;
  const ms = Date.UTC(2000 + t.year, t.month - 1, t.day, t.hour, t.minute, 0, t.ms);
  // Reject 31 February and the like instead of silently rolling over.
  if (new Date(ms).getUTCDate() !== t.day) return undefined;
  return ms - utcOffsetMinutes * 60_000;
}
