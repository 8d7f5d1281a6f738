"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.crc16arc = crc16arc;
exports.crcHex = crcHex;
/**
 * CRC-16/ARC (a.k.a. CRC-16, CRC-IBM): poly 0x8005 reflected (0xA001), init 0x0000, refin/refout, xorout 0x0000.
 * Check value for ASCII "123456789" is 0xBB3D (reveng catalogue, "CRC-16/ARC").
 */
const TABLE = (() => {
    const t = new Uint16Array(256);
    for (let i = 0; i < 256; i++) {
        let c = i;
        for (let k = 0; k < 8; k++)
            c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
        t[i] = c;
    }
    return t;
})();
function crc16arc(data, start = 0, end) {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    const stop = end ?? bytes.length;
    let crc = 0;
    for (let i = start; i < stop; i++)
        crc = (crc >>> 8) ^ TABLE[(crc ^ bytes[i]) & 0xff];
    return crc & 0xffff;
}
/** Four uppercase hex digits, as SSP-1 carries the CRC. */
function crcHex(crc) {
    return crc.toString(16).toUpperCase().padStart(4, '0');
}
//# sourceMappingURL=crc.js.map