"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.GOOD_QDS = void 0;
exports.readQualityHigh = readQualityHigh;
exports.qualityHighBits = qualityHighBits;
exports.readQds = readQds;
exports.qdsByte = qdsByte;
exports.isGoodQds = isGoodQds;
exports.toPointQuality = toPointQuality;
exports.fromPointQuality = fromPointQuality;
const IV = 0x80;
const NT = 0x40;
const SB = 0x20;
const BL = 0x10;
/** Bits 4-7 common to QDS, SIQ, DIQ and SEP. */
function readQualityHigh(b) {
    const q = {};
    if (b & IV)
        q.iv = true;
    if (b & NT)
        q.nt = true;
    if (b & SB)
        q.sb = true;
    if (b & BL)
        q.bl = true;
    return q;
}
function qualityHighBits(q) {
    if (!q)
        return 0;
    return (q.iv ? IV : 0) | (q.nt ? NT : 0) | (q.sb ? SB : 0) | (q.bl ? BL : 0);
}
/** Shared result for a quality octet with no flag set (decoders return it instead of a new object; never mutate). */
exports.GOOD_QDS = Object.freeze({});
/** QDS octet: OV bit 0, bits 1-3 reserved, BL, SB, NT, IV. */
function readQds(b) {
    if ((b & 0xf1) === 0)
        return exports.GOOD_QDS;
    const q = readQualityHigh(b);
    if (b & 0x01)
        q.ov = true;
    return q;
}
function qdsByte(q) {
    return qualityHighBits(q) | (q?.ov ? 0x01 : 0);
}
function isGoodQds(q) {
    return !q || !(q.iv || q.nt || q.sb || q.bl || q.ov || q.ei);
}
/**
 * Map IEC quality bits to one GridBridge quality code (the most severe wins: IV > OV > BL > SB > NT > EI), keeping
 * every set flag in the reason.
 */
function toPointQuality(q) {
    if (isGoodQds(q) || !q)
        return { code: 'good' };
    const flags = ['iv', 'ov', 'bl', 'sb', 'nt', 'ei'].filter((k) => q[k]).map((k) => k.toUpperCase());
    const reason = `IEC 104 quality ${flags.join(' ')}`;
    if (q.iv)
        return { code: 'invalid', reason };
    if (q.ov)
        return { code: 'overflow', reason };
    if (q.bl)
        return { code: 'blocked', reason };
    if (q.sb)
        return { code: 'substituted', reason };
    return { code: 'questionable', reason };
}
/** GridBridge quality → QDS bits for serving a point to SCADA. */
function fromPointQuality(q) {
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
//# sourceMappingURL=quality.js.map