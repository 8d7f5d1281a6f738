"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.decodeFrame = decodeFrame;
exports.encodeIAsdu = encodeIAsdu;
/** Whole-frame helpers on top of the APCI and ASDU codecs. */
const apci_js_1 = require("./apci.js");
const asdu_js_1 = require("./asdu.js");
/** Decode APCI and, for I frames, the ASDU. Throws only DecodeError (offsets counted from the start octet). */
function decodeFrame(frame) {
    const { apci, asdu } = (0, apci_js_1.decodeApdu)(frame);
    return asdu ? { apci, asdu: (0, asdu_js_1.decodeAsdu)(asdu, 6) } : { apci };
}
/** Encode an I frame straight into one buffer (no intermediate ASDU copy). */
function encodeIAsdu(ns, nr, a) {
    const len = (0, asdu_js_1.asduLength)(a);
    const buf = Buffer.allocUnsafe(6 + len);
    (0, asdu_js_1.encodeAsdu)(a, buf, 6);
    (0, apci_js_1.writeIHeader)(buf, ns, nr, len);
    return buf;
}
//# sourceMappingURL=codec.js.map