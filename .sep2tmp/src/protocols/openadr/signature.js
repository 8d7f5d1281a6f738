"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.OadrSignatureError = void 0;
exports.signPayload = signPayload;
exports.isSigned = isSigned;
exports.verifyPayload = verifyPayload;
/**
 * Optional XML signatures for OpenADR 2.0b (high-security profile): an enveloped-style ds:Signature as the first child
 * of oadrPayload, whose single Reference points at oadrSignedObject (URI `#oadrSignedObject`), exclusive C14N,
 * RSA-SHA256 and SHA-256 digests. Verification refuses unsigned, tampered, or wrongly referenced payloads.
 * Gap: the ReplayProtect property (nonce + timestamp in ds:Object) of the 2.0b security profile is not emitted.
 */
const xml_crypto_1 = require("xml-crypto");
class OadrSignatureError extends Error {
    reason;
    constructor(reason) {
        super(`openadr signature: ${reason}`);
        this.reason = reason;
        this.name = 'OadrSignatureError';
    }
}
exports.OadrSignatureError = OadrSignatureError;
const SIGNED_OBJECT_XPATH = "//*[local-name(.)='oadrSignedObject']";
function signPayload(xml, opts) {
    const sig = new xml_crypto_1.SignedXml({
        privateKey: opts.privateKey,
        publicCert: opts.certificate,
        signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
        canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
    });
    sig.addReference({
        xpath: SIGNED_OBJECT_XPATH,
        digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
        transforms: ['http://www.w3.org/2001/10/xml-exc-c14n#'],
    });
    sig.computeSignature(xml, { prefix: 'ds', location: { reference: SIGNED_OBJECT_XPATH, action: 'before' } });
    return sig.getSignedXml();
}
function isSigned(xml) {
    return /<(?:\w+:)?Signature[\s>]/.test(xml);
}
/**
 * Verify the signature of a payload with the peer's certificate (PEM). Throws OadrSignatureError when absent,
 * when the digest or signature does not match, or when it does not cover oadrSignedObject.
 */
function verifyPayload(xml, peerCertificate) {
    const m = /<((?:\w+:)?)Signature[\s>][\s\S]*?<\/\1Signature>/.exec(xml);
    if (!m)
        throw new OadrSignatureError('payload is not signed');
    const sig = new xml_crypto_1.SignedXml({ publicCert: peerCertificate, getCertFromKeyInfo: () => null });
    try {
        sig.loadSignature(m[0]);
    }
    catch (e) {
        throw new OadrSignatureError(`unreadable signature: ${e instanceof Error ? e.message : String(e)}`);
    }
    let ok = false;
    try {
        ok = sig.checkSignature(xml);
    }
    catch (e) {
        throw new OadrSignatureError(`signature mismatch: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!ok)
        throw new OadrSignatureError('signature mismatch');
    const refs = sig.getSignedReferences();
    if (refs.length !== 1 || !/oadrSignedObject/.test(refs[0] ?? ''))
        throw new OadrSignatureError('signature does not cover oadrSignedObject');
}
//# sourceMappingURL=signature.js.map