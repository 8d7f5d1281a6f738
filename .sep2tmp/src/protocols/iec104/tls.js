"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.normalizeFingerprint = normalizeFingerprint;
exports.serverTlsOptions = serverTlsOptions;
exports.clientTlsOptions = clientTlsOptions;
exports.checkPeer = checkPeer;
/**
 * TLS profile for IEC 60870-5-104 per IEC 62351-3: TLS 1.2 or 1.3 only, mutual authentication with chain
 * validation on both sides, optional allow-list of individual peer certificates (SHA-256 fingerprints), and no
 * renegotiation started by GridBridge. A client still accepts renegotiation started by a TLS 1.2 server (62351-3
 * session renewal), which OpenSSL handles transparently as a secure renegotiation.
 */
const node_crypto_1 = require("node:crypto");
function normalizeFingerprint(fp) {
    return fp.replace(/[^0-9a-fA-F]/g, '').toUpperCase();
}
function serverTlsOptions(c) {
    const o = {
        cert: c.cert,
        key: c.key,
        ca: c.ca,
        requestCert: true,
        rejectUnauthorized: true,
        minVersion: c.minVersion ?? 'TLSv1.2',
        honorCipherOrder: true,
    };
    if (c.passphrase !== undefined)
        o.passphrase = c.passphrase;
    if (c.maxVersion)
        o.maxVersion = c.maxVersion;
    if (c.ciphers)
        o.ciphers = c.ciphers;
    if (!c.allowRenegotiation)
        o.secureOptions = node_crypto_1.constants.SSL_OP_NO_RENEGOTIATION;
    return o;
}
function clientTlsOptions(c, host) {
    const o = {
        cert: c.cert,
        key: c.key,
        ca: c.ca,
        rejectUnauthorized: true,
        minVersion: c.minVersion ?? 'TLSv1.2',
    };
    if (c.passphrase !== undefined)
        o.passphrase = c.passphrase;
    if (c.maxVersion)
        o.maxVersion = c.maxVersion;
    if (c.ciphers)
        o.ciphers = c.ciphers;
    const name = c.servername ?? host;
    if (!/^[\d.:]+$/.test(name))
        o.servername = name;
    // The chain is still validated (rejectUnauthorized); only the name check is optional.
    if (!c.checkHostname)
        o.checkServerIdentity = () => undefined;
    return o;
}
/** After the handshake: undefined when the peer is acceptable, else the reason to drop it. */
function checkPeer(socket, allowedPeers) {
    if (!socket.authorized)
        return `peer certificate rejected: ${String(socket.authorizationError ?? 'not authorized')}`;
    const cert = socket.getPeerCertificate();
    if (!cert || !cert.fingerprint256)
        return 'peer presented no certificate';
    if (allowedPeers && allowedPeers.length > 0) {
        const fp = normalizeFingerprint(cert.fingerprint256);
        if (!allowedPeers.some((a) => normalizeFingerprint(a) === fp))
            return `peer certificate ${cert.fingerprint256} is not on the allow-list`;
    }
    return undefined;
}
//# sourceMappingURL=tls.js.map