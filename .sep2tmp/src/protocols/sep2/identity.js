"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.lfdiFromDer = lfdiFromDer;
exports.lfdiFromCertificate = lfdiFromCertificate;
exports.checkDigit = checkDigit;
exports.sfdiFromLfdi = sfdiFromLfdi;
exports.identityFromCertificate = identityFromCertificate;
/**
 * Device identity (IEEE 2030.5 §6.3.4): LFDI = first 160 bits of SHA-256 over the certificate's DER encoding (40 hex
 * digits); SFDI = first 36 bits of the LFDI as a decimal number followed by a check digit that makes the sum of all
 * digits ≡ 0 (mod 10).
 */
const node_crypto_1 = require("node:crypto");
function lfdiFromDer(der) {
    return (0, node_crypto_1.createHash)('sha256').update(der).digest('hex').slice(0, 40).toUpperCase();
}
/** Accepts a PEM string, a DER buffer or a parsed X509Certificate. */
function lfdiFromCertificate(cert) {
    const x = cert instanceof node_crypto_1.X509Certificate ? cert : new node_crypto_1.X509Certificate(typeof cert === 'string' ? cert : Buffer.from(cert));
    return lfdiFromDer(x.raw);
}
function checkDigit(n) {
    let sum = 0;
    for (const c of String(n))
        sum += c.charCodeAt(0) - 48;
    return (10 - (sum % 10)) % 10;
}
function sfdiFromLfdi(lfdi) {
    if (!/^[0-9A-Fa-f]{9,}$/.test(lfdi))
        throw new TypeError(`LFDI must be hex (got "${lfdi}")`);
    const head = parseInt(lfdi.slice(0, 9), 16);
    return head * 10 + checkDigit(head);
}
function identityFromCertificate(cert) {
    const lfdi = lfdiFromCertificate(cert);
    return { lfdi, sfdi: sfdiFromLfdi(lfdi) };
}
//# sourceMappingURL=identity.js.map