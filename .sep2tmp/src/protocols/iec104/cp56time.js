"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.CP56_LENGTH = void 0;
exports.readCp56 = readCp56;
exports.writeCp56 = writeCp56;
exports.cp56FromEpoch = cp56FromEpoch;
exports.cp56ToEpoch = cp56ToEpoch;
exports.CP56_LENGTH = 7;
function readCp56(buf, o) {
    const b2 = buf[o + 2];
    const b3 = buf[o + 3];
    const b4 = buf[o + 4];
    return {
        ms: buf[o] | (buf[o + 1] << 8),
        minute: b2 & 0x3f,
        invalid: (b2 & 0x80) !== 0,
        hour: b3 & 0x1f,
        summer: (b3 & 0x80) !== 0,
        day: b4 & 0x1f,
        dow: b4 >> 5,
        month: buf[o + 5] & 0x0f,
        year: buf[o + 6] & 0x7f,
    };
}
function writeCp56(buf, o, t) {
    const ms = t.ms & 0xffff;
    buf[o] = ms & 0xff;
    buf[o + 1] = ms >> 8;
    buf[o + 2] = (t.minute & 0x3f) | (t.invalid ? 0x80 : 0);
    buf[o + 3] = (t.hour & 0x1f) | (t.summer ? 0x80 : 0);
    buf[o + 4] = (t.day & 0x1f) | ((t.dow & 0x07) << 5);
    buf[o + 5] = t.month & 0x0f;
    buf[o + 6] = t.year & 0x7f;
}
/** Epoch ms → CP56Time2a in the given time base (UTC by default). Years outside 2000..2099 wrap modulo 100. */
function cp56FromEpoch(epochMs, opts = {}) {
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
function cp56ToEpoch(t, utcOffsetMinutes = 0) {
    if (t.ms > 59_999 || t.minute > 59 || t.hour > 23 || t.day < 1 || t.day > 31 || t.month < 1 || t.month > 12)
        return undefined;
    const ms = Date.UTC(2000 + t.year, t.month - 1, t.day, t.hour, t.minute, 0, t.ms);
    // Reject 31 February and the like instead of silently rolling over.
    if (new Date(ms).getUTCDate() !== t.day)
        return undefined;
    return ms - utcOffsetMinutes * 60_000;
}
//# sourceMappingURL=cp56time.js.map