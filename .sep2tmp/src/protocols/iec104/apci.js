"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.FrameReader = exports.U_CODES = exports.SEQ_MODULO = exports.MAX_APDU_LENGTH = exports.START = void 0;
exports.decodeApdu = decodeApdu;
exports.encodeUFrame = encodeUFrame;
exports.encodeSFrame = encodeSFrame;
exports.writeIHeader = writeIHeader;
exports.encodeIFrame = encodeIFrame;
exports.seqDiff = seqDiff;
/**
 * APCI (IEC 60870-5-104 §5): start 0x68, APDU length (4..253, counting the four control octets and the ASDU),
 * then four control octets:
 *   I format: CF1 bit 0 = 0, N(S) = CF1 >> 1 | CF2 << 7; N(R) = CF3 >> 1 | CF4 << 7   (15-bit, wrap at 32767)
 *   S format: CF1 = 0x01, CF2 = 0, N(R) in CF3/CF4
 *   U format: CF1 bits 0-1 = 11, one function bit: STARTDT act 0x04 / con 0x08, STOPDT act 0x10 / con 0x20,
 *             TESTFR act 0x40 / con 0x80; CF2-CF4 = 0
 */
const errors_js_1 = require("../../core/errors.js");
const asdu_js_1 = require("./asdu.js");
exports.START = 0x68;
exports.MAX_APDU_LENGTH = 253;
exports.SEQ_MODULO = 32768;
exports.U_CODES = {
    STARTDT_ACT: 0x07,
    STARTDT_CON: 0x0b,
    STOPDT_ACT: 0x13,
    STOPDT_CON: 0x23,
    TESTFR_ACT: 0x43,
    TESTFR_CON: 0x83,
};
const U_BY_CODE = new Map(Object.entries(exports.U_CODES).map(([k, v]) => [v, k]));
const P = 'iec104';
/** Decode one complete APDU (start byte included). */
function decodeApdu(frame) {
    if (frame.length < 2)
        throw new errors_js_1.DecodeError(`APDU shorter than its 2-octet start (${frame.length})`, frame.length, P);
    if (frame[0] !== exports.START)
        throw new errors_js_1.DecodeError(`start octet 0x${frame[0].toString(16).padStart(2, '0')} is not 0x68`, 0, P);
    const len = frame[1];
    if (len < 4 || len > exports.MAX_APDU_LENGTH)
        throw new errors_js_1.DecodeError(`APDU length ${len} outside 4..${exports.MAX_APDU_LENGTH}`, 1, P);
    if (frame.length !== len + 2)
        throw new errors_js_1.DecodeError(`APDU length field says ${len + 2} octets, frame has ${frame.length}`, 1, P);
    const c1 = frame[2];
    if ((c1 & 1) === 0) {
        if (len < 4 + asdu_js_1.ASDU_HEADER)
            throw new errors_js_1.DecodeError(`I-format APDU of length ${len} has no complete ASDU`, frame.length, P);
        return {
            apci: { format: 'I', ns: (c1 >> 1) | (frame[3] << 7), nr: (frame[4] >> 1) | (frame[5] << 7) },
            asdu: frame.subarray(6),
        };
    }
    if (len !== 4)
        throw new errors_js_1.DecodeError(`${(c1 & 3) === 1 ? 'S' : 'U'}-format APDU must have length 4, has ${len}`, 1, P);
    if ((c1 & 3) === 1)
        return { apci: { format: 'S', nr: (frame[4] >> 1) | (frame[5] << 7) } };
    const fn = U_BY_CODE.get(c1);
    if (!fn || frame[3] !== 0 || frame[4] !== 0 || frame[5] !== 0) {
        throw new errors_js_1.DecodeError(`U-format control field 0x${c1.toString(16)} ${frame[3]} ${frame[4]} ${frame[5]} is not one function`, 2, P);
    }
    return { apci: { format: 'U', fn } };
}
function encodeUFrame(fn) {
    return Buffer.from([exports.START, 4, exports.U_CODES[fn], 0, 0, 0]);
}
function encodeSFrame(nr) {
    return Buffer.from([exports.START, 4, 0x01, 0, (nr << 1) & 0xfe, (nr >> 7) & 0xff]);
}
/** Write the APCI of an I frame carrying `asduLength` octets into `buf` at 0..5. */
function writeIHeader(buf, ns, nr, asduLength) {
    if (asduLength > asdu_js_1.MAX_ASDU)
        throw new RangeError(`ASDU of ${asduLength} octets exceeds ${asdu_js_1.MAX_ASDU}`);
    buf[0] = exports.START;
    buf[1] = asduLength + 4;
    buf[2] = (ns << 1) & 0xfe;
    buf[3] = (ns >> 7) & 0xff;
    buf[4] = (nr << 1) & 0xfe;
    buf[5] = (nr >> 7) & 0xff;
}
function encodeIFrame(ns, nr, asdu) {
    const buf = Buffer.allocUnsafe(6 + asdu.length);
    writeIHeader(buf, ns, nr, asdu.length);
    asdu.copy(buf, 6);
    return buf;
}
/**
 * Splits a TCP byte stream into APDUs. A wrong start octet or impossible length throws a DecodeError (the
 * connection must then be closed: the stream cannot be resynchronised, IEC 60870-5-104 §5).
 */
class FrameReader {
    pending;
    /** Octets consumed before the pending data, for error offsets in the stream. */
    consumed = 0;
    /** Feed a chunk; calls `onFrame` for each complete APDU (a view valid only during the call). */
    push(chunk, onFrame) {
        let buf = chunk;
        if (this.pending) {
            buf = Buffer.concat([this.pending, chunk]);
            this.pending = undefined;
        }
        let o = 0;
        while (o < buf.length) {
            if (buf[o] !== exports.START)
                throw new errors_js_1.DecodeError(`start octet 0x${buf[o].toString(16).padStart(2, '0')} is not 0x68`, this.consumed + o, P);
            if (buf.length - o < 2)
                break;
            const len = buf[o + 1];
            if (len < 4 || len > exports.MAX_APDU_LENGTH)
                throw new errors_js_1.DecodeError(`APDU length ${len} outside 4..${exports.MAX_APDU_LENGTH}`, this.consumed + o + 1, P);
            if (buf.length - o < len + 2)
                break;
            onFrame(buf.subarray(o, o + len + 2));
            o += len + 2;
        }
        this.consumed += o;
        if (o < buf.length)
            this.pending = Buffer.from(buf.subarray(o));
    }
    get buffered() {
        return this.pending?.length ?? 0;
    }
}
exports.FrameReader = FrameReader;
/** (a - b) mod 32768: how far sequence number a is ahead of b. */
function seqDiff(a, b) {
    return (a - b + exports.SEQ_MODULO) % exports.SEQ_MODULO;
}
//# sourceMappingURL=apci.js.map