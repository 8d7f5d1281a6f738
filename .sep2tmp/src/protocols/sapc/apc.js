"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.DEFAULT_DIRECTION_CODES = void 0;
exports.encodeApcValue = encodeApcValue;
exports.decodeApcValue = decodeApcValue;
exports.hex4 = hex4;
exports.DEFAULT_DIRECTION_CODES = { import: 1, export: 2 };
function encodeApcValue(v, codes = exports.DEFAULT_DIRECTION_CODES) {
    if (!Number.isInteger(v.level) || v.level < 0 || v.level > 100)
        throw new RangeError(`APC level ${v.level} outside 0..100`);
    if (!Number.isInteger(v.controller) || v.controller < 1 || v.controller > 15)
        throw new RangeError(`APC controller ${v.controller} outside 1..15`);
    const d = codes[v.direction];
    return (((d & 0x0f) << 12) | ((v.controller & 0x0f) << 8) | v.level) & 0xffff;
}
/** Decode a 16-bit APC value; throws RangeError naming the part that is wrong. */
function decodeApcValue(raw, codes = exports.DEFAULT_DIRECTION_CODES) {
    if (!Number.isInteger(raw) || raw < 0 || raw > 0xffff)
        throw new RangeError(`APC value ${raw} is not a 16-bit integer`);
    const dirCode = (raw >> 12) & 0x0f;
    const controller = (raw >> 8) & 0x0f;
    const level = raw & 0xff;
    const direction = dirCode === codes.import ? 'import' : dirCode === codes.export ? 'export' : undefined;
    if (!direction)
        throw new RangeError(`APC direction code ${dirCode} unknown (high nibble of 0x${hex4(raw)})`);
    if (controller < 1)
        throw new RangeError(`APC controller 0 invalid in 0x${hex4(raw)}`);
    if (level > 100)
        throw new RangeError(`APC level ${level} > 100 in 0x${hex4(raw)}`);
    return { direction, controller, level };
}
function hex4(n) {
    return n.toString(16).toUpperCase().padStart(4, '0');
}
//# sourceMappingURL=apc.js.map