"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.fingerprintFromDer = fingerprintFromDer;
exports.fingerprintFromPem = fingerprintFromPem;
/**
 * OpenADR 2.0b VEN/VTN identifiers derived from the TLS certificate: the SHA-256 fingerprint of the DER certificate,
 * of which the LAST 10 BYTES (20 hex digits) are written as 10 colon-separated upper-case pairs, e.g.
 * `7A:1B:...:E3`. Source: OpenADR 2.0b profile specification (certificate fingerprint as VEN ID), as implemented by
 * openleadr-python `utils.certificate_fingerprint_from_der` (hex digits 44..63 of the SHA-256 digest).
 */
const node_crypto_1 = require("node:crypto");
function fingerprintFromDer(der) {
    const hex = (0, node_crypto_1.createHash)('sha256').update(der).digest('hex').toUpperCase();
    const tail = hex.slice(44, 64);
    return tail.match(/../g).join(':');
}
function fingerprintFromPem(pem) {
    return fingerprintFromDer(new node_crypto_1.X509Certificate(pem).raw);
}
//# sourceMappingURL=fingerprint.js.map